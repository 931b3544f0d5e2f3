"""The inbox of the people on the platform host: every step of a service order reaches the shop's
staff (and, for a claim, the insurer's staff), a part falling to its reorder level reaches the shop's
staff; each reads only their own messages, in the public schema, on the platform host."""

from decimal import Decimal

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from core.realtime import recent, user_channel
from inventory.services import stock_consume
from notices.models import Notification
from notices.services import service_order_staff_notify
from tests.aftersales import conftest as aftersales_fixtures
from tests.aftersales.test_flow import estimate, request_service
from tests.conftest import person

garage = aftersales_fixtures.garage
shop_api = aftersales_fixtures.shop_api
insurer_api = aftersales_fixtures.insurer_api

pytestmark = pytest.mark.django_db

SHOP_STAFF = "13655597001"  # 岳麓店技师老李
OTHER_SHOP_STAFF = "13655597002"  # 雨花店小周 (another shop)
PICC_STAFF, CPIC_STAFF = "13655596001", "13655596002"


def inbox(client) -> list[tuple[str, str, str]]:
    rows = client.get("/api/v1/notices/inbox/").json()["results"]
    return [(m["kind"], m["body"], m["link"]) for m in reversed(rows)]  # oldest first


def test_every_step_of_an_order_reaches_its_shop_s_staff_only(
    api, garage, shop_api, insurer_api, django_capture_on_commit_callbacks
) -> None:
    shop = shop_api()
    with django_capture_on_commit_callbacks(execute=True):
        order = request_service(api, garage)
        shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
        estimate(shop, order["id"], garage)
    no = order["no"]
    assert inbox(shop) == [
        ("service_order.requested", f"服务单 {no} 当前状态：施工申请。", "/service-orders"),
        ("service_order.accepted", f"服务单 {no} 当前状态：已接单。", "/service-orders"),
        ("service_order.quoted", f"服务单 {no} 当前状态：待确认报价。", "/service-orders"),
    ]
    assert shop.get("/api/v1/notices/unread/").json() == {"announcements": 0, "notifications": 3, "total": 3}
    # Pushed live to the staff member's own channel on the platform host.
    staff = User.objects.get(mobile=SHOP_STAFF)
    pushed = [
        m for m in recent(user_channel(staff.pk, "public"), count=10) if m["event"] == "notices.notification"
    ]
    assert [m["data"]["title"] for m in pushed] == ["售后服务进度更新"] * 3

    # Another shop's staff, the insurers' staff and the platform admin see none of it.
    assert shop_api(OTHER_SHOP_STAFF).get("/api/v1/notices/inbox/").json()["count"] == 0
    assert insurer_api(PICC_STAFF).get("/api/v1/notices/unread/").json()["total"] == 0
    assert api("platform_admin").get("/api/v1/notices/inbox/").json()["count"] == 0
    # The owner's tenant inbox tells them in their words (the step's label), and holds no staff rows.
    owner_rows = api("datang_owner").get("/api/v1/notices/inbox/").json()["results"]
    owner_steps = [m["body"] for m in owner_rows if m["kind"].startswith("service_order.")]
    assert owner_steps[0] == f"服务单 {no} 当前状态：待确认报价。" and len(owner_steps) == 3
    with schema_context("datang"):
        assert not Notification.objects.filter(user=staff).exists()
    with schema_context("public"):
        assert Notification.objects.filter(user=staff).count() == 3


