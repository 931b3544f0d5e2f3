"""Who sees a service order: the owner, their agent (and the agent's upline), the tenant's staff, the
shop doing the work and, for a claim, its insurer. Nobody else — not another tenant, another shop,
another insurer, a downline agent who doesn't promote the customer, or anyone anonymous."""

import pytest

from aftersales.models import ServiceOrder
from tests.aftersales.test_flow import request_service

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_the_visibility_matrix(api, garage, shop_api, insurer_api, team, as_distributor):
    order = request_service(api, garage, insurer=garage.picc.pk, claim_no="RDAA2026430100009999")
    pk, url = order["id"], f"/api/v1/service-orders/{order['id']}/"
    seen = {
        "owner": api("datang_owner"),
        "agent (promoter)": api("datang_agent"),
        "admin": api("datang_admin"),
    }
    for who, client in seen.items():
        if client is not None:
            assert ids(client.get("/api/v1/service-orders/")) == [pk], who
            assert client.get(url).status_code == 200, who
    assert ids(shop_api().get("/api/v1/shop/service-orders/")) == [pk]
    assert ids(insurer_api().get("/api/v1/insurer/claims/")) == [pk]

    member = as_distributor(team.member)  # below the promoter: not their customer
    peer = as_distributor(team.peer)
    for who, client in {"downline member": member, "peer": peer}.items():
        assert ids(client.get("/api/v1/service-orders/")) == [], who
        assert client.get(url).status_code == 404, who
    assert ids(api("bowei_admin").get("/api/v1/service-orders/")) == []
    assert api("bowei_admin").get(url).status_code == 404
    assert ids(shop_api("13655597002").get("/api/v1/shop/service-orders/")) == []
    assert shop_api("13655597002").get(f"/api/v1/shop/service-orders/{pk}/").status_code == 404
    other_shop = shop_api("13655597002").post(f"/api/v1/shop/service-orders/{pk}/accept/", {}, format="json")
    assert other_shop.status_code == 404
    assert ids(insurer_api("13655596002").get("/api/v1/insurer/claims/")) == []
    # Anonymous, a token carried to another host, and the wrong console for the role.
    assert api(None, host="datang.localhost").get("/api/v1/service-orders/").status_code == 401
    assert api(None).get("/api/v1/shop/service-orders/").status_code == 401
    assert api("datang_owner", host="bowei.localhost").get("/api/v1/service-orders/").status_code == 401
    assert api("datang_admin", host="datang.localhost").get("/api/v1/shop/service-orders/").status_code == 404
    assert api("platform_admin").get("/api/v1/shop/service-orders/").status_code == 403
    assert api("platform_admin").get("/api/v1/insurer/claims/").status_code == 403
    assert shop_api().get("/api/v1/insurer/claims/").status_code == 403
    # Only the owner acts as the owner: the agent can't approve or cancel for them.
    assert api("datang_agent").post(f"{url}cancel/", {}, format="json").status_code == 403
    assert ServiceOrder.objects.get(pk=pk).state == "requested"


def test_the_customer_service_history_follows_the_customer_scope(api, garage, team, as_distributor):
    order = request_service(api, garage)
    customer_id = order["customer_id"]
    history = api("datang_agent").get(f"/api/v1/customers/{customer_id}/service-orders/")
    assert history.status_code == 200 and [r["no"] for r in history.json()] == [order["no"]]
    assert api("datang_admin").get(f"/api/v1/customers/{customer_id}/service-orders/").status_code == 200
    assert (
        as_distributor(team.peer).get(f"/api/v1/customers/{customer_id}/service-orders/").status_code == 404
    )
    assert api("bowei_admin").get(f"/api/v1/customers/{customer_id}/service-orders/").status_code == 404
    assert api("datang_owner").get(f"/api/v1/customers/{customer_id}/service-orders/").status_code == 403


