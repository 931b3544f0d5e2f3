#!/usr/bin/env python
"""Service orders through the whole flow, against the running server: gunicorn (WORKERS processes)
on a loopback port and CLIENTS concurrent clients, each an owner of Datang with a car, driving
ORDERS orders each: request (owner, Datang's host) → accept → estimate (two parts and labour) →
approve (owner) → start (parts leave the shop's stock) → complete → settle (shop staff, the
platform host) → review (owner). Reports the throughput (orders and requests per second), p50/p95
per step and GET /api/v1/me/ under the same concurrency in the same run, and checks the shop's
stock fell by exactly what the orders used (no lost update).

ROUNDS rounds: in each, the clients drive their orders, then make as many GET /me/ as there were
step calls (a p95 of 200 /me/ over one second moved by ±20% from run to run). A step's ratio is
its p95 over the same round's /me/ p95; the verdict is each step's median over the rounds.

Before the clock starts, as production would have them (untimed):
- the tables the steps touch are VACUUM ANALYZEd. Autovacuum is off on the test server and the
  orders pile up from run to run; with no statistics the planner finds an order by its shop's index
  and filters every order of the bench's one shop, a cost that grows with each run.
- every worker has served each step: ``WARM_CLIENTS`` clients drive one order each. ``gunicorn()``
  warms every worker with ``GET /me/`` the same way, and /me/ is measured after the orders, so
  without this only the steps would pay each worker's first use of their code, connections and
  the database backend's caches.

    .venv/bin/python bench/aftersales.py [--clients 50] [--orders 2] [--rounds 5] [--workers 4]
"""

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401
from bench import machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import auth_token_issue, membership_grant, user_create  # noqa: E402
from bench.server import gunicorn, pct, request  # noqa: E402
from catalog.models import PartnerShop  # noqa: E402
from core.validators import uscc_check_char  # noqa: E402
from customers.models import Customer, Vehicle  # noqa: E402
from customers.services import customer_create, vehicle_add  # noqa: E402
from directory.models import Shop  # noqa: E402
from directory.services import shop_create, shop_staff_add  # noqa: E402
from inventory.models import Part  # noqa: E402
from inventory.services import part_save, stock_purchase  # noqa: E402
from tenants.models import Tenant  # noqa: E402

STEPS = ["request", "accept", "estimate", "approve", "start", "complete", "settle", "review"]
STOCK = Decimal("100000")
WARM_CLIENTS = 16  # 4 orders per worker of the default 4, all at once


@dataclass
class Round:
    """One round: every client drives its orders through the steps, then as many GET /me/ as
    there were step calls, under the same concurrency."""

    steps: dict[str, list[float]]
    me: list[float]
    wall: float
    calls: int
    cpu_orders: list[float]
    cpu_me: list[float]


