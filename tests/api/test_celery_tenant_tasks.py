"""A task enqueued in a tenant runs in that tenant's schema: real Redis broker, real worker."""

import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.models import AuditEvent
from core.tasks import audit_event_record_task, run_in_every_tenant
from customers.models import Reminder, ReminderScan
from customers.services import customer_create
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


@pytest.mark.worker
@committed_db
def test_the_beat_s_reminder_scan_runs_once_in_every_tenant_s_own_schema() -> None:
    """The beat entry fans the scan out per tenant; each tenant's reminder appears in its schema only."""
    expires = timezone.localdate() + timedelta(days=30)  # the 30-day stage starts today
    for schema, plate in (("datang", "粤B5CAN1"), ("bowei", "粤B5CAN2")):
        with schema_context(schema):
            customer_create(
                actor=None,
                name="扫描",
                mobile=f"1366666{plate[-1]}001",
                vehicles=[{"plate": plate, "ctpl_expires_on": expires}],
            )
            Reminder.objects.all().delete()  # as if written before the window: the scan must raise it
    queue = f"test-{os.getpid()}"
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
        fanned = run_in_every_tenant.apply_async(
            args=["customers.tasks.reminders_scan_task"], kwargs={"queue": queue}, queue=queue
        ).get(timeout=30)
        assert {"datang", "bowei"} <= set(fanned)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = []
            for schema in ("datang", "bowei"):
                with schema_context(schema):
                    done.append(ReminderScan.objects.exists())
            if all(done):
                break
            time.sleep(0.2)
    for schema, plate in (("datang", "粤B5CAN1"), ("bowei", "粤B5CAN2")):
        with schema_context(schema):
            assert list(Reminder.objects.values_list("vehicle__plate", "lead_days")) == [(plate, 30)]


@pytest.mark.django_db
def test_beat_jobs_skip_a_suspended_tenant(bowei):
    from tenants.lifecycle import tenant_resume, tenant_suspend

    queue = f"test-nowhere-{os.getpid()}"
    tenant_suspend(actor=None, tenant_id=bowei.pk, reason="欠费")
    assert "bowei" not in run_in_every_tenant.run("customers.tasks.reminders_scan_task", queue=queue)
    assert "datang" in run_in_every_tenant.run("customers.tasks.reminders_scan_task", queue=queue)
    tenant_resume(actor=None, tenant_id=bowei.pk)
    assert "bowei" in run_in_every_tenant.run("customers.tasks.reminders_scan_task", queue=queue)
    app.connection_for_write().default_channel.queue_purge(queue)