def test_bad_requests_name_their_field_and_write_nothing(api, garage, shop_api):
    owner = api("datang_owner")
    cases = [
        ({"vehicle": 999999}, "vehicle"),
        ({"shop": garage.other_shop.pk}, "shop"),
        ({"service": "洗车"}, "service"),
        ({"description": ""}, "description"),
        ({"mileage_km": -5}, "mileage_km"),
        ({"insurer": garage.picc.pk}, "claim_no"),
        ({"claim_no": "RDAA1"}, "insurer"),
        ({"shop": "岳麓"}, "shop"),
    ]
    base = {"shop": garage.shop.pk, "vehicle": garage.vehicle.pk, "service": "保养", "description": "保养"}
    for change, field in cases:
        bad = owner.post("/api/v1/service-orders/", {**base, **change}, format="json")
        assert bad.status_code == 400 and field in bad.json()["fields"], (change, bad.json())
    assert ServiceOrder.objects.count() == 0
    order = request_service(api, garage)
    shop = shop_api()
    shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json")
    url = f"/api/v1/shop/service-orders/{order['id']}/estimate/"
    bad_items = [
        ([{"kind": "labour", "name": "", "quantity": "1", "unit_price": "80"}], "items.0.name"),
        ([{"kind": "labour", "name": "工时", "quantity": "1", "unit_price": "-1"}], "items.0.unit_price"),
        ([{"kind": "part", "part": 999999, "quantity": "1"}], "items.0.part"),
        ([{"kind": "part", "part": garage.oil.pk, "quantity": "0"}], "items.0.quantity"),
        ([{"kind": "gift", "quantity": "1"}], "items.0.kind"),
        ([], "items"),
    ]
    for items, field in bad_items:
        bad = shop.post(url, {"items": items}, format="json")
        assert bad.status_code == 400 and field in bad.json()["fields"], (items, bad.json())
    assert ServiceOrder.objects.get(pk=order["id"]).state == "accepted"
    assert not ServiceOrder.objects.get(pk=order["id"]).items.exists()
    reject = shop.post(f"/api/v1/shop/service-orders/{order['id']}/reject/", {"reason": ""}, format="json")
    assert reject.status_code == 409  # accepted already: only a request can be rejected


def test_the_platform_admin_adds_claim_staff_to_an_insurer(api, garage):
    platform = api("platform_admin")
    listed = platform.get("/api/v1/platform/insurers/")
    assert listed.status_code == 200
    picc = next(i for i in listed.json() if i["code"] == "PICC")
    assert picc["staff"] == ["人保理赔员 13655596001"]
    bad = platform.post(
        f"/api/v1/platform/insurers/{picc['id']}/staff/", {"mobile": "1234", "name": "x"}, format="json"
    )
    assert bad.status_code == 400 and "mobile" in bad.json()["fields"]
    taken = platform.post(f"/api/v1/platform/insurers/{garage.cpic.pk}/staff/", {"mobile": "13655596001", "name": "x"},
                          format="json")  # fmt: skip
    assert taken.status_code == 400 and "其他保险公司" in taken.json()["fields"]["mobile"][0]
    added = platform.post(f"/api/v1/platform/insurers/{picc['id']}/staff/",
                          {"mobile": "13655596003", "name": "人保核损员", "password": "Claims@2026x"}, format="json")  # fmt: skip
    assert added.status_code == 201
    assert sorted(next(i for i in platform.get("/api/v1/platform/insurers/").json() if i["code"] == "PICC")["staff"]) == [
        "人保核损员 13655596003", "人保理赔员 13655596001",
    ]  # fmt: skip
    assert api("datang_admin").get("/api/v1/platform/insurers/").status_code == 404
    assert api(None).get("/api/v1/platform/insurers/").status_code == 401


