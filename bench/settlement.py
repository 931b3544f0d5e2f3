#!/usr/bin/env python
"""Commission entries and a month's settlement at scale: one tenant (schema ``bench_settlement``)
with POLICIES issued policies sold at the bottom of chains of 5 levels (a differential plan with a
cumulative rate per tier, 商业险 and 交强险). Times, in one run, rotating which goes first, each in
a transaction rolled back afterwards:

* **engine**: ``commissions.engine.entries_for_policies`` over every policy (one set-based
  statement: upline at sale time, rule per tier, differential step, cap at the tenant's commission,
  period, formula, path), against **raw**: one plain ``INSERT … SELECT`` producing the same number
  of rows from the same tables (policies joined to their upline, amount = premium × a constant);
* **settlement**: ``settlement_run_execute`` for the month (statements per person and who pays whom,
  same-level mode), against **raw**: one ``INSERT … SELECT … GROUP BY`` writing one row per person.

Every table of the schema is VACUUM ANALYZEd after each run (untimed), so no run pays for the dead
rows of the one before. Each timed run ends with ``SET CONSTRAINTS ALL IMMEDIATE`` (timed): the
deferred foreign-key checks production pays at commit, which a rolled-back run would skip. Prints
the medians and the ratios. Targets (issue 20): both under 2×.

    .venv/bin/python bench/settlement.py [--policies 200000] [--repeat 3]    (--policies 1000000 for the big run)
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401
from bench import machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.world import bench_tenant  # noqa: E402
from commissions.engine import entries_for_policies  # noqa: E402
from commissions.models import Period, Plan, SettlementRun  # noqa: E402
from commissions.services import plan_put_in_force, plan_save, settlement_run_execute, settlement_start  # noqa: E402
from network.models import Tier  # noqa: E402
from quotes.models import Policy  # noqa: E402

SCHEMA = "bench_settlement"
LEVELS = 5
PER_SELLER = 100  # policies per seller
MONTH = date(2026, 10, 1)
SOLD_AT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = date(2026, 11, 25)
CUMULATIVE = {
    "commercial": ["0.08", "0.10", "0.15", "0.18", "0.20"],
    "ctpl": ["0.01", "0.015", "0.02", "0.03", "0.04"],
}


def build(policies: int) -> None:
    """Tiers, chains of 5 agents (the seller at the bottom), closure rows since January, then one
    customer, vehicle, quote, option and policy per sale (alternately 商业险 and 交强险), all in SQL."""
    sellers = policies // PER_SELLER
    tiers = [Tier.objects.create(name=f"基准{i}", rank=i + 1).pk for i in range(LEVELS)]  # top first
    sql = f"""
    INSERT INTO public.accounts_user (password, mobile, name, is_active, date_joined)
    SELECT '!', '19' || lpad(g::text, 9, '0'), '基准' || g, true, now()
    FROM generate_series(1, {sellers * LEVELS}) g
    ON CONFLICT (mobile) DO NOTHING;

    INSERT INTO network_distributor (id, user_id, kind, name, mobile, licence_no, tier_id, parent_id, status,
                                     referral_code, joined_at, created_at, updated_at)
    SELECT g, u.id, 'agent', '基准' || g, '19' || lpad(g::text, 9, '0'), 'B' || g,
           (ARRAY{tiers})[mod(g - 1, {LEVELS}) + 1],
           CASE WHEN mod(g - 1, {LEVELS}) = 0 THEN NULL ELSE g - 1 END, 'active', 'B' || g,
           '2026-01-01', now(), now()
    FROM generate_series(1, {sellers * LEVELS}) g JOIN public.accounts_user u ON u.mobile = '19' || lpad(g::text, 9, '0');

    INSERT INTO network_networkpath (ancestor_id, descendant_id, depth, valid_from, valid_to)
    SELECT d.id - k, d.id, k, '2026-01-01', NULL
    FROM network_distributor d CROSS JOIN generate_series(0, {LEVELS - 1}) k
    WHERE k <= mod(d.id - 1, {LEVELS});

    INSERT INTO customers_customer (id, name, mobile, id_number_cipher, id_number_digest, id_number_masked,
        registered_on, owner_reminders_opt_in, note, created_at, updated_at, promoter_id)
    SELECT g, '客户' || g, '17' || lpad(g::text, 9, '0'), '', '', '', '2026-10-01', false, '', now(), now(),
           ((g - 1) / {PER_SELLER}) * {LEVELS} + {LEVELS}
    FROM generate_series(1, {policies}) g;

    INSERT INTO customers_vehicle (id, customer_id, plate, vin, engine_no, brand_model, seats, energy, use, mileage_km,
        maintenance_every_km, maintenance_every_months, created_at, updated_at)
    SELECT g, g, 'B' || g, '', '', '', 5, 'fuel', 'family', 0, 5000, 6, now(), now()
    FROM generate_series(1, {policies}) g;

    INSERT INTO quotes_quote (id, number, customer_id, vehicle_id, promoter_id, plate, status, channel, region,
        vehicle_snapshot, history, coverages, rated_on, valid_until, premium, created_at, updated_at)
    SELECT g, 'QB' || g, g, g, c.promoter_id, 'B' || g, 'issued', 'agent', '广东', '{{}}', '{{}}', '{{}}',
           '2026-10-15', '2026-10-22', 1000, now(), now()
    FROM generate_series(1, {policies}) g JOIN customers_customer c ON c.id = g;

    INSERT INTO quotes_quoteoption (id, quote_id, insurer_id, available, unavailable_reason, cheapest, ctpl_premium,
        vehicle_tax, commercial_premium, total, ctpl_commission_rate, commercial_commission_rate, breakdown)
    SELECT g, g, i.id, true, '', true, 0, 0, 0, 1000, 0.04, 0.25, '{{}}'
    FROM generate_series(1, {policies}) g CROSS JOIN (SELECT id FROM public.directory_insurer WHERE code = 'PICC') i;

    INSERT INTO quotes_policy (quote_id, option_id, insurer_id, customer_id, vehicle_id, promoter_id, line, number,
        premium, vehicle_tax, commission_rate, starts_on, ends_on, status, issued_at, cancel_reason)
    SELECT g, g, o.insurer_id, g, g, c.promoter_id,
           CASE WHEN mod(g, 2) = 0 THEN 'commercial' ELSE 'ctpl' END, 'PB' || g,
           CASE WHEN mod(g, 2) = 0 THEN 800 + mod(g, 1700) ELSE 950 END, 0,
           CASE WHEN mod(g, 2) = 0 THEN 0.25 ELSE 0.04 END, '2026-10-16', '2027-10-15', 'active',
           %s, ''
    FROM generate_series(1, {policies}) g JOIN customers_customer c ON c.id = g JOIN quotes_quoteoption o ON o.id = g;
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [SOLD_AT])
        for table in ("network_distributor", "customers_customer", "customers_vehicle", "quotes_quote",
                      "quotes_quoteoption", "quotes_policy"):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    rules: list[dict[str, Any]] = [
        {"line": line, "tier": tiers[LEVELS - 1 - level], "rate": Decimal(rate)}
        for line, rates in CUMULATIVE.items()
        for level, rate in enumerate(rates)
    ]
    plan = plan_save(
        actor=None, name="基准方案", scheme="differential", settlement_mode="same_level", rules=rules
    )
    plan_put_in_force(actor=None, plan=plan)


