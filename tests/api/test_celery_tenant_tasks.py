"""A task enqueued in a tenant runs in that tenant's schema: real Redis broker, real worker."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from config.celery import app
from core.models import AuditEvent
from core.tasks import audit_event_record_task
from tests.conftest import committed_db


@pytest.mark.worker
@committed_db
def test_task_enqueued_in_a_tenant_runs_in_that_tenants_schema() -> None:
    queue = f"test-{os.getpid()}"
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
        with schema_context("datang"):
            in_datang = audit_event_record_task.apply_async(
                args=["probe.enqueued", "在大唐入队"], queue=queue
            )
        with schema_context("bowei"):
            in_bowei = audit_event_record_task.apply_async(args=["probe.enqueued", "在博维入队"], queue=queue)
        datang_result = in_datang.get(timeout=30)
        bowei_result = in_bowei.get(timeout=30)

    assert datang_result["schema_name"] == "datang"
    assert bowei_result["schema_name"] == "bowei"
    with schema_context("datang"):
        assert list(AuditEvent.objects.filter(action="probe.enqueued").values_list("summary", flat=True)) == [
            "在大唐入队"
        ]
    with schema_context("bowei"):
        assert list(AuditEvent.objects.filter(action="probe.enqueued").values_list("summary", flat=True)) == [
            "在博维入队"
        ]
    assert not AuditEvent.objects.filter(action="probe.enqueued").exists()  # nothing landed in public
