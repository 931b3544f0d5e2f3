import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.citus import citus_installed, tenant_nodes, tenant_schema_move, workers
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Move one tenant's schema to another Citus worker, online (citus_schema_move with "
        "force_logical: writes keep flowing during the copy); cleans up the old placement after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema", help="the tenant's schema name, e.g. datang")
        parser.add_argument(
            "--to", help="host:port of the target worker (default: the other worker with the fewest tenants)"
        )
        parser.add_argument(
            "--mode",
            default="force_logical",
            choices=["force_logical", "auto", "block_writes"],
            help="shard transfer mode (block_writes: writes wait for the whole copy)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        schema = opts["schema"]
        if not citus_installed():
            raise CommandError("这个数据库不是 Citus 集群：单节点上租户无需迁移 (not a Citus cluster)")
        if not Tenant.objects.filter(schema_name=schema).exclude(schema_name="public").exists():
            raise CommandError(f"租户不存在: {schema}")
        current = tenant_nodes([schema]).get(schema)
        if current is None:
            raise CommandError(f"{schema} is not a distributed schema on this cluster")
        nodes = workers()
        if opts["to"]:
            host, _, port = opts["to"].rpartition(":")
            if not port.isdigit() or (host, int(port)) not in nodes:
                raise CommandError(
                    f"--to must be one of the workers: {', '.join(f'{h}:{p}' for h, p in nodes)}"
                )
            target = (host, int(port))
        else:
            load = {node: 0 for node in nodes}
            for where in tenant_nodes().values():
                h, _, p = where.rpartition(":")
                load[(h, int(p))] = load.get((h, int(p)), 0) + 1
            candidates = [node for node in nodes if f"{node[0]}:{node[1]}" != current]
            if not candidates:
                raise CommandError("there is no other worker to move to")
            target = min(candidates, key=lambda node: (load.get(node, 0), node[1]))
        if f"{target[0]}:{target[1]}" == current:
            self.stdout.write(f"{schema} is already on {current}")
            return
        started = time.monotonic()
        tenant_schema_move(schema, target[0], target[1], mode=opts["mode"])
        after = tenant_nodes([schema]).get(schema)
        self.stdout.write(
            f"moved {schema}: {current} -> {after} in {time.monotonic() - started:.1f} s ({opts['mode']})"
        )
