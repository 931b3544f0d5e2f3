#!/usr/bin/env python
"""The daily reminder scan at scale: one tenant with 1,000,000 vehicles (800,000 customers) in its
own schema. Times, in rotation, in one run, each in a transaction rolled back afterwards:

* **scan**: the scan's SQL as production runs it (``_run``: one INSERT of every rule's SELECT,
  sorted by the reminders' key, ON CONFLICT DO NOTHING), timed as a whole;
* **hand-written** (the baseline): for each rule, the plainest INSERT … SELECT a person would write
  by hand to create the same day's reminders (same rows, same table): the rows found by an equality
  on the indexed date (``ctpl_expires_on = today + 60``), no catch-up window, no lateral lines, no
  ON CONFLICT (``hand_written`` asserts it writes exactly the rows the scan writes);
* **find**: ``SELECT count(*)`` over the scan's SELECTs in one process, for the record only: the
  cost of finding the rows, nothing written (a count may read an index alone, where the insert must
  read the table for every column it writes).

Both writers are followed by ``SET CONSTRAINTS ALL IMMEDIATE``, so any deferred constraint check
that production pays at commit runs and is counted (only the commit's WAL flush is not; since
``customers/0009`` the reminders have no foreign-key constraint, so there is none left to run). Target
(issue 20): the scan under 3× the hand-written statements and under 2 s. Until this baseline, the
ratio was to the bare count, which once compared the scan with sequential scans of every car and,
once every rule found its rows through an index, compared writing 20,000 rows with counting them.
``reminders_scan_daily`` (the whole job, inspection roll included) is timed once, rolled back.

The data is what the services would have written as of the day before TODAY, and the reminders table
holds what the daily scans of the HISTORY_DAYS before it created (so the scan inserts into a table of
realistic size, none of whose keys clash with today's).

    .venv/bin/python bench/reminders.py [--customers 800000] [--vehicles 1000000] [--repeat 5]
        [--explain]

``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS, WAL)`` of the scan's statement and of each rule's
hand-written INSERT and count, with constraints immediate (so any check shows as a trigger line).
"""

import argparse
import math
import os
import random
import re
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401
from bench import machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from core.validators import PROVINCE_ABBREVIATIONS, plate_kind  # noqa: E402
from customers.models import Customer, FollowUp, Reminder, ReminderScan, Vehicle  # noqa: E402
from customers.reminders import (  # noqa: E402
    COLUMNS,
    RuleQuery,
    _run,
    insert_statement,
    reminders_scan_daily,
    rule_queries,
)
from customers.rules import (  # noqa: E402
    BIRTHDAY_LEAD,
    INSPECTION_LEAD,
    LICENCE_LEADS,
    MAINTENANCE_LEAD,
    RENEWAL_LEADS,
    add_months,
    birthdays_between,
    next_inspection_on,
    next_maintenance_on,
)
from tenants.models import Tenant  # noqa: E402
from tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_reminders"
TODAY = date(2026, 6, 15)  # fixed, so a reused schema always meets the same day
HISTORY_DAYS = 90  # daily scans already run before TODAY (the catch-up window)
SEED = 20260615
C, V, F, R = (m._meta.db_table for m in (Customer, Vehicle, FollowUp, Reminder))

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are never issued
PLATE_CHARS = "0123456789" + LETTERS
PROVINCES = PROVINCE_ABBREVIATIONS
NE_SPACE = len(PROVINCES) * len(LETTERS) * 2 * len(PLATE_CHARS) * 10**4  # distinct new-energy plates
# 使用性质 and seats, with their shares of a brokerage's book.
USES = [
    (("family", 5), 80),
    (("family", 7), 5),
    (("enterprise", 5), 4),
    (("government", 5), 1),
    (("taxi_rental", 5), 3),
    (("truck", 3), 4),
    (("truck_operating", 3), 2),
    (("motorcycle", 2), 1),
]
BRANDS = [
    "比亚迪 秦PLUS",
    "丰田 卡罗拉",
    "大众 朗逸",
    "本田 雅阁",
    "吉利 帝豪",
    "长安 CS75",
    "特斯拉 Model 3",
]
CHANNELS = ["phone", "wechat", "visit", "sms", "other"]


