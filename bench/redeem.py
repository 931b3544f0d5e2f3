#!/usr/bin/env python
"""Gift-pack redemption under contention, against the running server: gunicorn (the production
WSGI server, WORKERS processes) on a loopback port, CLIENTS concurrent HTTP clients sending
ATTEMPTS redemption requests spread over CODES codes (each code tried ATTEMPTS / CODES times, in
shuffled order). Reports successes (must equal CODES), refusals by code, 5xx (must be none) and
the latency percentiles, next to GET /api/v1/me/ on the same server in the same run.

    .venv/bin/python bench/redeem.py [--codes 50] [--attempts 200] [--clients 50] [--workers 4]
"""

import argparse
import os
import random
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
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
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import auth_token_issue  # noqa: E402
from bench.server import gunicorn, pct, request  # noqa: E402
from catalog.services import pack_issue, pack_save, product_save  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.services import customer_create  # noqa: E402
from tenants.models import Tenant  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--codes", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    tenant = Tenant.objects.get(schema_name="datang")
    admin = User.objects.get(mobile="13800001001")
    token = auth_token_issue(user=admin, tenant_id=tenant.pk, second_factor=True).token
    with schema_context("datang"):
        oil = product_save(actor=None, name="基准机油", kind="goods", market_price=Decimal("210"),
                           actual_price=Decimal("100"), stock=1000)  # fmt: skip
        pack = pack_save(actor=None, name=f"基准礼包{int(time.time())}", redeem_mode="whole",
                         expires_on=timezone.localdate() + timedelta(days=1), items=[{"product": oil.pk, "quantity": 1}])  # fmt: skip
        customer = Customer.objects.filter(mobile="13700099999").first() or customer_create(
            actor=None, name="基准客户", mobile="13700099999"
        )
        codes = [pack_issue(actor=None, pack=pack, customer=customer).code for _ in range(args.codes)]

    with gunicorn(workers=args.workers, token=token) as port:
        attempts = [codes[i % len(codes)] for i in range(args.attempts)]
        random.Random(7).shuffle(attempts)

        def redeem_one(code: str) -> tuple[int, str, float]:
            status, body, ms = request(
                port, "POST", "/api/v1/gift-packs/redeem/", token, {"code": code, "place": "基准"}
            )
            return status, body.get("code", "ok") if status != 200 else "ok", ms

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            results = list(pool.map(redeem_one, attempts))
        wall = time.perf_counter() - started
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            me = list(pool.map(lambda _: request(port, "GET", "/api/v1/me/", token)[2], range(args.attempts)))

    outcomes = Counter(code for _, code, _ in results)
    server_errors = sum(1 for status, _, _ in results if status >= 500)
    latencies = [ms for _, _, ms in results]
    print(f"{args.attempts} redemption attempts over {args.codes} codes, {args.clients} concurrent clients, "
          f"gunicorn with {args.workers} workers, in {wall:.2f}s")  # fmt: skip
    print(f"  successes: {outcomes['ok']} (must be {args.codes})   refusals: "
          + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()) if k != "ok")
          + f"   5xx: {server_errors} (must be 0)")  # fmt: skip
    print(f"  redeem: p50 {pct(latencies, 50):.1f} ms  p95 {pct(latencies, 95):.1f} ms")
    print(f"  GET /api/v1/me/ under the same concurrency: p50 {pct(me, 50):.1f} ms  p95 {pct(me, 95):.1f} ms  "
          f"(ratio p95 {pct(latencies, 95) / pct(me, 95):.2f}x)")  # fmt: skip
    ratio = pct(latencies, 95) / pct(me, 95)
    machine.result(
        bench="redeem",
        figure=f"redeem p95 {pct(latencies, 95):.0f} ms, {args.clients} clients",
        baseline=f"/me/ p95 {pct(me, 95):.0f} ms",
        ratio=round(ratio, 3),
        goal="p95 < 3x, exactly once",
        met=ratio < 3 and outcomes["ok"] == args.codes and not server_errors,
    )
    if outcomes["ok"] != args.codes or server_errors:
        raise SystemExit(1)


if __name__ == "__main__":
    machine.run(main)
