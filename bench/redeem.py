#!/usr/bin/env python
"""Gift-pack redemption under contention, against the running server: gunicorn (the production
WSGI server, WORKERS processes) on a loopback port, CLIENTS concurrent HTTP clients.

The run is ROUNDS rounds; each round is two blocks of the same size, one after the other under the
same concurrency: ATTEMPTS / ROUNDS redemption requests spread over that round's CODES / ROUNDS
fresh codes (each code tried ATTEMPTS / CODES times, in shuffled order, so most attempts are refused
as already redeemed, some while the winner still holds the row), and as many GET /api/v1/me/ (the
baseline: token auth and routing, no work). The blocks alternate which goes first, so a drift of
the machine's load weighs on both alike. Each round gives a ratio of p95s (redemption / ``/me/``);
the figure is the median of the rounds' ratios, with their spread, and the p95s over all rounds.

Exactly once: each code succeeds exactly once (counted per code, and its ``Redemption`` rows in
the database), every other attempt is refused as already redeemed, and no 5xx.

    .venv/bin/python bench/redeem.py [--codes 500] [--attempts 2000] [--rounds 5] [--clients 50] [--workers 4]

``--in-process N`` measures the service times instead, in this process (Django's test client through
the whole middleware stack, no server, no queue): the queries of one redemption, one refusal and
one GET /api/v1/me/, and the process CPU time per request of each, in ROUNDS rounds of N requests
(the three kinds in turn; medians of the rounds). Under 50 clients the latency ratio is, to a first
approximation, the ratio of these service times (docs/performance.md, "stop 27").
"""

import argparse
import os
import random
import statistics
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
from catalog.models import Redemption  # noqa: E402
from catalog.services import pack_issue_campaign, pack_save, product_save  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.services import customer_create  # noqa: E402
from tenants.models import Tenant  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--codes", type=int, default=500)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--in-process", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.codes % args.rounds or args.attempts % args.codes or args.attempts // args.rounds < 2:
        parser.error("--codes must be a multiple of --rounds, --attempts a multiple of --codes")
    per_round, codes_per_round = args.attempts // args.rounds, args.codes // args.rounds

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    tenant = Tenant.objects.get(schema_name="datang")
    admin = User.objects.get(mobile="13800001001")
    token = auth_token_issue(user=admin, tenant_id=tenant.pk, second_factor=True).token
    if args.in_process:
        return in_process(token, args.in_process, args.rounds)
    codes = bench_pack(args.codes)

    def redeem_one(code: str) -> tuple[str, int, str, float]:
        status, body, ms = request(
            port, "POST", "/api/v1/gift-packs/redeem/", token, {"code": code, "place": "基准"}
        )
        return code, status, "ok" if status == 200 else str(body.get("code", status)), ms

    def me_one(_: int) -> float:
        status, _body, ms = request(port, "GET", "/api/v1/me/", token)
        if status != 200:
            raise SystemExit(f"GET /api/v1/me/ answered {status}")
        return ms

    results: list[tuple[str, int, str, float]] = []
    rounds: list[tuple[list[float], list[float]]] = []  # per round: (redeem ms, /me/ ms)
    started = time.perf_counter()
    with gunicorn(workers=args.workers, token=token) as port, ThreadPoolExecutor(args.clients) as pool:
        for r in range(args.rounds):
            mine = codes[r * codes_per_round : (r + 1) * codes_per_round]
            attempts = [mine[i % len(mine)] for i in range(per_round)]
            random.Random(7 + r).shuffle(attempts)
            done: list[tuple[str, int, str, float]] = []
            me: list[float] = []
            for block in ("redeem", "me") if r % 2 == 0 else ("me", "redeem"):
                if block == "redeem":
                    done = list(pool.map(redeem_one, attempts))
                else:
                    me = list(pool.map(me_one, range(per_round)))
            results += done
            rounds.append(([ms for *_, ms in done], me))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    wall = time.perf_counter() - started

    wins = Counter(code for code, _, outcome, _ in results if outcome == "ok")
    outcomes = Counter(outcome for _, _, outcome, _ in results)
    server_errors = sum(1 for _, status, _, _ in results if status >= 500)
    with schema_context("datang"):
        recorded = Redemption.objects.filter(issued__code__in=codes).count()
    once = (
        set(wins) == set(codes)
        and set(wins.values()) == {1}
        and recorded == args.codes
        and outcomes["already_redeemed"] == args.attempts - args.codes
        and not server_errors
    )
    ratios = [pct(red, 95) / pct(me, 95) for red, me in rounds]
    median = statistics.median(ratios)
    every_red = [ms for red, _ in rounds for ms in red]
    every_me = [ms for _, me in rounds for ms in me]

    print(f"{args.attempts} redemption attempts over {args.codes} codes ({args.attempts // args.codes} each), "
          f"{args.clients} concurrent clients, gunicorn with {args.workers} workers; {args.rounds} rounds of "
          f"{per_round} redemptions and {per_round} GET /api/v1/me/, alternately first; {wall:.1f} s")  # fmt: skip
    print(f"  exactly once: {len(wins)} codes redeemed (must be {args.codes}), most wins of one code "
          f"{max(wins.values(), default=0)} (must be 1), Redemption rows {recorded} (must be {args.codes}); "
          "refusals: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()) if k != "ok")
          + f" (must be already_redeemed {args.attempts - args.codes}); 5xx: {server_errors} (must be 0)")  # fmt: skip
    print("  round  redeem p50 / p95 ms   /me/ p50 / p95 ms   ratio of p95")
    for r, ((red, me), ratio) in enumerate(zip(rounds, ratios, strict=True), 1):
        print(f"  {r:>5}  {pct(red, 50):8.1f} / {pct(red, 95):7.1f}   {pct(me, 50):8.1f} / {pct(me, 95):7.1f}"
              f"   {ratio:.2f}x")  # fmt: skip
    print(f"  all rounds: redeem p50 {pct(every_red, 50):.1f} ms p95 {pct(every_red, 95):.1f} ms; /me/ p50 "
          f"{pct(every_me, 50):.1f} ms p95 {pct(every_me, 95):.1f} ms ({len(every_red)} samples each)")  # fmt: skip
    print(f"  ratio of p95, median of {args.rounds} rounds: {median:.2f}x (spread {min(ratios):.2f}x to "
          f"{max(ratios):.2f}x; p95 over all rounds {pct(every_red, 95) / pct(every_me, 95):.2f}x)")  # fmt: skip
    machine.result(
        bench="redeem",
        figure=f"redeem p95 {pct(every_red, 95):.0f} ms, {args.clients} clients",
        baseline=f"/me/ p95 {pct(every_me, 95):.0f} ms",
        ratio=round(median, 3),
        goal="p95 < 3x (median of rounds), exactly once",
        met=median < 3 and once,
    )
    if not once:
        raise SystemExit(1)


