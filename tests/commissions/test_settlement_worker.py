"""The settlement run as production runs it: a Celery task on a real worker (Redis broker), in the
schema of the tenant that queued it."""

import os
from datetime import date
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from commissions.engine import entries_for_policies
from commissions.models import Period, Statement
from commissions.services import plan_put_in_force, plan_save, settlement_start
from commissions.tasks import settlement_run_task
from config.celery import app
from network.models import NetworkPath
from network.services import agent_create, tier_create
from tests.commissions.conftest import SINCE, on, sell
from tests.conftest import committed_db


@pytest.mark.worker
@committed_db
def test_the_settlement_task_closes_the_month_in_its_tenants_schema() -> None:
    with schema_context("bowei"):
        upper = tier_create(actor=None, name="结算任务经理", rank=31)
        lower = tier_create(actor=None, name="结算任务专员", rank=32)
        boss = agent_create(
            actor=None, name="任务经理", mobile="13655581001", licence_no="W-1", tier_id=upper.pk
        )
        seller = agent_create(
            actor=None,
            name="任务专员",
            mobile="13655581002",
            licence_no="W-2",
            tier_id=lower.pk,
            parent_id=boss.pk,
        )
        NetworkPath.objects.filter(descendant__in=[boss, seller]).update(valid_from=SINCE)
        plan = plan_save(
            actor=None, name="结算任务方案", scheme="per_level", settlement_mode="cross_level",
            rules=[{"line": "commercial", "distance": 0, "rate": Decimal("0.10")},
                   {"line": "commercial", "distance": 1, "rate": Decimal("0.05")}],
        )  # fmt: skip
        plan_put_in_force(actor=None, plan=plan)
        entries_for_policies(
            plan=plan, policy_ids=[sell(seller, at=on(date(2026, 3, 10))).pk], today=date(2026, 11, 25)
        )
        run = settlement_start(
            actor=None, period=Period.objects.get(year=2026, month=3), today=date(2026, 11, 25)
        )
        queue = f"test-settle-{os.getpid()}"
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
            result = settlement_run_task.apply_async(args=[run.pk], queue=queue).get(timeout=60)
        assert result == {"schema_name": "bowei", "run": run.pk, "status": "done"}
        statements = Statement.objects.filter(period__year=2026, period__month=3).select_related(
            "distributor"
        )
        assert {s.distributor.name: format(s.earned, "f") for s in statements} == {
            "任务专员": "100.00",
            "任务经理": "50.00",
        }
        assert Period.objects.get(year=2026, month=3).status == "closed"
    with schema_context("datang"):
        assert not Period.objects.filter(year=2026, month=3, status="closed").exists()