def plate(code: int, new_energy: bool) -> str:
    """A valid plate, one per code below NE_SPACE (fuel: 7 characters, new energy: 8)."""
    province, code = PROVINCES[code % len(PROVINCES)], code // len(PROVINCES)
    letter, code = LETTERS[code % len(LETTERS)], code // len(LETTERS)
    if new_energy:
        kind, code = "DF"[code % 2], code // 2
        char, code = PLATE_CHARS[code % len(PLATE_CHARS)], code // len(PLATE_CHARS)
        return f"{province}{letter}{kind}{char}{code:04d}"
    chars = []
    for _ in range(5):
        chars.append(PLATE_CHARS[code % len(PLATE_CHARS)])
        code //= len(PLATE_CHARS)
    return f"{province}{letter}{''.join(chars)}"


def build(customers: int, vehicles: int) -> None:
    """Customers, vehicles and follow-ups written with COPY, with the derived dates the services
    compute (next maintenance, next inspection, birth MMDD); then the reminders the daily scans of
    the previous HISTORY_DAYS created, and the scan record of yesterday."""
    rng = random.Random(SEED)
    now = timezone.now()
    yesterday = TODAY - timedelta(days=1)
    day = timedelta(days=1)
    with connection.cursor() as cursor:
        pg = cursor.cursor  # the psycopg cursor, for COPY
        mobiles = rng.sample(range(7 * 10**9), customers)
        with pg.copy(
            f"COPY {C} (id, name, mobile, id_number_cipher, id_number_digest, id_number_masked, birth_date,"
            " birth_mmdd, licence_expires_on, registered_on, owner_reminders_opt_in, note, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            for i in range(customers):
                n = mobiles[i]
                born = date(1950, 1, 1) + day * rng.randrange(57 * 365) if rng.random() < 0.92 else None
                licence = TODAY + day * rng.randrange(-365, 9 * 365) if rng.random() < 0.85 else None
                copy.write_row(
                    (
                        i + 1,
                        f"客户{i}",
                        f"1{3 + n // 10**9}{n % 10**9:09d}",
                        "",
                        "",
                        "",
                        born,
                        born.month * 100 + born.day if born else None,
                        licence,
                        TODAY - day * rng.randrange(1, 5 * 365),
                        rng.random() < 0.7,
                        "",
                        now,
                        now,
                    )
                )
        del mobiles

        codes = rng.sample(range(NE_SPACE), vehicles)
        uses = rng.choices([u for u, _ in USES], weights=[w for _, w in USES], k=vehicles)
        inspection: dict[tuple[date, str, int], date | None] = {}
        maintenance: dict[tuple[date, int], date] = {}
        with pg.copy(
            f"COPY {V} (id, customer_id, plate, vin, engine_no, brand_model, seats, energy, use,"
            " first_registered_on, mileage_km, ctpl_expires_on, commercial_expires_on, maintenance_every_km,"
            " maintenance_every_months, last_maintained_on, next_maintenance_on, next_inspection_on,"
            " created_at, updated_at) FROM STDIN"
        ) as copy:
            for j in range(vehicles):
                use, seats = uses[j]
                new_energy = use == "family" and rng.random() < 0.15
                registered = TODAY - day * rng.randrange(1, 20 * 365) if rng.random() < 0.97 else None
                # Policies: one expiry date for both in most cars, over the next 365 days.
                r = rng.random()
                ctpl = TODAY + day * rng.randrange(365) if r < 0.95 else None
                if ctpl is None or r < 0.10:
                    commercial = None  # no commercial policy (10%), or none of either (5%)
                elif r < 0.25:
                    commercial = TODAY + day * rng.randrange(365)  # bought at another time
                else:
                    commercial = ctpl
                every_months = 6 if rng.random() < 0.8 else 12
                # The last service over [-(interval + 200 days), 0]: the next one over ±200 days.
                last = TODAY - day * rng.randrange(every_months * 30 + 200) if rng.random() < 0.85 else None
                if last is not None and registered is not None and last < registered:
                    last = None
                basis = last or registered
                if basis is None:
                    next_service = None
                else:
                    key = (basis, every_months)
                    if key not in maintenance:
                        maintenance[key] = add_months(basis, every_months)
                    next_service = maintenance[key]
                    if j % 1000 == 0:  # spot-check the shortcut against the rule
                        assert next_service == next_maintenance_on(
                            last_maintained_on=last, first_registered_on=registered, every_months=every_months
                        )
                if registered is None:
                    next_inspection = None
                else:
                    ikey = (registered, use, seats)
                    if ikey not in inspection:  # as yesterday's roll left it: on or after yesterday
                        inspection[ikey] = next_inspection_on(
                            first_registered_on=registered, use=use, seats=seats, on_or_after=yesterday
                        )
                    next_inspection = inspection[ikey]
                copy.write_row(
                    (
                        j + 1,
                        j + 1 if j < customers else rng.randrange(1, customers + 1),
                        plate(codes[j], new_energy),
                        "",
                        "",
                        rng.choice(BRANDS),
                        seats,
                        "new_energy" if new_energy else "fuel",
                        use,
                        registered,
                        rng.randrange(200_000),
                        ctpl,
                        commercial,
                        5000 if every_months == 6 else 10000,
                        every_months,
                        last,
                        next_service,
                        next_inspection,
                        now,
                        now,
                    )
                )
        del codes, uses

        follow_ups = customers // 4
        with pg.copy(
            f"COPY {F} (id, customer_id, channel, content, next_contact_on, author_name, created_at) FROM STDIN"
        ) as copy:
            for k in range(follow_ups):
                copy.write_row(
                    (
                        k + 1,
                        rng.randrange(1, customers + 1),
                        rng.choice(CHANNELS),
                        "回访：续保意向",
                        TODAY + day * rng.randrange(-30, 60) if rng.random() < 0.4 else None,
                        "坐席",
                        now - day * rng.randrange(365),
                    )
                )
        for table, last_id in ((C, customers), (V, vehicles), (F, follow_ups)):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last_id])
        for table in (C, V, F):
            cursor.execute(f"ANALYZE {table}")

    # What the daily scans of the days before created (each day its own scan, as the beat runs it).
    created = 0
    for back in range(HISTORY_DAYS, 0, -1):
        past = TODAY - timedelta(days=back)
        created += sum(_run(rule_queries(today=past, since=past)).values())
    ReminderScan.objects.create(scanned_through=yesterday, created=created, finished_at=now)


