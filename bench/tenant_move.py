#!/usr/bin/env python
"""Moving a tenant between Citus workers while it works: failed requests and the longest stall.

In a throwaway database of its own on the local cluster (`make cluster`; dropped at the end), the
demo world is seeded (seed_demo) and gunicorn serves it. CLIENTS concurrent clients drive Datang:
half create quotes (POST /api/v1/quotes/, the agent, rows in the tenant's schema), half open service
orders at a partner shop (POST /api/v1/service-orders/, owners: reads the tenant's vehicle on its
worker, writes the coordinator's order tables). After BEFORE seconds of steady load Datang's schema
is moved to the other worker with ``citus_schema_move`` (force_logical: the copy runs while writes
flow, writes wait only for the final switch; ``core.citus.tenant_schema_move``, what
``manage.py tenant_move`` runs), then the load runs AFTER seconds more.

Reports failed requests (goal 0) before, during and after the move, the p50/p95 before the move,
and the longest request in flight during the move (the stall a user sees) beside that p95.

    make cluster && .venv/bin/python bench/tenant_move.py [--clients 20] [--before 20] [--after 10]
"""

import argparse
import io
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import machine  # noqa: E402
from infra import cluster  # noqa: E402

BENCH_DB = "suxinbao_bench_move"
os.environ["DATABASE_URL"] = f"postgres://postgres@{cluster.HOST}:{cluster.NODES['coordinator']}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

import config.paths  # noqa: E402, F401


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--before", type=float, default=20, help="seconds of load before the move")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after the move")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (5 threads each)")
    parser.add_argument("--mode", default="force_logical", choices=["force_logical", "block_writes"])
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    print(f"bench database {BENCH_DB} on the cluster (created afresh)", file=sys.stderr)
    cluster.database_ensure(BENCH_DB, fresh=True)
    try:
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            cluster.database_drop(BENCH_DB)


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services import auth_token_issue
    from bench.aftersales import setup as aftersales_setup
    from bench.server import gunicorn, pct, request
    from core.citus import tenant_nodes, tenant_schema_move, workers
    from tenants.models import Tenant

    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    print(f"seeded in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    owners, _shop_token, shop, _oil, _flt = aftersales_setup(args.clients // 2)
    tenant = Tenant.objects.get(schema_name="datang")
    agent = User.objects.get(mobile="13800001011")
    agent_token = auth_token_issue(user=agent, tenant_id=tenant.pk).token
    counter = iter(range(1, 100_000))

    def quote() -> dict:
        """A quote for a new customer and car typed in: customer, vehicle and quote rows in Datang."""
        n = next(counter)
        return {
            "customer": {"name": f"迁移客户{n}", "mobile": f"139{n:08d}"},
            "vehicle": {
                "plate": f"粤B{n:04d}M",
                "seats": 5,
                "displacement": "1.5",
                "first_registered_on": "2021-05-01",
            },
            "history": {"ctpl_class": "A1", "claim_free_years": 1},
            "coverages": {
                "ctpl": True,
                "vehicle_tax": True,
                "commercial": [{"code": "third_party", "limit": "1000000"}],
            },
        }

    source = tenant_nodes(["datang"])["datang"]
    target = next(node for node in workers() if f"{node[0]}:{node[1]}" != source)

    # (start, end, ok, what) of every request; the phase is decided from the times afterwards.
    log: list[tuple[float, float, bool, str]] = []
    stop = threading.Event()

    def client(n: int, port: int) -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                if n % 2 == 0:
                    status, body, _ = request(port, "POST", "/api/v1/quotes/", agent_token, quote())
                    what = "quote"
                else:
                    token, car = owners[n // 2]
                    order = {"shop": shop.pk, "vehicle": car, "service": "保养", "description": "迁移基准"}
                    status, body, _ = request(port, "POST", "/api/v1/service-orders/", token, order)
                    what = "service order"
                ok = status == 201
                if not ok:
                    what += f" {status} {body.get('code')} {body.get('message')}"
            except OSError as error:
                ok, what = False, f"connection: {error}"
            log.append((t0, time.perf_counter(), ok, what))

    with gunicorn(workers=args.workers, threads=5, token=agent_token) as port:
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for n in range(args.clients):
                pool.submit(client, n, port)
            time.sleep(args.before)
            move_start = time.perf_counter()
            tenant_schema_move("datang", target[0], target[1], mode=args.mode)
            move_end = time.perf_counter()
            time.sleep(args.after)
            stop.set()
    after_node = tenant_nodes(["datang"])["datang"]

    before = [r for r in log if r[1] < move_start]
    during = [r for r in log if r[1] >= move_start and r[0] <= move_end]
    after = [r for r in log if r[0] > move_end]
    base = [(r[1] - r[0]) * 1000 for r in before if r[2]]
    stall = max(((r[1] - r[0]) * 1000 for r in during), default=0.0)
    failed = [r for r in log if not r[2]]
    print(f"{args.clients} clients (quotes + service orders) on datang, gunicorn {args.workers}x5 threads")
    print(f"moved datang {source} -> {after_node} ({args.mode}) in {move_end - move_start:.1f} s")
    print(
        f"requests: {len(before)} before, {len(during)} in flight during the move, {len(after)} after; "
        f"failed: {sum(not r[2] for r in before)} / {sum(not r[2] for r in during)} / {sum(not r[2] for r in after)}"
        f" (goal 0)"
    )
    for r in failed[:5]:
        print("  failure:", r[3])
    p50, p95 = pct(base, 50), pct(base, 95)
    print(f"before the move: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {len(before) / args.before:.1f} requests/s")
    print(f"longest request in flight during the move: {stall:.0f} ms = {stall / p95:.1f}x the p95 before")
    machine.result(
        bench="tenant_move",
        figure=f"{len(failed)} failed of {len(log)}, longest stall {stall:.0f} ms during a {move_end - move_start:.1f} s move",
        baseline=f"p95 before {p95:.0f} ms",
        ratio=round(stall / p95, 2),
        goal="0 failed requests",
        met=not failed and after_node != source,
    )


if __name__ == "__main__":
    machine.run(main)
