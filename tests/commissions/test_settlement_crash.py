"""A month close survives its worker being killed (issue 18, jobs that survive a crash): a real
Celery worker process is killed with SIGKILL in the middle of the run; its heartbeat stops, the
watchdog re-queues the run, a new worker completes it, and nothing is written twice."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django_tenants.utils import schema_context

from commissions.engine import entries_for_policies
from commissions.models import Entry, Period, SettlementRun, Statement
from commissions.services import plan_put_in_force, plan_save, settlement_start, settlement_watchdog
from commissions.tasks import settlement_run_task
from network.models import NetworkPath
from network.services import agent_create, tier_create
from tests.commissions.conftest import SINCE, on, sell
from tests.conftest import committed_db

ROOT = Path(__file__).resolve().parents[2]


AMQP = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def worker(queue: str, broker: str | None = None, **env_extra: str) -> subprocess.Popen[bytes]:
    """A real worker process on the test database, beating run heartbeats every 0.5 s."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker or settings.CELERY_BROKER_URL,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_DEV_SECRETS": "true",
        "SETTLEMENT_HEARTBEAT_SECONDS": "0.5",
        **env_extra,
    }
    celery = str(Path(sys.executable).parent / "celery")
    return subprocess.Popen(
        [celery, "-A", "config", "worker", "--pool", "solo", "-Q", queue, "--loglevel", "WARNING",
         "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def run_row(run_id: int) -> SettlementRun:
    with schema_context("bowei"):
        return SettlementRun.objects.get(pk=run_id)


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@committed_db
def test_a_worker_killed_during_the_month_close_leaves_a_run_a_new_worker_completes() -> None:
    with schema_context("bowei"):
        upper = tier_create(actor=None, name="崩溃经理", rank=51)
        lower = tier_create(actor=None, name="崩溃专员", rank=52)
        boss = agent_create(
            actor=None, name="崩溃经理", mobile="13655585001", licence_no="K-1", tier_id=upper.pk
        )
        seller = agent_create(actor=None, name="崩溃专员", mobile="13655585002", licence_no="K-2",
                              tier_id=lower.pk, parent_id=boss.pk)  # fmt: skip
        NetworkPath.objects.filter(descendant__in=[boss, seller]).update(valid_from=SINCE)
        plan = plan_save(
            actor=None, name="崩溃方案", scheme="per_level", settlement_mode="cross_level",
            rules=[{"line": "commercial", "distance": 0, "rate": Decimal("0.10")},
                   {"line": "commercial", "distance": 1, "rate": Decimal("0.05")}],
        )  # fmt: skip
        plan_put_in_force(actor=None, plan=plan)
        entries_for_policies(
            plan=plan, policy_ids=[sell(seller, premium="2000.00", at=on(date(2026, 4, 10))).pk],
            today=date(2026, 11, 25),
        )  # fmt: skip
        period = Period.objects.get(year=2026, month=4)
        run = settlement_start(actor=None, period=period, today=date(2026, 11, 25))
        entries_before = Entry.objects.filter(period=period).count()

    # Another session holds the month's row, so the run stops inside its work (heartbeat beating).
    hold, held = threading.Event(), threading.Event()

    def holder() -> None:
        with schema_context("bowei"), transaction.atomic():
            Period.objects.select_for_update().get(pk=period.pk)
            held.set()
            hold.wait(120)
        connection.close()

    holding = threading.Thread(target=holder)
    holding.start()
    assert held.wait(30)
    queue = f"test-crash-{os.getpid()}"
    first = second = None
    try:
        with schema_context("bowei"):
            settlement_run_task.apply_async(args=[run.pk], queue=queue)
        first = worker(queue)
        assert wait_for(lambda: run_row(run.pk).status == "running" and run_row(run.pk).progress >= 30, 90)
        beat = run_row(run.pk).heartbeat_at
        assert wait_for(lambda: run_row(run.pk).heartbeat_at != beat, 10)  # the worker is alive

        first.send_signal(signal.SIGKILL)
        first.wait(10)
        hold.set()
        holding.join(30)
        stopped = run_row(run.pk)
        time.sleep(1.5)
        assert run_row(run.pk).heartbeat_at == stopped.heartbeat_at  # nobody beats it any more
        assert stopped.status == "running"  # what the finance page showed for good before

        second = worker(queue)
        with schema_context("bowei"):
            assert settlement_watchdog(stale_after=timedelta(seconds=1), queue=queue) == [run.pk]
        assert wait_for(lambda: run_row(run.pk).status == "done", 120), run_row(run.pk).step
    finally:
        hold.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)

    with schema_context("bowei"):
        done = SettlementRun.objects.get(pk=run.pk)
        assert (done.progress, done.statements) == (100, 2)
        assert Period.objects.get(pk=period.pk).status == "closed"
        # Nothing twice: the sale's two entries, 10 % and 5 % of 2,000.00, and one statement each.
        entries = Entry.objects.filter(period=period)
        assert entries.count() == entries_before == 2
        assert entries.aggregate(total=Sum("amount"))["total"] == Decimal("300.00")
        statements = Statement.objects.filter(period=period).select_related("distributor")
        assert {s.distributor.name: format(s.earned, "f") for s in statements} == {
            "崩溃专员": "200.00",
            "崩溃经理": "100.00",
        }


@pytest.mark.worker
@committed_db
def test_a_close_queued_on_rabbitmq_survives_a_broker_restart() -> None:
    """The broker is RabbitMQ (durable queue, persistent message): restarting it with a month
    close queued and no worker yet loses nothing; the worker that starts afterwards closes it."""
    from config.celery import app

    with schema_context("bowei"):
        upper = tier_create(actor=None, name="重启经理", rank=53)
        boss = agent_create(
            actor=None, name="重启经理", mobile="13655586001", licence_no="B-1", tier_id=upper.pk
        )
        NetworkPath.objects.filter(descendant=boss).update(valid_from=SINCE)
        plan = plan_save(
            actor=None, name="重启方案", scheme="per_level", settlement_mode="cross_level",
            rules=[{"line": "commercial", "distance": 0, "rate": Decimal("0.10")}],
        )  # fmt: skip
        plan_put_in_force(actor=None, plan=plan)
        entries_for_policies(
            plan=plan, policy_ids=[sell(boss, premium="1500.00", at=on(date(2026, 5, 10))).pk],
            today=date(2026, 11, 25),
        )  # fmt: skip
        period = Period.objects.get(year=2026, month=5)
        run = settlement_start(actor=None, period=period, today=date(2026, 11, 25))
        queue = f"test-broker-restart-{os.getpid()}"
        with app.connection_for_write(AMQP) as conn:
            settlement_run_task.apply_async(args=[run.pk], queue=queue, connection=conn)

    for step in ("stop_app", "start_app"):
        subprocess.run(["rabbitmqctl", step], check=True, timeout=120, capture_output=True)
    proc = worker(queue, broker=AMQP)
    try:
        assert wait_for(lambda: run_row(run.pk).status == "done", 120), run_row(run.pk).step
    finally:
        proc.terminate()
        proc.wait(30)
    with schema_context("bowei"):
        assert Period.objects.get(pk=period.pk).status == "closed"
        statements = Statement.objects.filter(period=period).select_related("distributor")
        assert {s.distributor.name: format(s.earned, "f") for s in statements} == {"重启经理": "150.00"}