def check_plates(vehicles: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT plate FROM {V} ORDER BY id LIMIT %s", [min(vehicles, 100_000)])
        bad = [p for (p,) in cursor.fetchall() if plate_kind(p) is None]
    assert not bad, f"invalid plates: {bad[:5]}"


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def vacuum_reminders() -> None:
    """Rolled-back inserts leave dead rows and index entries under the same keys; clear them, so
    each repeat inserts into the table as the day's scan finds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {R}")


def scan_once(queries: list[RuleQuery]) -> tuple[dict[str, float], dict[str, int]]:
    """The daily scan's statement, run by ``_run`` as production runs it (one INSERT for every rule:
    timed as a whole, under "total"), then any deferred constraint check (which production runs at
    commit: a rollback would skip it); rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        rows = _run(queries)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        times = {"total": ms_since(start)}
        transaction.set_rollback(True)
    vacuum_reminders()
    return times, rows


def hand_written(today: date) -> list[RuleQuery]:
    """The baseline: the INSERT … SELECT a person would write by hand to create today's reminders of
    each rule (the scan's day with since = today), finding the rows by equality on the indexed dates.
    Same columns, same rows, same table and foreign keys; ``select`` is the whole statement."""
    now = timezone.now()
    day = timedelta(days=1)
    renewal = [(today + day * lead, lead) for lead in RENEWAL_LEADS]
    licence = [(today + day * lead, lead) for lead in LICENCE_LEADS]
    birthdays = birthdays_between(today + day * BIRTHDAY_LEAD, today + day * BIRTHDAY_LEAD)
    insert = f"INSERT INTO {R} ({COLUMNS})"
    return [
        RuleQuery(
            "renewal",  # one reminder per car and expiry date, whichever policy expires on it
            f"""{insert} SELECT 'renewal', v.customer_id, v.id, d.due, d.due - d.lead, d.lead, 'open', %(now)s
                FROM unnest(%(dues)s::date[], %(leads)s::int[]) AS d(due, lead)
                JOIN {V} v ON v.ctpl_expires_on = d.due OR v.commercial_expires_on = d.due""",
            {"now": now, "dues": [d for d, _ in renewal], "leads": [lead for _, lead in renewal]},
        ),
        RuleQuery(
            "maintenance",
            f"""{insert} SELECT 'maintenance', customer_id, id, next_maintenance_on, %(today)s, {MAINTENANCE_LEAD},
                       'open', %(now)s
                FROM {V} WHERE next_maintenance_on = %(due)s""",
            {"now": now, "today": today, "due": today + day * MAINTENANCE_LEAD},
        ),
        RuleQuery(
            "inspection",
            f"""{insert} SELECT 'inspection', customer_id, id, next_inspection_on, %(today)s, {INSPECTION_LEAD},
                       'open', %(now)s
                FROM {V} WHERE next_inspection_on = %(due)s""",
            {"now": now, "today": today, "due": today + day * INSPECTION_LEAD},
        ),
        RuleQuery(
            "licence",
            f"""{insert} SELECT 'licence', c.id, NULL, d.due, d.due - d.lead, d.lead, 'open', %(now)s
                FROM unnest(%(dues)s::date[], %(leads)s::int[]) AS d(due, lead)
                JOIN {C} c ON c.licence_expires_on = d.due""",
            {"now": now, "dues": [d for d, _ in licence], "leads": [lead for _, lead in licence]},
        ),
        RuleQuery(
            "birthday",
            f"""{insert} SELECT 'birthday', c.id, NULL, b.day, b.day - {BIRTHDAY_LEAD}, {BIRTHDAY_LEAD}, 'open', %(now)s
                FROM unnest(%(mmdds)s::int[], %(days)s::date[]) AS b(mmdd, day)
                JOIN {C} c ON c.birth_mmdd = b.mmdd""",
            {"now": now, "mmdds": [m for m, _ in birthdays], "days": [d for _, d in birthdays]},
        ),
        RuleQuery(
            "follow_up",  # one per customer and date, however many follow-ups name it
            f"""{insert} SELECT DISTINCT 'follow_up', customer_id, NULL::bigint, next_contact_on, next_contact_on, 0,
                       'open', %(now)s::timestamptz
                FROM {F} WHERE next_contact_on = %(today)s""",
            {"now": now, "today": today},
        ),
    ]


