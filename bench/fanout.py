#!/usr/bin/env python
"""Policy push at scale: one announcement to every agent of a tenant (schema ``bench_fanout``)
with AGENTS active agents. Times, in one run, rotating which goes first, each in a transaction
rolled back afterwards:

* **service**: ``notices.services.announcement_publish`` to all agents (validation, sanitising, the
  announcement row, one set-based ``INSERT … SELECT … RETURNING`` of the receipts, the audit row,
  the real-time messages queued for after the commit), against
* **raw**: one plain ``INSERT … SELECT`` of the same receipt rows from the same table.

Then, once, the real-time push itself (what ``notices.tasks.realtime_push_task`` does on a worker after
the commit for an audience this big: one Redis stream entry per recipient, pipelined) under a
throwaway key prefix that is deleted afterwards.

Prints the medians and the ratio. Target: the service within a small factor (≤ 2×) of the raw insert.

    .venv/bin/python bench/fanout.py [--agents 50000] [--repeat 5]
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401
from bench import machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.world import bench_tenant  # noqa: E402
from core import realtime  # noqa: E402
from network.models import Distributor, Tier  # noqa: E402
from notices.models import Announcement  # noqa: E402
from notices.services import announcement_publish  # noqa: E402

SCHEMA = "bench_fanout"
BODY = "<p>自 2026 年 12 月 1 日起，<strong>交强险</strong>手续费上调至 4%。</p><ul><li>商业险不变</li></ul>"


def build(agents: int) -> None:
    """One tier and ``agents`` active agents (and their people), all in SQL."""
    tier = Tier.objects.create(name="基准代理人", rank=1).pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO public.accounts_user (password, mobile, name, is_active, date_joined)
            SELECT '!', '166' || lpad(g::text, 8, '0'), '推送' || g, true, now()
            FROM generate_series(1, {agents}) g
            ON CONFLICT (mobile) DO NOTHING;

            INSERT INTO network_distributor (user_id, kind, name, mobile, licence_no, tier_id, parent_id, status,
                                             referral_code, joined_at, created_at, updated_at)
            SELECT u.id, 'agent', '推送' || g, '166' || lpad(g::text, 8, '0'), 'F' || g, {tier}, NULL, 'active',
                   'F' || g, '2026-01-01', now(), now()
            FROM generate_series(1, {agents}) g JOIN public.accounts_user u ON u.mobile = '166' || lpad(g::text, 8, '0');
            """
        )


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    with transaction.atomic():
        started = time.perf_counter()
        rows = fn()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, rows


def service() -> int:
    announcement = announcement_publish(
        actor=None, title="交强险手续费调整", body_html=BODY, effective_from=date(2026, 12, 1)
    )
    return announcement.recipients


def raw() -> int:
    """The baseline: the same receipts, for an announcement row made beforehand (not timed)."""
    elapsed_before = time.perf_counter()
    announcement = Announcement.objects.create(
        title="交强险手续费调整", body_html=BODY, effective_from=date(2026, 12, 1)
    )
    raw.setup = time.perf_counter() - elapsed_before  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO notices_announcementreceipt (announcement_id, user_id, created_at)
               SELECT %s, d.user_id, now() FROM network_distributor d
               WHERE d.kind = 'agent' AND d.status = 'active'""",
            [announcement.pk],
        )
        return cursor.rowcount


def push(user_ids: list[int]) -> float:
    """What the commit sends: one stream entry per recipient (under a throwaway prefix, deleted after)."""
    original = settings.REALTIME_KEY_PREFIX
    settings.REALTIME_KEY_PREFIX = "bench-fanout"
    try:
        channels = [realtime.user_channel(uid, SCHEMA) for uid in user_ids]
        started = time.perf_counter()
        realtime._append(channels, '{"event": "notices.announcement", "data": {"id": 1}}')
        elapsed = time.perf_counter() - started
    finally:
        redis = realtime.client()
        keys = list(redis.scan_iter("bench-fanout:*", count=5000))
        for i in range(0, len(keys), 5000):
            redis.delete(*keys[i : i + 5000])
        settings.REALTIME_KEY_PREFIX = original
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    bench_tenant(schema=SCHEMA, name="推送基准", count=Distributor.objects.count, wanted=args.agents, what="agents",
                 build=build, analyze="network_distributor")  # fmt: skip
    with schema_context(SCHEMA):
        timed(service)  # warm-up
        timed(raw)
        samples: dict[str, list[float]] = {"service": [], "raw": []}
        counts: dict[str, int] = {}
        for i in range(args.repeat):
            pairs = [("service", service), ("raw", raw)]
            for name, fn in pairs if i % 2 == 0 else reversed(pairs):
                elapsed, rows = timed(fn)
                samples[name].append(elapsed - (raw.setup if name == "raw" else 0))  # type: ignore[attr-defined]
                counts[name] = rows
        assert counts["service"] == counts["raw"] == args.agents, counts
        pushed = push(list(Distributor.objects.values_list("user_id", flat=True)))

    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"agents={args.agents:,} repeat={args.repeat} (medians; rolled back)")
    print(
        f"  receipts: service {med['service']:.3f}s  raw INSERT…SELECT {med['raw']:.3f}s  "
        f"({counts['service']:,} rows each)  ratio {med['service'] / med['raw']:.2f}x  (target ≤ 2x)"
    )
    machine.result(
        bench="fanout",
        figure=f"service {med['service']:.3f} s ({counts['service']:,} receipts)",
        baseline=f"raw INSERT…SELECT {med['raw']:.3f} s",
        ratio=round(med["service"] / med["raw"], 3),
        goal="<= 2x",
        met=med["service"] / med["raw"] <= 2,
    )
    print(
        f"  real-time push (on a worker, after the commit): {pushed:.3f}s for {args.agents:,} user channels (pipelined XADD)"
    )


if __name__ == "__main__":
    machine.run(main)
