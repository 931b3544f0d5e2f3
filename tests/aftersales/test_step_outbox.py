"""What a step no longer pays for (issue 20): the shop's step on the platform host writes the
order's event into the tenant's outbox without switching the connection to the tenant's schema and
back (no ``SET search_path`` once the step has begun), and the owner's request answers the new
order without reading back the one step it has just written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from aftersales.models import ProgressEvent
from core.models import DomainEvent
from notices.models import Notification
from tests.aftersales.test_flow import request_service
from tests.conftest import PEOPLE, person

pytestmark = pytest.mark.django_db


def test_the_shops_step_writes_the_tenants_outbox_without_switching_schemas(
    api, garage, shop_api, django_capture_on_commit_callbacks
):
    shop = shop_api()
    with django_capture_on_commit_callbacks(execute=True):
        order = request_service(api, garage)
    # the step's request alone (its on-commit consumers run after, when the capture ends)
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        accepted = shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
        assert connection.schema_name == "public"  # type: ignore[attr-defined]
    assert accepted.status_code == 200, accepted.json()
    sql = [q["sql"] for q in queries.captured_queries]
    # The platform host's schema is set when the request finds its host (the test's previous request
    # was on Datang's); from the step's first read of the order to its answer, no schema is set: the
    # event cost SET "datang","public" before its INSERT and SET "public" after it before.
    begin = next(i for i, s in enumerate(sql) if '"aftersales_serviceorder"' in s)
    assert [s for s in sql[begin:] if "search_path" in s] == []
    assert [s for s in sql if "search_path" in s and "datang" in s] == []
    assert [s for s in sql if s.startswith('INSERT INTO "datang"."core_domainevent"')] != []

    step = ProgressEvent.objects.get(order_id=order["id"], state="accepted")
    owner, agent = person("datang_owner"), person("datang_agent")  # 赵车主, promoted by 王海峰
    assert not DomainEvent.objects.filter(kind="service_order.accepted").exists()  # not the platform's
    with schema_context("datang"):
        (event,) = DomainEvent.objects.filter(kind="service_order.accepted", object_id=str(order["id"]))
        # the consumers read it from there: the owner's and the agent's inbox, keyed by the event
        told = sorted(
            Notification.objects.filter(source_key=f"event:{event.pk}").values_list("user_id", flat=True)
        )
    assert (event.object_type, event.actor_id) == ("service_order", garage.staff.pk)
    assert event.payload == {
        "order_id": order["id"],
        "no": order["no"],
        "state": "accepted",
        "state_label": "已接单",
        "title": "门店已接单",
        "plate": "湘A12345",
        "owner_user_id": owner.pk,
        "agent_user_id": agent.pk,
        "shop_id": garage.shop.pk,
        "insurer_id": None,
        "step_id": step.pk,
    }
    assert told == sorted([owner.pk, agent.pk])
    # and the shop's staff on the platform host, from the same event (keyed by its step)
    assert list(
        Notification.objects.filter(source_key=f"service_step:{step.pk}").values_list("user_id", flat=True)
    ) == [garage.staff.pk]


def test_the_requests_answer_is_the_detail_without_reading_its_progress(api, garage):
    owner = api("datang_owner")
    body = {"shop": garage.shop.pk, "vehicle": garage.vehicle.pk, "service": "保养", "description": "换机油"}
    with CaptureQueriesContext(connection) as queries:
        made = owner.post("/api/v1/service-orders/", body, format="json")
    assert made.status_code == 201, made.json()
    sql = [q["sql"] for q in queries.captured_queries]
    assert [s for s in sql if 'INSERT INTO "aftersales_progressevent"' in s] != []  # written …
    assert [s for s in sql if 'FROM "aftersales_progressevent"' in s] == []  # … and never read back
    assert [s for s in sql if 'FROM "aftersales_serviceitem"' in s] == []  # a new order has none

    data = made.json()
    assert [(p["state"], p["title"], p["note"], p["photos"], p["actor_name"], p["actor_role"])
            for p in data["progress"]] == [
        ("requested", "车主提交施工申请", "换机油", [], PEOPLE["datang_owner"].name, "owner")
    ]  # fmt: skip
    assert (data["items"], data["quoted_total"], data["item_count"]) == ([], "0.00", 0)
    # byte for byte what the detail view reads afresh (the step's time included, to the microsecond)
    detail = owner.get(f"/api/v1/service-orders/{data['id']}/")
    assert detail.status_code == 200
    assert made.content == detail.content
