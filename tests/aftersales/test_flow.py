"""The service order flow end to end with real prices: request → accept → estimate → the owner (and,
for a claim, the insurer) decides item by item → start (parts leave stock) → complete → settle →
review; each step pushed to the owner, the agent, the shop (and the insurer)."""

from decimal import Decimal

import pytest

from aftersales.models import ServiceItem, ServiceOrder
from core import realtime
from inventory.models import Part, StockMove
from tests.conftest import person

pytestmark = pytest.mark.django_db


def request_service(api, garage, **extra):
    body = {"shop": garage.shop.pk, "vehicle": garage.vehicle.pk, "service": "保养",
            "description": "5000 公里保养，换机油机滤", "mileage_km": 15230, **extra}  # fmt: skip
    made = api("datang_owner").post("/api/v1/service-orders/", body, format="json")
    assert made.status_code == 201, made.json()
    return made.json()


def estimate(shop, order_id: int, garage, oil_litres: str = "4") -> dict:
    body = {
        "items": [
            {"kind": "part", "part": garage.oil.pk, "quantity": oil_litres},
            {"kind": "part", "part": garage.filter.pk, "quantity": "1"},
            {
                "kind": "labour",
                "name": "更换机油机滤工时",
                "quantity": "1",
                "unit_price": "80.00",
                "unit_cost": "30.00",
            },
        ]
    }
    made = shop.post(f"/api/v1/shop/service-orders/{order_id}/estimate/", body, format="json")
    assert made.status_code == 200, made.json()
    return made.json()


def decide(items: list[dict], declined: frozenset[str] | set[str] = frozenset()) -> dict:
    return {
        "items": [
            {"item": i["id"], "decision": "declined" if i["name"] in declined else "approved"} for i in items
        ]
    }