def server_cpu() -> tuple[float, float]:
    """Seconds of CPU the server has used so far: this bench's gunicorn processes and the database
    backends of its database (the requests' own work, whatever else the machine runs). A backend
    that ended takes its seconds with it, so this is a floor."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]

    def seconds(processes: list[psutil.Process]) -> float:
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    return seconds(psutil.Process().children(recursive=True)), seconds([psutil.Process(p) for p in pids])


def vacuum_analyze() -> None:
    """What autovacuum keeps in production (it is off on the test server): the statistics and
    visibility of the tables the steps read and write, in the public schema and Datang's."""
    from django.db import connection

    tables = ["aftersales_serviceorder", "aftersales_serviceitem", "aftersales_progressevent",
              "aftersales_review", "inventory_part", "inventory_stockmove", "accounts_authtoken",
              "accounts_membership", "directory_shopstaff", "datang.core_domainevent",
              "datang.customers_customer", "datang.customers_vehicle"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def setup(clients: int) -> tuple[list[tuple[str, int]], str, Shop, Part, Part]:
    first17 = "91430104MABENCH01"
    uscc = first17 + uscc_check_char(first17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name="基准维修店", uscc=uscc, services=["保养"]
    )
    staff = shop_staff_add(actor=None, shop=shop, mobile="13699990000", name="基准技师")
    oil = Part.objects.filter(shop=shop, code="B-OIL").first() or part_save(
        actor=None, shop=shop, code="B-OIL", name="基准机油", unit_cost="45", sale_price="68"
    )
    flt = Part.objects.filter(shop=shop, code="B-FLT").first() or part_save(
        actor=None, shop=shop, code="B-FLT", name="基准机滤", unit_cost="18", sale_price="35"
    )
    for part in (oil, flt):
        stock_purchase(actor=None, part=part, quantity=STOCK, unit_cost=part.unit_cost)
    tenant = Tenant.objects.get(schema_name="datang")
    owners = []
    with schema_context("datang"):
        PartnerShop.objects.get_or_create(shop=shop)
        for n in range(clients):
            mobile = f"1369999{n + 1:04d}"
            user = User.objects.filter(mobile=mobile).first() or user_create(
                mobile=mobile, name=f"基准车主{n}"
            )
            membership_grant(user=user, role=Role.OWNER, tenant_id=tenant.pk)
            customer = Customer.objects.filter(mobile=mobile).first() or customer_create(
                actor=None, name=f"基准车主{n}", mobile=mobile, user=user
            )
            vehicle = Vehicle.objects.filter(customer=customer).first() or vehicle_add(
                actor=None, customer=customer, plate=f"湘B{n + 1:05d}"
            )
            owners.append((auth_token_issue(user=user, tenant_id=tenant.pk).token, vehicle.pk))
    shop_token = auth_token_issue(user=staff, tenant_id=None).token
    return owners, shop_token, shop, oil, flt


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--orders", type=int, default=2, help="orders each client drives, per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of orders, each followed by /me/")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    owners, shop_token, shop, oil, flt = setup(args.clients)
    vacuum_analyze()
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    done: list[int] = []

    def drive(owner: tuple[str, int], port: int, orders: int = args.orders) -> None:
        token, vehicle = owner

        def call(step: str, method: str, path: str, body: dict | None, who: str) -> dict:
            host = "datang.localhost" if who == "owner" else "localhost"
            status, data, ms = request(
                port, method, path, token if who == "owner" else shop_token, body, host=host
            )
            timings[step].append(ms)
            if status >= 300:
                failures.append(f"{step}: {status} {data.get('code')} {data.get('message')}")
                raise RuntimeError(step)
            return data

        for _ in range(orders):
            try:
                order = call("request", "POST", "/api/v1/service-orders/",
                             {"shop": shop.pk, "vehicle": vehicle, "service": "保养", "description": "基准保养"}, "owner")  # fmt: skip
                shop_url, owner_url = (
                    f"/api/v1/shop/service-orders/{order['id']}",
                    f"/api/v1/service-orders/{order['id']}",
                )
                call("accept", "POST", f"{shop_url}/accept/", {}, "shop")
                items = [{"kind": "part", "part": oil.pk, "quantity": "4"}, {"kind": "part", "part": flt.pk, "quantity": "1"},
                         {"kind": "labour", "name": "保养工时", "quantity": "1", "unit_price": "80", "unit_cost": "30"}]  # fmt: skip
                quoted = call("estimate", "POST", f"{shop_url}/estimate/", {"items": items}, "shop")
                decisions = [{"item": i["id"], "decision": "approved"} for i in quoted["items"]]
                call("approve", "POST", f"{owner_url}/approve/", {"items": decisions}, "owner")
                for step in ("start", "complete", "settle"):
                    call(
                        step,
                        "POST",
                        f"{shop_url}/{step}/",
                        {"payment_method": "wechat"} if step == "settle" else {},
                        "shop",
                    )
                call("review", "POST", f"{owner_url}/review/", {"technical": 5, "service": 5}, "owner")
                done.append(order["id"])
            except RuntimeError:
                continue

    with gunicorn(workers=args.workers, token=owners[0][0]) as port:
        warm = owners[:WARM_CLIENTS]
        with ThreadPoolExecutor(max_workers=len(warm)) as pool:
            list(pool.map(lambda o: drive(o, port, orders=1), warm))
        if failures:
            raise SystemExit(f"warming up failed: {failures[:3]}")
        timings.clear()
        done.clear()
        oil_before, flt_before = Part.objects.get(pk=oil.pk).stock, Part.objects.get(pk=flt.pk).stock
        rounds: list[Round] = []
        for _ in range(args.rounds):
            cpu_started = server_cpu()
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                list(pool.map(lambda o: drive(o, port), owners))
            wall = time.perf_counter() - started
            cpu_orders = [b - a for a, b in zip(cpu_started, server_cpu(), strict=True)]
            steps = {step: list(values) for step, values in timings.items()}
            timings.clear()
            calls = sum(len(v) for v in steps.values())
            cpu_started = server_cpu()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:  # as many /me/ as step calls
                me = list(
                    pool.map(
                        lambda i: request(port, "GET", "/api/v1/me/", owners[i % len(owners)][0])[2],
                        range(calls),
                    )
                )
            cpu_me = [b - a for a, b in zip(cpu_started, server_cpu(), strict=True)]
            rounds.append(Round(steps, me, wall, calls, cpu_orders, cpu_me))
    orders = len(done)
    wall = sum(r.wall for r in rounds)
    calls = sum(r.calls for r in rounds)
    used_oil = oil_before - Part.objects.get(pk=oil.pk).stock
    used_flt = flt_before - Part.objects.get(pk=flt.pk).stock
    print(f"{args.clients} concurrent clients × {args.orders} orders through {len(STEPS)} steps, "
          f"{args.rounds} rounds, gunicorn with {args.workers} workers, orders in {wall:.2f}s")  # fmt: skip
    print(
        f"  orders completed: {orders} / {args.rounds * args.clients * args.orders}   "
        f"failures: {len(failures)} (must be 0)"
    )
    print(f"  throughput: {orders / wall:.1f} orders/s, {calls / wall:.1f} requests/s")
    for failure in failures[:5]:
        print("  failure:", failure)
    reached = [s for s in STEPS if all(len(r.steps.get(s, [])) >= 2 for r in rounds)]
    ratios = {s: [pct(r.steps[s], 95) / pct(r.me, 95) for r in rounds] for s in reached}
    for step in STEPS:
        if step not in reached:
            print(f"  {step:9s} (not reached)")
            continue
        pooled = [ms for r in rounds for ms in r.steps[step]]
        each = ", ".join(f"{x:.2f}" for x in ratios[step])
        print(f"  {step:9s} p50 {pct(pooled, 50):7.1f} ms  p95 {pct(pooled, 95):7.1f} ms  "
              f"(p95 {statistics.median(ratios[step]):.2f}x GET /me/, median of the rounds' {each})")  # fmt: skip
    me_pooled = [ms for r in rounds for ms in r.me]
    print(f"  GET /api/v1/me/ under the same concurrency, after each round's orders: p50 {pct(me_pooled, 50):.1f} ms"
          f"  p95 {pct(me_pooled, 95):.1f} ms (rounds' p95 {', '.join(f'{pct(r.me, 95):.0f}' for r in rounds)})")  # fmt: skip
    (step_web, step_db), (me_web, me_db) = (
        [sum(r_cpu[i] for r_cpu in cpu) * 1000 / max(n, 1) for i in range(2)]
        for cpu, n in (([r.cpu_orders for r in rounds], calls), ([r.cpu_me for r in rounds], calls))
    )  # fmt: skip
    print(f"  server CPU per request (gunicorn + its database backends; load-independent, a floor): "
          f"steps {step_web:.1f} + {step_db:.1f} ms, /me/ {me_web:.1f} + {me_db:.1f} ms "
          f"({(step_web + step_db) / (me_web + me_db):.2f}x)")  # fmt: skip
    print(f"  stock used: oil {used_oil} (must be {4 * orders}), filter {used_flt} (must be {orders})")
    if reached:
        worst = max(reached, key=lambda s: statistics.median(ratios[s]))
        ratio = statistics.median(ratios[worst])
        pooled = [ms for r in rounds for ms in r.steps[worst]]
        machine.result(
            bench="aftersales",
            figure=f"slowest step ({worst}) p95 {pct(pooled, 95):.0f} ms, {args.clients} clients",
            baseline=f"/me/ p95 {pct(me_pooled, 95):.0f} ms",
            ratio=round(ratio, 3),
            goal="every step p95 < 3x (median of rounds)",
            met=ratio < 3 and not failures,
        )
    if failures or used_oil != 4 * orders or used_flt != orders:
        raise SystemExit(1)


if __name__ == "__main__":
    machine.run(main)