def write_once(statements: list[RuleQuery]) -> tuple[dict[str, float], dict[str, int]]:
    """Run whole INSERT statements (``select`` holds the statement), each followed by its deferred
    foreign-key checks; rolled back."""
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for query in statements:
            start = time.perf_counter()
            cursor.execute(query.select, query.params)
            rows[query.kind] = cursor.rowcount
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            times[query.kind] = ms_since(start)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        transaction.set_rollback(True)
    vacuum_reminders()
    return times, rows


def hand_once(queries: list[RuleQuery]) -> tuple[dict[str, float], dict[str, int]]:
    return write_once(hand_written(TODAY))


def find_once(queries: list[RuleQuery]) -> tuple[dict[str, float], dict[str, int]]:
    """The scan's SELECTs, counted in one process (PostgreSQL never gives an INSERT … SELECT
    parallel workers): the cost of finding the rows, nothing written."""
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for query in queries:
            start = time.perf_counter()
            cursor.execute(f"SELECT count(*) FROM ({query.select}) q", query.params)
            rows[query.kind] = cursor.fetchone()[0]
            times[query.kind] = ms_since(start)
        transaction.set_rollback(True)
    return times, rows


Round = Callable[[list[RuleQuery]], tuple[dict[str, float], dict[str, int]]]


