#!/usr/bin/env python
"""What one service-order step costs in-process: the Django test client through the whole
middleware stack (no server, no queue), process CPU time and queries per request, medians over
ORDERS orders, beside GET /api/v1/me/ timed the same way. Firmer than bench/aftersales.py on a
shared machine: CPU time is the process's own, whatever the load. The broker is real (the events
are published as in production: EVENTS_CONSUME_INLINE off), no worker runs.

    .venv/bin/python bench/aftersales_cpu.py [--orders 12] [--profile STEP]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("EVENTS_CONSUME_INLINE", "false")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.aftersales import STEPS, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=12)
    parser.add_argument("--profile", default="", help="a step (or 'me') to profile with cProfile")
    parser.add_argument("--sql", default="", help="a step (or 'me') whose last queries to print")
    parser.add_argument("--setup", action="store_true", help="migrate and seed first")
    args = parser.parse_args()
    if args.setup:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=open(os.devnull, "w"))
    owners, shop_token, shop, oil, flt = setup(2)
    (token, vehicle) = owners[0]
    owner = Client(HTTP_HOST="datang.localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    staff = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {shop_token}")
    cpu: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    db_cpu: dict[str, list[float]] = defaultdict(list)
    profiler = cProfile.Profile(time.process_time)
    last_sql: list[str] = []

    def backend_ns() -> tuple[int, int]:
        """(the database backend's pid, its CPU time in ns so far: /proc/PID/schedstat, same machine)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except OSError:  # a server on another machine: its CPU is not ours to read
            return pid, -1

    def call(step: str, client: Client, method: str, path: str, body: dict | None = None) -> dict:
        pid, db_before = backend_ns()
        with CaptureQueriesContext(connection) as captured:
            if step == args.profile:
                profiler.enable()
            began = time.process_time()
            if method == "GET":
                answer = client.get(path)
            else:
                answer = client.post(path, body or {}, content_type="application/json")
            cpu[step].append((time.process_time() - began) * 1000)
            if step == args.profile:
                profiler.disable()
        queries[step].append(len(captured.captured_queries))
        after_pid, db_after = backend_ns()
        if after_pid == pid and db_before >= 0:  # the same connection throughout
            db_cpu[step].append((db_after - db_before) / 1e6)
        if step == args.sql:
            last_sql[:] = [q["sql"] for q in captured.captured_queries]
        assert answer.status_code < 300, (step, answer.content[:300])
        return answer.json()

    for n in range(args.orders + 2):
        order = call("request", owner, "POST", "/api/v1/service-orders/",
                     {"shop": shop.pk, "vehicle": vehicle, "service": "保养", "description": "基准保养"})  # fmt: skip
        shop_url, owner_url = (
            f"/api/v1/shop/service-orders/{order['id']}",
            f"/api/v1/service-orders/{order['id']}",
        )
        call("accept", staff, "POST", f"{shop_url}/accept/")
        items = [{"kind": "part", "part": oil.pk, "quantity": "4"}, {"kind": "part", "part": flt.pk, "quantity": "1"},
                 {"kind": "labour", "name": "保养工时", "quantity": "1", "unit_price": "80", "unit_cost": "30"}]  # fmt: skip
        quoted = call("estimate", staff, "POST", f"{shop_url}/estimate/", {"items": items})
        decisions = [{"item": i["id"], "decision": "approved"} for i in quoted["items"]]
        call("approve", owner, "POST", f"{owner_url}/approve/", {"items": decisions})
        for step in ("start", "complete", "settle"):
            call(
                step,
                staff,
                "POST",
                f"{shop_url}/{step}/",
                {"payment_method": "wechat"} if step == "settle" else {},
            )
        call("review", owner, "POST", f"{owner_url}/review/", {"technical": 5, "service": 5})
        for _ in range(3):
            call("me", owner, "GET", "/api/v1/me/")
        if n == 1:  # the first two orders warm the caches and the connection
            cpu.clear()
            queries.clear()
            db_cpu.clear()
            profiler = cProfile.Profile(time.process_time)

    def db(step: str) -> float:
        return statistics.median(db_cpu[step]) if db_cpu[step] else float("nan")

    me, me_db = statistics.median(cpu["me"]), db("me")
    print(
        f"in-process, {args.orders} orders, medians: GET /me/ {me:.1f} ms CPU + {me_db:.1f} ms database CPU, "
        f"{statistics.median(queries['me']):.0f} queries"
    )
    for step in STEPS:
        ms, step_db = statistics.median(cpu[step]), db(step)
        print(
            f"  {step:9s} {ms:6.1f} ms CPU ({ms / me:.2f}x /me/) + database {step_db:5.1f} ms "
            f"(both {(ms + step_db) / (me + me_db):.2f}x)  queries {statistics.median(queries[step]):.0f}"
        )
    for sql in last_sql:
        print("   ", sql[:400])
    if args.profile:
        profiler.dump_stats(f"/tmp/aftersales-{args.profile}.prof")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
