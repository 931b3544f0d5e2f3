#!/usr/bin/env python
"""Network queries at scale: a 100,000-distributor tree (depth up to 8) in its own tenant schema.
Times the closure-table queries the commission engine uses (upline as it stood at a moment, whole
subtree) against a recursive CTE over the same parent pointers, in one run, and prints the ratios.

    .venv/bin/python bench/network.py [--size 100000] [--repeat 50]
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
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
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from network.models import Distributor  # noqa: E402
from network.selectors import subtree_ids, subtree_of, upline_at  # noqa: E402
from tenants.models import Tenant  # noqa: E402
from tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_network"
FANOUT = 5  # node i's parent is (i - 1) // 5: depth reaches 8 below 100,000 nodes


def depth_of(i: int) -> int:
    depth = 0
    while i:
        i = (i - 1) // FANOUT
        depth += 1
    return depth


def build(size: int) -> None:
    """Users (public), distributors and closure rows, written with COPY: minutes through the
    services, seconds this way. The shape is the same the services would make."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM public.accounts_user")
        first_user = cursor.fetchone()[0] + 1
        pg = cursor.cursor  # the psycopg cursor, for COPY
        with pg.copy(
            "COPY public.accounts_user (id, mobile, name, password, is_active, date_joined) FROM STDIN"
        ) as copy:
            for i in range(size):
                copy.write_row((first_user + i, f"1{5 + i // 10**9}{i:09d}", f"分销{i}", "!", True, now))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('public.accounts_user', 'id'), %s)", [first_user + size]
        )
        cursor.execute(
            "INSERT INTO network_tier (name, rank, description, created_at) VALUES ('一级', 1, '', now())"
        )
        cursor.execute("SELECT id FROM network_tier WHERE rank = 1")
        tier = cursor.fetchone()[0]
        with pg.copy(
            "COPY network_distributor (id, user_id, kind, name, mobile, licence_no, tier_id, parent_id, status,"
            " referral_code, joined_at, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(size):
                parent = (i - 1) // FANOUT + 1 if i else None
                copy.write_row(
                    (
                        i + 1,
                        first_user + i,
                        "agent",
                        f"分销{i}",
                        f"{i:011d}",
                        f"L{i}",
                        tier,
                        parent,
                        "active",
                        f"B{i:010d}",
                        now,
                        now,
                        now,
                    )
                )
        with pg.copy(
            "COPY network_networkpath (ancestor_id, descendant_id, depth, valid_from) FROM STDIN"
        ) as copy:
            for i in range(size):
                node, depth = i, 0
                while True:
                    copy.write_row((node + 1, i + 1, depth, now))
                    if node == 0:
                        break
                    node, depth = (node - 1) // FANOUT, depth + 1
        cursor.execute("SELECT setval(pg_get_serial_sequence('network_distributor', 'id'), %s)", [size + 1])
        cursor.execute("ANALYZE network_distributor; ANALYZE network_networkpath")


CTE_UPLINE = """
WITH RECURSIVE up(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM network_distributor WHERE id = %s
    UNION ALL
    SELECT d.id, d.parent_id, up.depth + 1 FROM network_distributor d JOIN up ON d.id = up.parent_id
)
SELECT d.* FROM up JOIN network_distributor d ON d.id = up.id WHERE up.depth > 0 ORDER BY up.depth
"""
CLOSURE_UPLINE = """
SELECT d.* FROM network_networkpath p JOIN network_distributor d ON d.id = p.ancestor_id
WHERE p.descendant_id = %s AND p.depth > 0 AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now())
ORDER BY p.depth
"""
CLOSURE_SUBTREE = "SELECT descendant_id FROM network_networkpath WHERE ancestor_id = %s AND valid_to IS NULL"
CTE_SUBTREE = """
WITH RECURSIVE down(id) AS (
    SELECT id FROM network_distributor WHERE id = %s
    UNION ALL
    SELECT d.id FROM network_distributor d JOIN down ON d.parent_id = down.id
)
SELECT count(*) FROM down
"""


def timed(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Median milliseconds of each of ``fns``, the variants interleaved call by call (in rotating
    order), so a burst of load from elsewhere falls on all of them alike."""
    samples: list[list[float]] = [[] for _ in fns]
    for i in range(repeat):
        for k in range(len(fns)):
            which = (i + k) % len(fns)
            start = time.perf_counter()
            fns[which]()
            samples[which].append((time.perf_counter() - start) * 1000)
    return [statistics.median(s) for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    if not Tenant.objects.filter(schema_name=SCHEMA).exists():
        tenant_provision(actor=None, name="网络基准", schema_name=SCHEMA, domain="bench-network.localhost")
    with schema_context(SCHEMA):
        count = Distributor.objects.count()
        if count != args.size:
            if count:
                raise SystemExit(
                    f"{SCHEMA} holds {count} distributors; drop the schema to rebuild with {args.size}"
                )
            started = time.perf_counter()
            build(args.size)
            print(f"built {args.size} distributors in {time.perf_counter() - started:.1f}s", file=sys.stderr)

        leaf = args.size  # the last node: the deepest
        mid = 3  # depth 1: a large team
        small = 8  # depth 2
        depth = depth_of(leaf - 1)
        now = timezone.now()
        assert [d.id for d in upline_at(distributor_id=leaf, at=now)] == [
            row[0] for row in _raw(CTE_UPLINE, leaf)
        ], "closure and CTE must agree on the upline"
        for node in (mid, small):
            assert subtree_of(distributor_id=node).count() == _raw(CTE_SUBTREE, node)[0][0]

        rows: list[tuple[str, Callable[[], object], Callable[[], object], Callable[[], object]]] = [
            (
                f"upline of a depth-{depth} leaf",
                lambda: list(upline_at(distributor_id=leaf, at=now)),
                lambda: _raw(CLOSURE_UPLINE, leaf),
                lambda: _raw(CTE_UPLINE, leaf),
            ),
        ]
        for node in (small, mid):
            size = subtree_of(distributor_id=node).count()
            rows.append(
                (
                    f"subtree ids, {size} nodes",
                    partial(subtree_ids, distributor_id=node),
                    partial(_raw, CLOSURE_SUBTREE, node),
                    partial(_raw, CTE_SUBTREE.replace("count(*)", "id"), node),
                )
            )
        print(
            f"{args.size} distributors, fan-out {FANOUT}, max depth {depth}; median of {args.repeat} runs,"
            " the three variants interleaved call by call"
        )
        print("  (selector: the ORM call the app makes, objects built; closure SQL: the same query raw)")
        for label, selector, closure, cte in rows:
            sel_ms, closure_ms, cte_ms = timed([selector, closure, cte], args.repeat)
            print(
                f"{label:>28}: selector {sel_ms:7.2f} ms  closure SQL {closure_ms:7.2f} ms  "
                f"recursive CTE {cte_ms:7.2f} ms  ratio closure/CTE {closure_ms / cte_ms:.2f}"
            )
            machine.result(
                bench=f"network {label}",
                figure=f"closure {closure_ms:.2f} ms (selector {sel_ms:.2f} ms)",
                baseline=f"recursive CTE {cte_ms:.2f} ms",
                ratio=round(closure_ms / cte_ms, 3),
                goal="< 1x",
                met=closure_ms < cte_ms,
            )


def _raw(sql: str, param: int) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return list(cursor.fetchall())


if __name__ == "__main__":
    machine.run(main)