def median_of(kind: str, runs: list[dict[str, float]]) -> float:
    """NaN where a round does not time the rule by itself (the scan writes every rule at once)."""
    values = [t[kind] for t in runs if kind in t]
    return statistics.median(values) if values else math.nan


def median_total(runs: list[dict[str, float]]) -> float:
    return statistics.median(sum(t.values()) for t in runs)


def print_row(
    label: str,
    median: Callable[[list[dict[str, float]]], float],
    samples: list[list[dict[str, float]]],
    selected: int,
    inserted: int,
) -> float:
    """One line of the table (scan, hand-written, find); returns scan/hand-written."""
    scan_ms, hand_ms, find_ms = (median(runs) for runs in samples)
    scan, ratio = ("—", "—") if math.isnan(scan_ms) else (f"{scan_ms:.1f}", f"{scan_ms / hand_ms:.2f}×")
    print(f"{label:>12} {selected:>9,} {inserted:>9,} {scan:>9} {hand_ms:>12.1f} {ratio:>10} {find_ms:>9.1f}")
    return scan_ms / hand_ms


def explain(queries: list[RuleQuery]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS, WAL) of the scan's one statement, then of each rule's hand-written
    insert and count, each in a savepoint rolled back (the hand-written inserts would clash with the
    scan's rows), with constraints immediate so that any check shows as a trigger line."""
    hand = {q.kind: q for q in hand_written(TODAY)}
    scan_sql, scan_params = insert_statement(queries)
    statements = [("all rules", "scan", scan_sql, scan_params)]
    for query in queries:
        statements += [
            (query.kind, "hand-written", hand[query.kind].select, hand[query.kind].params),
            (query.kind, "find", f"SELECT count(*) FROM ({query.select}) q", query.params),
        ]
    with transaction.atomic():
        for kind, label, sql, params in statements:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, WAL) {sql}", params)
                print(f"--- {kind}, {label}")
                print("\n".join(row[0] for row in cursor.fetchall()))
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    vacuum_reminders()


def facts() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem',"
            " 'max_parallel_workers_per_gather', 'jit', 'synchronous_commit') ORDER BY name"
        )
        settings = ", ".join(f"{n}={s}{'×' + u if u else ''}" for n, s, u in cursor.fetchall())
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        counts = {}
        for label, sql in (
            ("customers", f"SELECT count(*) FROM {C}"),
            ("vehicles", f"SELECT count(*) FROM {V}"),
            ("follow-ups", f"SELECT count(*) FROM {F}"),
            (
                "follow-ups with a next contact date",
                f"SELECT count(*) FROM {F} WHERE next_contact_on IS NOT NULL",
            ),
            (f"reminders (from {HISTORY_DAYS} days of scans)", f"SELECT count(*) FROM {R}"),
        ):
            cursor.execute(sql)
            counts[label] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size(%s::regclass)), pg_size_pretty(pg_total_relation_size(%s::regclass))",
            [V, C],
        )
        sizes = cursor.fetchone()
    return {"version": version, "settings": settings, "counts": counts, "sizes": sizes}


