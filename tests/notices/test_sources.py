"""Inbox messages from what is not an outbox event: new reminders (the daily scan) and the beat
task that catches up; and a delivery task run by a real worker in the tenant's own schema."""

import os
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import sms
from config.celery import app
from customers.services import customer_create
from notices.models import Delivery, Notification
from notices.services import notifications_create
from notices.tasks import delivery_send_task, notices_process_events_task
from tests.conftest import committed_db, person


def test_a_new_renewal_reminder_tells_the_agent_and_the_consenting_owner(team, monkeypatch) -> None:
    import notices.services

    monkeypatch.setattr(notices.services, "_enqueue", lambda ids: None)
    expires = timezone.localdate() + timedelta(days=45)
    with schema_context("datang"):
        customer_create(
            actor=None, name="赵车主", mobile=person("datang_owner").mobile, user=person("datang_owner"),
            promoter_id=team.lead.pk,
            vehicles=[{"plate": "粤B7N1C2", "ctpl_expires_on": expires}],
        )  # fmt: skip
        result = notices_process_events_task.apply().get()
        assert result["schema_name"] == "datang" and result["events"] >= 1
        told = sorted(
            Notification.objects.filter(kind="reminder.due").values_list("user__name", "title", "body")
        )
        assert told == [
            ("王海峰", "续保提醒", f"赵车主 的续保提醒：{expires.isoformat()}。"),
            ("赵车主", "续保提醒", f"赵车主 的续保提醒：{expires.isoformat()}。"),
        ]
        # The sweep again finds nothing new.
        assert notices_process_events_task.apply().get()["events"] == 0


@pytest.mark.worker
@committed_db
def test_a_delivery_task_runs_in_the_schema_it_was_enqueued_in(monkeypatch) -> None:
    import notices.services

    monkeypatch.setattr(notices.services, "_enqueue", lambda ids: None)  # enqueued below, on the test queue
    sms.outbox.clear()
    with schema_context("bowei"):
        [notification] = notifications_create(
            kind="order.paid", source_key=f"worker-test:{os.getpid()}", user_ids=[person("bowei_agent").pk],
            context={"number": "MO20261201", "total": "299.00"},
        )  # fmt: skip
        delivery = Delivery.objects.get(notification=notification, channel="sms")
        queue = f"test-notices-{os.getpid()}"
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10):
            result = delivery_send_task.apply_async(args=[delivery.pk], queue=queue).get(timeout=30)
        delivery.refresh_from_db()
    assert result == {"schema_name": "bowei", "delivery": delivery.pk, "status": "sent"}
    assert delivery.status == "sent" and delivery.attempts == 1
    assert [(m.mobile, m.params["body"]) for m in sms.outbox] == [
        (person("bowei_agent").mobile, "订单 MO20261201 已支付 ¥299.00。")
    ]
