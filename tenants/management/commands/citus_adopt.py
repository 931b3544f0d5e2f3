import importlib
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.citus import (
    CitusPlacement,
    citus_installed,
    least_loaded_worker,
    public_tables_place,
    tenant_nodes,
    tenant_schema_move,
    workers,
)
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "A database migrated on one PostgreSQL that now has the citus extension and registered "
        "workers (docs/scaling.md): place the public tables as the CitusPlacement migrations say, make "
        "every tenant schema a distributed schema and move each to the least-loaded worker. Idempotent."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        if not citus_installed():
            raise CommandError(
                "no citus extension in this database: CREATE EXTENSION citus and add workers first"
            )
        if not workers():
            raise CommandError("no workers registered: SELECT citus_add_node(host, port) for each")
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        # Migrations applied before the extension existed placed nothing: do what they say now.
        module = importlib.import_module("directory.migrations.0006_citus_placement")
        for operation in module.Migration.operations:
            if isinstance(operation, CitusPlacement):
                public_tables_place(connection, reference=operation.reference, local=operation.local)
        self.stdout.write("public tables placed")
        for tenant in Tenant.objects.exclude(schema_name="public").order_by("pk"):
            schema = tenant.schema_name
            started = time.monotonic()
            if schema not in tenant_nodes([schema]):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT citus_schema_distribute(%s::regnamespace)", [schema])
            node = tenant_nodes([schema]).get(schema)
            if node is not None and node not in {
                f"{h}:{p}" for h, p in workers()
            }:  # still on the coordinator
                target = least_loaded_worker()
                assert target is not None
                tenant_schema_move(schema, target[0], target[1])
                node = tenant_nodes([schema]).get(schema)
            self.stdout.write(f"{schema}: {node} ({time.monotonic() - started:.1f} s)")
