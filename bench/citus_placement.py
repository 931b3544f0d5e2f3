#!/usr/bin/env python
"""Where a high-write public table should live on the Citus cluster: the cost of one write.

The same service-order-shaped row (shop, tenant, status, amounts, a timestamp) is inserted one row
per transaction, as the app writes it, into three copies of one table on the coordinator:

- reference:   a copy on every node (each write is a two-phase commit across all three nodes)
- local:       a Citus local table on the coordinator (one write on one node)
- distributed: hash-distributed by shop_id (32 shards over the workers; one write on one worker,
               routed through the coordinator)

and, as the baseline, into a plain table on the coordinator (no Citus metadata). Reports the median
and p95 per write and writes per second for each. The tables are dropped at the end.

    make cluster && .venv/bin/python bench/citus_placement.py [--rows 400] [--url postgres://...:9700/suxinbao]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import machine  # noqa: E402

TABLE = """CREATE TABLE {name} (
    id bigserial, shop_id bigint NOT NULL, tenant_id bigint NOT NULL, status varchar(20) NOT NULL,
    labour numeric(12,2) NOT NULL, parts numeric(12,2) NOT NULL, note text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY ({key}))"""
PLACEMENTS = {
    "plain": ("id", None),
    "local": ("id", "SELECT citus_add_local_table_to_metadata('{name}')"),
    "reference": ("id", "SELECT create_reference_table('{name}')"),
    "distributed": ("shop_id, id", "SELECT create_distributed_table('{name}', 'shop_id', shard_count := 32)"),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:9700/suxinbao")
    machine.add_busy_flag(parser)
    args = parser.parse_args()
    with machine.machine_check(args.allow_busy) as report, psycopg.connect(args.url, autocommit=True) as conn:
        report.append(f"one INSERT per transaction, {args.rows} rows per placement, coordinator {args.url}")
        results = {}
        for placement, (key, make) in PLACEMENTS.items():
            name = f"bench_placement_{placement}"
            conn.execute(f"DROP TABLE IF EXISTS {name}")
            conn.execute(TABLE.format(name=name, key=key))
            if make:
                conn.execute(make.format(name=name))
            times = []
            for i in range(args.rows):
                started = time.perf_counter()
                conn.execute(
                    f"INSERT INTO {name} (shop_id, tenant_id, status, labour, parts, note)"
                    " VALUES (%s, %s, 'open', 120.00, 345.50, '更换刹车片')",
                    [1 + i % 50, 1 + i % 7],
                )
                times.append(time.perf_counter() - started)
            conn.execute(f"DROP TABLE {name}")
            times.sort()
            results[placement] = times
            p50 = statistics.median(times) * 1000
            p95 = times[int(len(times) * 0.95) - 1] * 1000
            report.append(
                f"{placement:12} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  {len(times) / sum(times):7.0f} writes/s"
            )
        base = statistics.median(results["plain"])
        report.append(
            "median vs plain: "
            + ", ".join(f"{p} {statistics.median(t) / base:.1f}x" for p, t in results.items() if p != "plain")
        )


if __name__ == "__main__":
    main()