CHECKS: dict[str, list[float]] = {}  # seconds of each timed run's foreign-key checks, per name


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    with transaction.atomic():
        started = time.perf_counter()
        rows = fn()
        CHECKS.setdefault(fn.__name__, []).append(constraints_checked())
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    vacuum_analyze()
    return elapsed, rows


def constraints_checked() -> float:
    """Every run is rolled back, and the foreign keys are DEFERRABLE INITIALLY DEFERRED: without this
    their checks (a lookup of the referenced row per key per row written), which production pays at
    commit, would never run. SET CONSTRAINTS ALL IMMEDIATE runs the pending checks now, inside the
    timing; DEFERRED again afterwards for what follows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return time.perf_counter() - started


def vacuum_analyze() -> None:
    """Each run rolls back up to millions of inserted rows: their dead tuples and index entries stay
    until a vacuum (autovacuum may be off, and it runs when it likes), and the next run would pay for
    them. VACUUM ANALYZE every table of the bench schema after each run (untimed), so a figure does
    not depend on what ran before it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [SCHEMA])
        tables = ", ".join(f'"{SCHEMA}"."{name}"' for (name,) in cursor.fetchall())
        cursor.execute(f"VACUUM ANALYZE {tables}")


def raw_entries() -> int:
    """The baseline: as many rows from the same tables, with the plainest arithmetic; its plan and
    rule set like the engine's (one of the plan's rules), so it pays the same foreign-key checks."""
    plan = Plan.objects.get(in_force=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO commissions_entry (period_id, distributor_id, kind, source_type, source_id, source_number,
                   line, insurer_code, seller_id, level, plan_id, rule_id, basis, rate, amount, formula, path,
                   sale_at, reason, created_at)
               SELECT %s, np.ancestor_id, 'commission', 'raw', p.id, p.number, p.line, '', p.promoter_id, np.depth,
                      %s, %s, p.premium, 0.01, round(p.premium * 0.01, 2), '', ARRAY[np.ancestor_id], p.issued_at,
                      '', now()
               FROM quotes_policy p
               JOIN network_networkpath np ON np.descendant_id = p.promoter_id AND np.valid_from <= p.issued_at
                    AND (np.valid_to IS NULL OR np.valid_to > p.issued_at)""",
            [
                Period.objects.get(year=MONTH.year, month=MONTH.month).pk,
                plan.pk,
                plan.rules.order_by("id")[0].pk,
            ],
        )
        return cursor.rowcount


def engine_entries() -> int:
    return entries_for_policies(plan=Plan.objects.get(in_force=True), policy_ids=None, today=TODAY)


def analyze_entries() -> None:
    """The month's entries are written in the run's transaction, where the table's statistics
    still say it is empty (a production settlement reads entries committed and analyzed over the
    month): ANALYZE them first, untimed, for the run and its baseline alike."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commissions_entry")


