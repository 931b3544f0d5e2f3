"""The business-event consumers run in the Celery worker, not in the request (issue 20): a task
per schema pending at a time, consumers in the order of the outbox. Real Redis broker, real worker."""

import os
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

import notices.receivers
from accounts.models import Role
from accounts.services import auth_token_issue, membership_grant, user_create
from aftersales.models import ServiceOrder
from aftersales.services import order_request
from catalog.models import PartnerShop
from config.celery import app
from core.events import emit
from core.validators import uscc_check_char
from customers.services import customer_create, vehicle_add
from directory.services import shop_create, shop_staff_add
from notices.models import Notification
from tenants.models import Tenant
from tests.conftest import committed_db


def queued(queue: str) -> int:
    """Messages waiting on ``queue`` at the broker."""
    with app.connection_for_write() as conn:
        try:
            return int(conn.default_channel.queue_declare(queue=queue, passive=True).message_count)
        except Exception:  # not declared yet: nothing sent to it
            return 0


@pytest.mark.worker
@committed_db
def test_a_service_order_step_answers_without_waiting_for_the_event_consumers(settings, monkeypatch) -> None:
    queue = f"test-events-{os.getpid()}"
    settings.EVENTS_CONSUME_INLINE = False
    settings.EVENTS_QUEUE = queue
    bowei = Tenant.objects.get(schema_name="bowei")
    first17 = "91430104MA4EQT001"
    shop = shop_create(
        actor=None, name="事件测试店", uscc=first17 + uscc_check_char(first17), services=["保养"]
    )
    staff = shop_staff_add(actor=None, shop=shop, mobile="13655584001", name="事件技师")
    owner = user_create(mobile="13655584002", name="事件车主")
    membership_grant(user=owner, role=Role.OWNER, tenant_id=bowei.pk)
    with schema_context("bowei"):
        PartnerShop.objects.create(shop=shop)
        customer = customer_create(actor=None, name="事件车主", mobile=owner.mobile, user=owner)
        vehicle = vehicle_add(actor=None, customer=customer, plate="湘C5E001")

    # The inbox consumer blocks until the test lets it go, and notes the thread it runs in.
    gate, entered = threading.Event(), threading.Event()
    consumer_threads: list[int] = []
    real_process_events = notices.receivers.process_events

    def gated_process_events() -> int:
        consumer_threads.append(threading.get_ident())
        entered.set()
        assert gate.wait(60)
        return real_process_events()

    monkeypatch.setattr(notices.receivers, "process_events", gated_process_events)
    try:
        with schema_context("bowei"):
            order = order_request(actor=owner, tenant=bowei, shop_id=shop.pk, vehicle_id=vehicle.pk,
                                  service="保养", description="事件测试保养")  # fmt: skip
        assert queued(queue) == 1  # the request's transaction: one task
        with schema_context("bowei"), transaction.atomic():
            for n in range(3):
                emit("test.batch", object_type="test", object_id=n, payload={})
        # three events in one more transaction: no more tasks, the pending one reads them too
        # (one task per schema pending at a time, tests/events/test_coalesce.py)
        assert queued(queue) == 1

        staff_client = APIClient()
        staff_client.defaults["HTTP_HOST"] = "localhost"
        token = auth_token_issue(user=staff, tenant_id=None).token
        staff_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
            assert entered.wait(30)  # the worker is inside the consumer of the request's events …
            began = time.monotonic()
            accepted = staff_client.post(f"/api/v1/shop/service-orders/{order.pk}/accept/", {}, format="json")
            took = time.monotonic() - began
            # … and the step answers while that consumer is still held: it does not wait for it.
            assert accepted.status_code == 200, accepted.json()
            assert accepted.json()["state"] == "accepted"
            assert not gate.is_set() and took < 10
            assert threading.get_ident() not in consumer_threads  # never run in the request
            with schema_context("bowei"):
                assert not Notification.objects.filter(user=owner).exists()
            gate.set()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and queued(queue) > 0:
                time.sleep(0.1)
            with schema_context("bowei"):
                while time.monotonic() < deadline and Notification.objects.filter(user=owner).count() < 2:
                    time.sleep(0.1)
                kinds = list(
                    Notification.objects.filter(user=owner).order_by("id").values_list("kind", flat=True)
                )
        # The order's events reached the owner's inbox in the order of the steps.
        assert kinds == ["service_order.requested", "service_order.accepted"]
        assert ServiceOrder.objects.get(pk=order.pk).state == "accepted"
    finally:
        gate.set()