def test_a_claim_s_steps_reach_its_insurer_s_staff_and_no_other_insurer(
    api, garage, shop_api, insurer_api, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = request_service(
            api, garage, service="事故车维修", insurer=garage.picc.pk, claim_no="RDAA2026430100009876"
        )
        shop_api().post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
    picc, cpic = insurer_api(PICC_STAFF), insurer_api(CPIC_STAFF)
    assert inbox(picc) == [
        ("service_order.requested", f"服务单 {order['no']} 当前状态：施工申请。", "/claims"),
        ("service_order.accepted", f"服务单 {order['no']} 当前状态：已接单。", "/claims"),
    ]
    assert cpic.get("/api/v1/notices/inbox/").json()["count"] == 0
    assert [kind for kind, _, link in inbox(shop_api())] == [
        "service_order.requested",
        "service_order.accepted",
    ]

    # An insurer's staff member reads only their own messages; read-all clears the rest.
    first = picc.get("/api/v1/notices/inbox/").json()["results"][-1]
    assert cpic.post(f"/api/v1/notices/inbox/{first['id']}/read/").status_code == 404
    assert shop_api().post(f"/api/v1/notices/inbox/{first['id']}/read/").status_code == 404
    read = picc.post(f"/api/v1/notices/inbox/{first['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert picc.get("/api/v1/notices/unread/").json()["total"] == 1
    assert picc.get("/api/v1/notices/inbox/", {"unread": "1"}).json()["count"] == 1
    assert picc.post("/api/v1/notices/inbox/read-all/").json() == {"marked": 1}
    assert picc.get("/api/v1/notices/unread/").json()["total"] == 0
    assert shop_api().get("/api/v1/notices/unread/").json()["total"] == 2  # the shop's are untouched


def test_a_step_is_told_once_and_not_at_all_when_rolled_back(api, garage) -> None:
    class Order:  # what the service reads of a service order
        shop_id, insurer_id = garage.shop.pk, None

    payload = {"order_id": 1, "no": "SO202612010099", "state": "completed", "state_label": "已完工"}
    assert len(service_order_staff_notify(order=Order, step_id=990001, payload=payload)) == 1
    assert service_order_staff_notify(order=Order, step_id=990001, payload=payload) == []
    with pytest.raises(RuntimeError), transaction.atomic():
        service_order_staff_notify(order=Order, step_id=990002, payload=payload)
        raise RuntimeError("the step failed")
    assert list(
        Notification.objects.filter(kind="service_order.completed").values_list("source_key", "body")
    ) == [("service_step:990001", "服务单 SO202612010099 当前状态：已完工。")]


def test_a_part_falling_to_its_reorder_level_alerts_its_shop_s_staff(
    api, garage, shop_api, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        # 10 L of oil, reorder level 4: 5 leaves 5 (above), 1 more crosses to 4, 1 more is already under.
        for reference, litres in (("WO-1", "5"), ("WO-2", "1"), ("WO-3", "1")):
            stock_consume(
                actor=None,
                shop=garage.shop,
                reference=reference,
                lines=[(garage.oil.pk, Decimal(litres), "")],
            )
    shop = shop_api()
    rows = shop.get("/api/v1/notices/inbox/").json()["results"]
    assert [(m["category_label"], m["title"], m["body"], m["link"]) for m in rows] == [
        ("售后服务", "库存预警：机油 5W-30", "配件 OIL-5W30 机油 5W-30 库存 4.00，已降至补货线 4.00 以下（含），请及时补货。",
         "/shop-inventory"),
    ]  # fmt: skip
    assert shop_api(OTHER_SHOP_STAFF).get("/api/v1/notices/unread/").json()["total"] == 0
    assert tenant_unread_total(api) == 0


def tenant_unread_total(api) -> int:
    """Nobody on a tenant host is told of a shop's stock."""
    return sum(
        api(key).get("/api/v1/notices/unread/").json()["notifications"]
        for key in ("datang_admin", "datang_agent", "bowei_admin")
    )


def test_the_inbox_on_the_platform_host_refuses_strangers(api, garage) -> None:
    staff = User.objects.get(mobile=SHOP_STAFF)
    with transaction.atomic():
        [message] = service_order_staff_notify(
            order=type("Order", (), {"shop_id": garage.shop.pk, "insurer_id": None}),
            step_id=990010,
            payload={"no": "SO202612010100", "state": "accepted", "state_label": "已接单"},
        )
    assert message.user_id == staff.pk
    anonymous = api(None)
    assert anonymous.get("/api/v1/notices/inbox/").status_code == 401
    assert anonymous.post(f"/api/v1/notices/inbox/{message.pk}/read/").status_code == 401
    # A tenant's token does not open the platform host's inbox, and the tenant host has none of it.
    assert (
        api("datang_admin", host="localhost", token_host="datang.localhost")
        .get("/api/v1/notices/inbox/")
        .status_code
        == 401
    )
    assert api("datang_agent").post(f"/api/v1/notices/inbox/{message.pk}/read/").status_code == 404
    assert api("platform_admin").post(f"/api/v1/notices/inbox/{message.pk}/read/").status_code == 404
    assert person("platform_admin").pk != staff.pk