def command_line() -> str:
    url = os.environ.get("DATABASE_URL")
    prefix = f"DATABASE_URL={re.sub(r':[^:@/]*@', ':***@', url)} " if url else ""
    redis = os.environ.get("REDIS_URL")
    prefix += f"REDIS_URL={redis} " if redis else ""
    script = os.path.relpath(sys.argv[0])
    return prefix + shlex.join([os.path.relpath(sys.executable), script, *sys.argv[1:]])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=800_000)
    parser.add_argument("--vehicles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of every statement")
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    if not Tenant.objects.filter(schema_name=SCHEMA).exists():
        tenant_provision(actor=None, name="提醒基准", schema_name=SCHEMA, domain="bench-reminders.localhost")
    with schema_context(SCHEMA):
        have = (Customer.objects.count(), Vehicle.objects.count())
        if have != (args.customers, args.vehicles):
            if any(have) or ReminderScan.objects.exists():
                raise SystemExit(
                    f"{SCHEMA} holds {have[0]} customers and {have[1]} vehicles; drop the schema"
                    f" (DROP SCHEMA {SCHEMA} CASCADE and its tenant row) to rebuild with"
                    f" {args.customers} and {args.vehicles}"
                )
            started = time.perf_counter()
            with transaction.atomic():
                build(args.customers, args.vehicles)
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {C}, {V}, {F}, {R}")
            print(
                f"built {args.customers} customers, {args.vehicles} vehicles in"
                f" {time.perf_counter() - started:.1f}s",
                file=sys.stderr,
            )
        check_plates(args.vehicles)

        info = facts()
        print(f"command: {command_line()}")
        print(f"PostgreSQL {info['version']} ({info['settings']}); {os.cpu_count()} CPUs")
        print("  " + ", ".join(f"{label}: {count:,}" for label, count in info["counts"].items()))
        print(f"  vehicles table {info['sizes'][0]}, customers table {info['sizes'][1]} (with indexes)")

        if args.explain:
            explain(rule_queries(today=TODAY, since=TODAY))

        # One untimed round to warm the caches, then rotate which goes first.
        rounds: list[Round] = [scan_once, hand_once, find_once]
        queries = rule_queries(today=TODAY, since=TODAY)
        for fn in rounds:
            fn(queries)
        samples: list[list[dict[str, float]]] = [[] for _ in rounds]
        rows_of: list[dict[str, int]] = [{} for _ in rounds]
        for i in range(args.repeat):
            queries = rule_queries(today=TODAY, since=TODAY)
            for n in [*range(i % 3, 3), *range(i % 3)]:
                times, rows = rounds[n](queries)
                samples[n].append(times)
                assert not rows_of[n] or rows == rows_of[n], "every repeat finds and writes the same rows"
                rows_of[n] = rows
        inserted, hand_inserted, selected = rows_of
        assert hand_inserted == inserted, (
            f"the hand-written statements write other rows: {hand_inserted} {inserted}"
        )

        print(
            f"\ndaily scan of {TODAY} (since={TODAY}): median ms of {args.repeat} runs, rotating; each"
            " writer's deferred checks run (SET CONSTRAINTS ALL IMMEDIATE), then rolled back; the scan is one"
            " statement for all rules, timed as a whole"
        )
        print(
            f"{'rule':>12} {'selected':>9} {'inserted':>9} {'scan':>9} {'hand-written':>12} {'ratio':>10}"
            f" {'find':>9}"
        )
        for kind in [q.kind for q in queries]:
            print_row(kind, partial(median_of, kind), samples, selected[kind], inserted[kind])
        ratio = print_row("total", median_total, samples, sum(selected.values()), sum(inserted.values()))
        scan_total = median_total(samples[0])
        met = ratio < 3 and scan_total < 2_000
        print(
            f"target (scan < 3× the hand-written inserts and < 2 s): {'MET' if met else 'MISSED'}"
            f" — {ratio:.2f}×, {scan_total / 1000:.2f} s"
        )
        machine.result(
            bench="reminders",
            figure=f"scan {scan_total / 1000:.2f} s ({args.vehicles:,} vehicles)",
            baseline=f"hand-written INSERTs {median_total(samples[1]) / 1000:.2f} s",
            ratio=round(ratio, 3),
            goal="< 3x and < 2 s",
            met=met,
        )

        # The whole job once, for the record: the inspection roll and the scan, rolled back.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {V} WHERE next_inspection_on < %s", [TODAY])
            to_roll = cursor.fetchone()[0]
        with transaction.atomic():
            start = time.perf_counter()
            created = reminders_scan_daily(today=TODAY)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would check
            job_ms = ms_since(start)
            transaction.set_rollback(True)
        vacuum_reminders()
        print(
            f"reminders_scan_daily(today={TODAY}), whole job once: {job_ms / 1000:.2f} s"
            f" (inspection roll of {to_roll:,} cars, {sum(created.values()):,} reminders created;"
            " deferred checks run, then rolled back)"
        )


if __name__ == "__main__":
    machine.run(main)