def settle() -> int:
    engine_entries()
    constraints_checked()  # the entries' checks, untimed: production paid them when they were written
    analyze_entries()
    started = time.perf_counter()
    run = settlement_start(
        actor=None, period=Period.objects.get(year=MONTH.year, month=MONTH.month), today=TODAY
    )
    run = settlement_run_execute(run.pk)
    assert run.status == "done", run.error
    constraints_checked()
    settle.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
    return run.statements


def raw_statements() -> int:
    engine_entries()
    constraints_checked()
    analyze_entries()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO commissions_statement (period_id, distributor_id, settlement_mode, totals, earned,
                   receivable, payable, counterparties, status)
               SELECT period_id, distributor_id, 'cross_level', '{}', SUM(amount), SUM(amount), 0, '[]', 'open'
               FROM commissions_entry GROUP BY period_id, distributor_id"""
        )
        rows = cursor.rowcount
    constraints_checked()
    raw_statements.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--policies", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    bench_tenant(schema=SCHEMA, name="结算基准", count=Policy.objects.count, wanted=args.policies, what="policies",
                 build=build, analyze="quotes_policy, network_networkpath, network_distributor")  # fmt: skip
    with schema_context(SCHEMA):
        Period.objects.get_or_create(year=MONTH.year, month=MONTH.month)
        SettlementRun.objects.all().delete()
        Period.objects.update(status="open", closed_at=None)
        vacuum_analyze()

        engine_entries_count = timed(engine_entries)[1]  # warm-up
        timed(raw_entries)
        samples: dict[str, list[float]] = {"engine": [], "raw": [], "settlement": [], "raw_statements": []}
        counts: dict[str, int] = {}
        for i in range(args.repeat):
            pairs = [("engine", engine_entries), ("raw", raw_entries)]
            for name, fn in pairs if i % 2 == 0 else reversed(pairs):
                elapsed, rows = timed(fn)
                samples[name].append(elapsed)
                counts[name] = rows
            counts["settlement"] = timed(settle)[1]
            samples["settlement"].append(settle.elapsed)  # type: ignore[attr-defined]
            counts["raw_statements"] = timed(raw_statements)[1]
            samples["raw_statements"].append(raw_statements.elapsed)  # type: ignore[attr-defined]
        assert counts["engine"] == counts["raw"] == engine_entries_count, counts

        med = {k: statistics.median(v) for k, v in samples.items()}
        print(
            f"policies={args.policies:,} chains of {LEVELS} levels, repeat={args.repeat}"
            " (medians; each run rolled back, then VACUUM ANALYZE)"
        )
        print(f"  entries: engine {med['engine']:.2f}s  raw INSERT…SELECT {med['raw']:.2f}s  "
              f"({counts['engine']:,} rows each)  ratio {med['engine'] / med['raw']:.2f}x  (target < 2x)")  # fmt: skip
        print(f"  settlement run {med['settlement']:.2f}s  raw GROUP BY insert {med['raw_statements']:.2f}s  "
              f"({counts['settlement']:,} statements)  ratio {med['settlement'] / med['raw_statements']:.2f}x"
              "  (target < 2x)")  # fmt: skip
        checks = {
            name: statistics.median(CHECKS[fn][1:])
            for name, fn in (("engine", "engine_entries"), ("raw", "raw_entries"))
        }
        print(f"  of which the foreign-key checks: engine {checks['engine']:.2f}s  raw {checks['raw']:.2f}s; "
              f"the INSERTs alone: engine {med['engine'] - checks['engine']:.2f}s  raw {med['raw'] - checks['raw']:.2f}s  "
              f"ratio {(med['engine'] - checks['engine']) / (med['raw'] - checks['raw']):.2f}x")  # fmt: skip
        engine_ratio = med["engine"] / med["raw"]
        settle_ratio = med["settlement"] / med["raw_statements"]
        machine.result(bench="commission engine", figure=f"engine {med['engine']:.2f} s ({counts['engine']:,} entries)",
                       baseline=f"raw INSERT…SELECT {med['raw']:.2f} s", ratio=round(engine_ratio, 3),
                       goal="< 2x", met=engine_ratio < 2)  # fmt: skip
        machine.result(bench="settlement run", figure=f"run {med['settlement']:.2f} s ({counts['settlement']:,} statements)",
                       baseline=f"raw GROUP BY {med['raw_statements']:.2f} s", ratio=round(settle_ratio, 3),
                       goal="< 2x", met=settle_ratio < 2)  # fmt: skip


if __name__ == "__main__":
    machine.run(main)