def test_a_maintenance_order_runs_through_every_step_with_its_prices(
    api, garage, shop_api, django_capture_on_commit_callbacks
):
    owner, shop = api("datang_owner"), shop_api()
    with django_capture_on_commit_callbacks(execute=True):
        order = request_service(api, garage)
        assert order["state"] == "requested" and order["plate"] == "湘A12345" and order["no"].startswith("SO")
        assert (
            shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json").status_code
            == 200
        )
        quoted = estimate(shop, order["id"], garage)
    # 4 L × 68.00 + 1 × 35.00 + 80.00 labour; purchase 4 × 45.00 + 18.00 + 30.00
    assert quoted["state"] == "quoted"
    assert (quoted["quoted_total"], quoted["cost_total"]) == ("387.00", "228.00")
    assert [(i["name"], i["amount"], i["cost_amount"]) for i in quoted["items"]] == [
        ("机油 5W-30", "272.00", "180.00"), ("机油滤芯", "35.00", "18.00"), ("更换机油机滤工时", "80.00", "30.00"),
    ]  # fmt: skip
    seen_by_owner = owner.get(f"/api/v1/service-orders/{order['id']}/").json()
    assert seen_by_owner["actions"] == ["approve", "cancel"]
    assert "cost_total" not in seen_by_owner and {"unit_cost", "cost_amount"}.isdisjoint(
        seen_by_owner["items"][0]
    )

    with django_capture_on_commit_callbacks(execute=True):
        approved = owner.post(f"/api/v1/service-orders/{order['id']}/approve/",
                              decide(seen_by_owner["items"], declined={"机油滤芯"}), format="json")  # fmt: skip
        assert approved.status_code == 200, approved.json()
        assert (approved.json()["state"], approved.json()["approved_total"]) == ("approved", "352.00")
        # each decision stored on its item, and answered as stored
        stored = ServiceItem.objects.filter(order_id=order["id"]).order_by("sort")
        assert [(i.name, i.owner_decision, i.insurer_decision) for i in stored] == [
            ("机油 5W-30", "approved", "pending"), ("机油滤芯", "declined", "pending"),
            ("更换机油机滤工时", "approved", "pending"),
        ]  # fmt: skip
        assert [(i["name"], i["owner_decision"], i["approved"]) for i in approved.json()["items"]] == [
            ("机油 5W-30", "approved", True), ("机油滤芯", "declined", False), ("更换机油机滤工时", "approved", True),
        ]  # fmt: skip
        started = shop.post(f"/api/v1/shop/service-orders/{order['id']}/start/", {}, format="json")
        assert started.status_code == 200, started.json()
        url = f"/api/v1/shop/service-orders/{order['id']}"
        assert shop.post(f"{url}/complete/", {}, format="json").status_code == 200
        # 结算 asks how the owner paid: without it (or with the insurer's method) a 400 naming the field
        for body in ({}, {"payment_method": "insurer"}, {"payment_method": "bitcoin"}):
            refused = shop.post(f"{url}/settle/", body, format="json")
            assert refused.status_code == 400 and list(refused.json()["fields"]) == ["payment_method"], body
        settled = shop.post(f"{url}/settle/", {"payment_method": "wechat"}, format="json")
        assert settled.status_code == 200, settled.json()
        assert (settled.json()["state"], settled.json()["payment_method"]) == ("settled", "wechat")
        assert settled.json()["progress"][-1]["note"] == "车主微信支付 352.00 元"
        reviewed = owner.post(f"/api/v1/service-orders/{order['id']}/review/",
                              {"technical": 5, "service": 4, "comment": "师傅很专业"}, format="json")  # fmt: skip
    assert reviewed.status_code == 200, reviewed.json()
    done = reviewed.json()
    assert (done["state"], done["settled_amount"], done["insurer_pays"]) == ("reviewed", "352.00", "0.00")
    assert done["review"]["technical"] == 5 and done["review"]["service"] == 4
    assert [p["title"] for p in done["progress"]] == [
        "车主提交施工申请", "门店已接单", "门店已检测并报价", "维修项目已确认", "开始施工", "施工完成", "已结算", "车主已评价",
    ]  # fmt: skip
    # Only the approved oil left the stock (10 → 6); the declined filter stayed (5).
    assert Part.objects.get(pk=garage.oil.pk).stock == Decimal("6.00")
    assert Part.objects.get(pk=garage.filter.pk).stock == Decimal("5.00")
    assert StockMove.objects.get(reference=order["no"]).quantity == Decimal("-4.00")
    # Every step reached the owner, the agent and the tenant's admin (售后工单) on Datang's host, and the
    # shop's console; never Bowei's admin.
    steps = ["requested", "accepted", "quoted", "approved", "in_progress", "completed", "settled", "reviewed"]
    for channel in (
        realtime.user_channel(person("datang_owner").pk, "datang"),
        realtime.user_channel(person("datang_agent").pk, "datang"),
        realtime.user_channel(person("datang_admin").pk, "datang"),
        realtime.shop_channel(garage.shop.pk),
    ):
        pushed = [m for m in realtime.recent(channel, 50) if m["data"].get("no") == order["no"]]
        assert [m["event"] for m in pushed] == [f"service_order.{s}" for s in steps]
    bowei = realtime.recent(realtime.user_channel(person("bowei_admin").pk, "bowei"), 50)
    assert [m for m in bowei if m["data"].get("no") == order["no"]] == []
    again = owner.post(
        f"/api/v1/service-orders/{order['id']}/review/", {"technical": 1, "service": 1}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "service_order_invalid_transition"


def test_steps_out_of_order_are_409s_naming_the_state(api, garage, shop_api):
    owner, shop = api("datang_owner"), shop_api()
    order = request_service(api, garage)
    url = f"/api/v1/shop/service-orders/{order['id']}"
    early = shop.post(f"{url}/start/", {}, format="json")
    assert early.status_code == 409 and "施工申请" in early.json()["message"]
    review = owner.post(
        f"/api/v1/service-orders/{order['id']}/review/", {"technical": 5, "service": 5}, format="json"
    )
    assert review.status_code == 409
    shop.post(f"{url}/accept/", {}, format="json")
    assert shop.post(f"{url}/accept/", {}, format="json").status_code == 409
    quoted = estimate(shop, order["id"], garage)
    owner.post(f"/api/v1/service-orders/{order['id']}/approve/", decide(quoted["items"]), format="json")
    twice = owner.post(
        f"/api/v1/service-orders/{order['id']}/approve/", decide(quoted["items"]), format="json"
    )
    assert twice.status_code == 409
    late_cancel = owner.post(
        f"/api/v1/service-orders/{order['id']}/cancel/", {"reason": "不修了"}, format="json"
    )
    assert late_cancel.status_code == 409 and late_cancel.json()["code"] == "service_order_invalid_transition"
    assert ServiceOrder.objects.get(pk=order["id"]).state == "approved"


def test_declining_everything_or_a_partial_decision_is_refused(api, garage, shop_api):
    owner, shop = api("datang_owner"), shop_api()
    order = request_service(api, garage)
    shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
    items = estimate(shop, order["id"], garage)["items"]
    partial = owner.post(f"/api/v1/service-orders/{order['id']}/approve/",
                         {"items": [{"item": items[0]["id"], "decision": "approved"}]}, format="json")  # fmt: skip
    assert partial.status_code == 400 and "机油滤芯" in partial.json()["fields"]["items"][0]
    none = owner.post(f"/api/v1/service-orders/{order['id']}/approve/",
                      decide(items, declined={i["name"] for i in items}), format="json")  # fmt: skip
    assert none.status_code == 409 and none.json()["code"] == "service_order_nothing_approved"
    after = owner.get(f"/api/v1/service-orders/{order['id']}/").json()
    assert after["state"] == "quoted" and {i["owner_decision"] for i in after["items"]} == {"pending"}


def test_short_stock_stops_the_start_unless_the_shop_overrides_with_a_reason(api, garage, shop_api):
    owner, shop = api("datang_owner"), shop_api()
    order = request_service(api, garage)
    url = f"/api/v1/shop/service-orders/{order['id']}"
    shop.post(f"{url}/accept/", {}, format="json")
    items = estimate(shop, order["id"], garage, oil_litres="12")["items"]
    owner.post(f"/api/v1/service-orders/{order['id']}/approve/", decide(items), format="json")
    short = shop.post(f"{url}/start/", {}, format="json")
    assert short.status_code == 409
    assert "机油 5W-30 库存不足：需要 12，现有 10" in short.json()["fields"]["items"][0]
    assert Part.objects.get(pk=garage.oil.pk).stock == Decimal("10.00")
    assert Part.objects.get(pk=garage.filter.pk).stock == Decimal("5.00")
    assert ServiceOrder.objects.get(pk=order["id"]).state == "approved"
    forced = shop.post(f"{url}/start/", {"override_reason": "客户自带 2 升，先出库后补录"}, format="json")
    assert forced.status_code == 200, forced.json()
    assert Part.objects.get(pk=garage.oil.pk).stock == Decimal("-2.00")
    assert StockMove.objects.get(reference=order["no"], part=garage.oil).override_reason.startswith(
        "客户自带"
    )


def test_a_claim_needs_the_insurer_too_and_the_insurer_sees_purchase_prices(
    api, garage, shop_api, insurer_api, django_capture_on_commit_callbacks
):
    owner, shop, picc, cpic = api("datang_owner"), shop_api(), insurer_api(), insurer_api("13655596002")
    with django_capture_on_commit_callbacks(execute=True):
        order = request_service(
            api, garage, service="事故车维修", insurer=garage.picc.pk, claim_no="RDAA2026430100001234"
        )
    shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
    items = estimate(shop, order["id"], garage)["items"]
    owner_ok = owner.post(
        f"/api/v1/service-orders/{order['id']}/approve/", decide(items), format="json"
    ).json()
    assert owner_ok["state"] == "quoted" and owner_ok["actions"] == ["cancel"]  # waiting for the insurer
    claims = picc.get("/api/v1/insurer/claims/").json()["results"]
    assert [(c["no"], c["quoted_total"], c["cost_total"]) for c in claims] == [
        (order["no"], "387.00", "228.00")
    ]
    seen = picc.get(f"/api/v1/insurer/claims/{order['id']}/").json()
    assert [i["unit_cost"] for i in seen["items"]] == ["45.00", "18.00", "30.00"] and seen["actions"] == [
        "approve"
    ]
    assert cpic.get("/api/v1/insurer/claims/").json()["results"] == []
    assert cpic.get(f"/api/v1/insurer/claims/{order['id']}/").status_code == 404
    assert (
        cpic.post(f"/api/v1/insurer/claims/{order['id']}/approve/", decide(items), format="json").status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        decided = picc.post(f"/api/v1/insurer/claims/{order['id']}/approve/",
                            decide(items, declined={"更换机油机滤工时"}), format="json")  # fmt: skip
    assert decided.status_code == 200, decided.json()
    # Approved by both: 272.00 + 35.00; the labour the insurer declined is not charged.
    assert (decided.json()["state"], decided.json()["approved_total"]) == ("approved", "307.00")
    stored = ServiceItem.objects.filter(order_id=order["id"]).order_by("sort")
    assert [(i.owner_decision, i.insurer_decision) for i in stored] == [
        ("approved", "approved"), ("approved", "approved"), ("approved", "declined"),
    ]  # fmt: skip
    assert "service_order.requested" in [
        m["event"] for m in realtime.recent(realtime.insurer_channel(garage.picc.pk))
    ]
    for step in ("start", "complete", "settle"):
        shop.post(f"/api/v1/shop/service-orders/{order['id']}/{step}/", {}, format="json")
    settled = picc.get(f"/api/v1/insurer/claims/{order['id']}/").json()
    # a claim needs no payment method from the shop: the insurer pays
    assert (settled["settled_amount"], settled["insurer_pays"]) == ("307.00", "307.00")
    assert settled["payment_method"] == "insurer"


def test_the_insurer_compares_each_shops_purchase_prices_with_the_average(api, garage, shop_api, insurer_api):
    from django_tenants.utils import schema_context

    from catalog.models import PartnerShop
    from inventory.services import part_save, stock_purchase

    with schema_context("datang"):
        PartnerShop.objects.create(shop=garage.other_shop)
    dear = part_save(
        actor=None,
        shop=garage.other_shop,
        code="OIL-5W30",
        name="机油 5W-30",
        unit_cost="52.00",
        sale_price="75.00",
    )
    stock_purchase(actor=None, part=dear, quantity="10", unit_cost="52.00")
    owner = api("datang_owner")
    for shop, part, client in (
        (garage.shop, garage.oil, shop_api()),
        (garage.other_shop, dear, shop_api("13655597002")),
    ):
        order = request_service(
            api, garage, shop=shop.pk, insurer=garage.picc.pk, claim_no=f"RDAA{shop.pk:016d}"
        )
        client.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
        items = client.post(f"/api/v1/shop/service-orders/{order['id']}/estimate/",
                            {"items": [{"kind": "part", "part": part.pk, "quantity": "4"}]}, format="json").json()["items"]  # fmt: skip
        owner.post(f"/api/v1/service-orders/{order['id']}/approve/", decide(items), format="json")
        insurer_api().post(f"/api/v1/insurer/claims/{order['id']}/approve/", decide(items), format="json")
    stats = insurer_api().get("/api/v1/insurer/claims/stats/").json()
    assert [(s["shop_name"], s["orders"], s["amount"], s["cost"]) for s in stats["shops"]] == [
        ("雨花汽修", 2 - 1, "300.00", "208.00"), ("福瑞卡岳麓店", 1, "272.00", "180.00"),
    ]  # fmt: skip
    # 8 L cost 388.00 in all: 48.50 a litre; 岳麓 buys at 45.00 (−7.2%), 雨花 at 52.00 (+7.2%).
    assert [(p["shop_name"], p["shop_avg_unit_cost"], p["all_shops_avg_unit_cost"], p["vs_average_pct"])
            for p in stats["parts"]] == [("福瑞卡岳麓店", "45.00", "48.50", "-7.2"), ("雨花汽修", "52.00", "48.50", "7.2")]  # fmt: skip


def test_a_description_longer_than_a_step_note_is_kept_whole_on_the_order(api, garage):
    """施工申请 takes up to 2000 characters; its step (the first of the progress) notes the first
    500, as every step's note is cut, instead of failing the request."""
    description = "发动机异响，" * 333 + "冷"  # 6 × 333 + 1 = 1999 characters
    order = request_service(api, garage, description=description)
    assert order["description"] == description
    assert order["progress"][0]["note"] == description[:500]
    too_long = api("datang_owner").post(
        "/api/v1/service-orders/",
        {
            "shop": garage.shop.pk,
            "vehicle": garage.vehicle.pk,
            "service": "保养",
            "description": description + "冷冷",
        },
        format="json",
    )
    assert too_long.status_code == 400 and "description" in too_long.json()["fields"]


def test_a_step_committed_is_answered_even_when_its_push_cannot_be_appended(
    api, garage, shop_api, monkeypatch, django_capture_on_commit_callbacks
):
    """The pushes leave after the commit: Redis refusing them (down, between the request's other
    reads and the hook) is logged, and the shop still gets its 200 for the step it wrote."""
    import redis

    order = request_service(api, garage)
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr("core.realtime.client", lambda: down)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        accepted = shop_api().post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "accepted" and hooks  # the hooks ran, the append among them
