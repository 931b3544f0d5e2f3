"""What a service-order step costs its request (issue 20): the queries it runs, counted from the
token lookup to the answer. The request writes the order, its step and the outbox event; the
inbox messages are the worker's (notices.dispatch), so a step's count does not grow with its
audience. A budget broken means work came back onto the request path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role
from accounts.services import membership_grant, user_create
from core import realtime
from tenants.models import Tenant
from tests.aftersales.test_flow import decide
from tests.conftest import person

pytestmark = pytest.mark.django_db

# Per step: auth (token, roles), the viewer's shop or scope, the locked order (with its tenant,
# shop, insurer and review, found among the viewer's orders: no bare read before it), the step's
# writes, the outbox event, then the answer: the order as written, its items (unless the step read
# them already) and progress. The tenant's staff for the live channels are cached. The budget is
# what was counted plus 2, for a token's occasional bookkeeping write. Counted (issue 20): request
# 16, accept 14, estimate 12, approve 12, start 15 (16 until the parts' stock and the stock moves
# were written in one statement), complete 11, settle 11, review 12 (the shop's
# steps write the tenant's outbox without a SET search_path there and back, -2; the request answers
# its one step without reading it back, -1); before: 17, 16, 14, 12, 18, 13, 13, 12; stop 29:
# start 22 → 20, the stock move without a savepoint of its own inside the step's transaction;
# stop 28:
# request 17, accept 14, estimate 16, approve 14, start 22, complete 13, settle 13, review 14; the
# stop before: request 18, accept 18, estimate 18, approve 21, start 26, complete 15, settle 16, review 15; the
# stop before: 26, 19, 23, 24, 27, 16, 17, 18 (the answer re-read the order with its totals; the
# request read the customer's agent and the partner shop one query at a time, inside a savepoint,
# and switched to the tenant's schema it was on); before that request 36, accept 31, approve 35,
# start 39, complete 28, settle 29, review 30.
BUDGET = {"request": 18, "accept": 16, "estimate": 14, "approve": 14, "start": 17, "complete": 13,
          "settle": 13, "review": 14}  # fmt: skip


def test_each_step_stays_within_its_query_budget(api, garage, shop_api):
    owner, shop = api("datang_owner"), shop_api()
    counts: dict[str, int] = {}

    def step(name, call):
        with CaptureQueriesContext(connection) as queries:
            answer = call()
        assert answer.status_code < 300, answer.json()
        counts[name] = len(queries.captured_queries)
        # the answer is built from the row the step wrote, not read again: it must be what the
        # detail view reads afresh, to the key
        data = answer.json()
        client, url = (
            (owner, f"/api/v1/service-orders/{data['id']}/")
            if name in ("request", "approve", "review")
            else (shop, f"/api/v1/shop/service-orders/{data['id']}/")
        )
        assert data == client.get(url).json(), name
        return data

    body = {"shop": garage.shop.pk, "vehicle": garage.vehicle.pk, "service": "保养", "description": "保养"}
    order = step("request", lambda: owner.post("/api/v1/service-orders/", body, format="json"))
    shop_url, owner_url = (
        f"/api/v1/shop/service-orders/{order['id']}",
        f"/api/v1/service-orders/{order['id']}",
    )
    step("accept", lambda: shop.post(f"{shop_url}/accept/", {}, format="json"))
    # the estimate answers with the items it wrote (the labour's price given as 80, stored 80.00)
    body = {"items": [{"kind": "part", "part": garage.oil.pk, "quantity": "4"},
                      {"kind": "labour", "name": "工时", "quantity": "1.5", "unit_price": "80", "unit_cost": "30"},
                      {"kind": "part", "part": garage.filter.pk, "quantity": "1", "unit_price": "36.5"}]}  # fmt: skip
    quoted = step("estimate", lambda: shop.post(f"{shop_url}/estimate/", body, format="json"))
    assert [(i["name"], i["quantity"], i["unit_price"], i["amount"]) for i in quoted["items"]] == [
        (garage.oil.name, "4.00", "68.00", "272.00"),
        ("工时", "1.50", "80.00", "120.00"),
        (garage.filter.name, "1.00", "36.50", "36.50"),
    ]
    assert quoted["quoted_total"] == "428.50"
    step("approve", lambda: owner.post(f"{owner_url}/approve/", decide(quoted["items"]), format="json"))
    for name in ("start", "complete", "settle"):
        paid = {"payment_method": "wechat"} if name == "settle" else {}  # the owner pays the shop
        step(name, lambda name=name, paid=paid: shop.post(f"{shop_url}/{name}/", paid, format="json"))
    done = step(
        "review", lambda: owner.post(f"{owner_url}/review/", {"technical": 5, "service": 5}, format="json")
    )
    assert done["state"] == "reviewed"
    over = {name: (counts[name], limit) for name, limit in BUDGET.items() if counts[name] > limit}
    assert not over, f"steps over their query budget (counted, budget): {over}"


def test_the_staff_a_step_pushes_to_follow_membership_changes(
    api, garage, shop_api, django_capture_on_commit_callbacks
):
    """The tenant's admins and finance are cached for the steps' pushes: a grant or a revocation is
    seen by the next step, and another tenant's staff are never among them. (The pushes leave after
    the commit: the test's transaction never commits, so its on-commit hooks are run here.)"""
    owner, shop = api("datang_owner"), shop_api()
    with django_capture_on_commit_callbacks(execute=True):
        datang = Tenant.objects.get(schema_name="datang")
        body = {
            "shop": garage.shop.pk,
            "vehicle": garage.vehicle.pk,
            "service": "保养",
            "description": "保养",
        }
        order = owner.post("/api/v1/service-orders/", body, format="json").json()  # fills the cache
        finance = user_create(mobile="13655596091", name="新财务")
        membership_grant(user=finance, role=Role.FINANCE, tenant_id=datang.pk)
        assert (
            shop.post(f"/api/v1/shop/service-orders/{order['id']}/accept/", {}, format="json").status_code
            == 200
        )
        admin = person("datang_admin")
        revoked = Membership.objects.get(user=admin, tenant=datang, role=Role.TENANT_ADMIN)
        revoked.is_active = False
        revoked.save(update_fields=["is_active"])
        cancelled = shop.post(
            f"/api/v1/shop/service-orders/{order['id']}/cancel/", {"reason": "车主改期"}, format="json"
        )
        assert cancelled.status_code == 200, cancelled.json()

    def events(user_id: int, schema: str = "datang") -> list[str]:
        pushed = realtime.recent(realtime.user_channel(user_id, schema), 50)
        return [m["event"] for m in pushed if m["data"].get("no") == order["no"]]

    assert events(finance.pk) == ["service_order.accepted", "service_order.cancelled"]  # from the grant on
    assert events(admin.pk) == ["service_order.requested", "service_order.accepted"]  # until the revocation
    assert events(person("bowei_admin").pk, "bowei") == []