def test_the_tenant_s_staff_filter_their_orders_by_shop(api, garage, shop_api):
    """售后工单 in the tenant's console: every order of the tenant, filtered by the shop doing it; the
    shops to choose from are those of the orders the user can see."""
    from django_tenants.utils import schema_context

    from catalog.models import PartnerShop

    with schema_context("datang"):
        PartnerShop.objects.create(shop=garage.other_shop)
    yuelu = request_service(api, garage)
    yuhua = request_service(api, garage, shop=garage.other_shop.pk)
    admin = api("datang_admin")
    assert ids(admin.get(f"/api/v1/service-orders/?shop={garage.other_shop.pk}")) == [yuhua["id"]]
    assert ids(admin.get(f"/api/v1/service-orders/?shop={garage.shop.pk}&state=requested")) == [yuelu["id"]]
    assert sorted(ids(admin.get("/api/v1/service-orders/"))) == sorted([yuelu["id"], yuhua["id"]])
    shops = admin.get("/api/v1/service-orders/options/").json()["shops"]
    assert sorted((s["id"], s["name"]) for s in shops) == sorted(
        [(garage.shop.pk, "福瑞卡岳麓店"), (garage.other_shop.pk, "雨花汽修")]
    )
    bad = admin.get("/api/v1/service-orders/?shop=岳麓")
    assert bad.status_code == 400 and bad.json()["fields"]["shop"] == ["门店编号应为整数"]
    # Another tenant sees neither the orders nor their shops; a shop filtering by another shop's id
    # still sees only its own orders (none of them there).
    assert api("bowei_admin").get("/api/v1/service-orders/options/").json()["shops"] == []
    assert ids(api("bowei_admin").get(f"/api/v1/service-orders/?shop={garage.shop.pk}")) == []
    assert ids(shop_api().get(f"/api/v1/shop/service-orders/?shop={garage.other_shop.pk}")) == []
    assert ids(shop_api().get(f"/api/v1/shop/service-orders/?shop={garage.shop.pk}")) == [yuelu["id"]]


PURCHASE_KEYS = {"cost_total", "unit_cost", "cost_amount"}


def keys_of(order: dict) -> set[str]:
    return set(order) | {key for item in order.get("items", []) for key in item}


def test_purchase_prices_go_to_the_shop_and_the_insurer_only(api, garage, shop_api, insurer_api):
    """Issue 22: the agent follows items, sale prices and progress; the shop and, for a claim, the
    insurer see the purchase prices (4 L oil at 45.00 = 180.00, filter 18.00, labour 30.00 = 228.00);
    the owner, the agent and the tenant's staff get no purchase price key in any response."""
    from tests.aftersales.test_flow import estimate

    order = request_service(api, garage, insurer=garage.picc.pk, claim_no="RDAA2026430100008888")
    pk = order["id"]
    shop = shop_api()
    assert shop.post(f"/api/v1/shop/service-orders/{pk}/accept/", {}, format="json").status_code == 200
    quoted = estimate(shop, pk, garage)
    assert quoted["cost_total"] == "228.00"

    for who in ("datang_agent", "datang_admin", "datang_owner"):
        client = api(who)
        detail = client.get(f"/api/v1/service-orders/{pk}/").json()
        assert detail["quoted_total"] == "387.00" and len(detail["items"]) == 3, who  # sale prices stay
        assert [i["amount"] for i in detail["items"]] == ["272.00", "35.00", "80.00"], who
        assert PURCHASE_KEYS.isdisjoint(keys_of(detail)), who
        listed = client.get("/api/v1/service-orders/").json()["results"]
        assert [row["id"] for row in listed] == [pk] and PURCHASE_KEYS.isdisjoint(listed[0]), who
    customer = order["customer_id"]
    for who in ("datang_agent", "datang_admin"):
        history = api(who).get(f"/api/v1/customers/{customer}/service-orders/").json()
        assert [row["id"] for row in history] == [pk] and PURCHASE_KEYS.isdisjoint(history[0]), who

    shop_detail = shop.get(f"/api/v1/shop/service-orders/{pk}/").json()
    claim = insurer_api().get(f"/api/v1/insurer/claims/{pk}/").json()
    for seen in (shop_detail, claim):
        assert seen["cost_total"] == "228.00"
        assert [(i["unit_cost"], i["cost_amount"]) for i in seen["items"]] == [
            ("45.00", "180.00"), ("18.00", "18.00"), ("30.00", "30.00"),
        ]  # fmt: skip
    assert shop.get("/api/v1/shop/service-orders/").json()["results"][0]["cost_total"] == "228.00"
    assert insurer_api().get("/api/v1/insurer/claims/").json()["results"][0]["cost_total"] == "228.00"