def bench_pack(count: int) -> list[str]:
    """``count`` fresh codes of a one-item whole pack given to the bench's customer."""
    with schema_context("datang"):
        oil = product_save(actor=None, name="基准机油", kind="goods", market_price=Decimal("210"),
                           actual_price=Decimal("100"), stock=1000)  # fmt: skip
        pack = pack_save(actor=None, name=f"基准礼包{time.time_ns()}", redeem_mode="whole",
                         expires_on=timezone.localdate() + timedelta(days=1), items=[{"product": oil.pk, "quantity": 1}])  # fmt: skip
        customer = Customer.objects.filter(mobile="13700099999").first() or customer_create(
            actor=None, name="基准客户", mobile="13700099999"
        )
        return [i.code for i in pack_issue_campaign(actor=None, pack=pack, customers=[customer] * count)]


def in_process(token: str, per_round: int, rounds: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    codes = bench_pack(per_round * rounds + 1)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    client = Client(HTTP_HOST="datang.localhost", HTTP_AUTHORIZATION=f"Bearer {token}")

    def redeem(code: str) -> int:
        body = {"code": code, "place": "基准"}
        return int(
            client.post("/api/v1/gift-packs/redeem/", body, content_type="application/json").status_code
        )

    def me(_: str) -> int:
        return int(client.get("/api/v1/me/").status_code)

    kinds = {"GET /api/v1/me/": (me, 200), "redemption": (redeem, 200), "refusal": (redeem, 409)}
    me(""), me("")  # the host's tenant, looked up once per process
    for name, (call, status) in kinds.items():
        with CaptureQueriesContext(connection) as queries:
            if call(codes[0]) != status:
                raise SystemExit(f"{name}: not {status}")
        sql = [q["sql"] for q in queries.captured_queries]
        print(f"{name}: {len(sql)} queries, of which {sum(q.startswith('SET search_path') for q in sql)} "
              f"SET search_path: " + "; ".join(q.split(" FROM ")[0][:40] for q in sql))  # fmt: skip
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    for r in range(rounds):
        mine = codes[1 + r * per_round : 1 + (r + 1) * per_round]
        for name, (call, status) in kinds.items():
            started = time.process_time()
            if any(call(code) != status for code in mine):
                raise SystemExit(f"{name}: not {status}")
            cpu[name].append((time.process_time() - started) * 1000 / per_round)
    base = statistics.median(cpu["GET /api/v1/me/"])
    for name, times in cpu.items():
        print(f"{name}: {statistics.median(times):.2f} ms CPU a request (median of {rounds} rounds of {per_round}; "
              f"{min(times):.2f} to {max(times):.2f}), {statistics.median(times) / base:.2f}x /me/'s")  # fmt: skip


if __name__ == "__main__":
    machine.run(main)
