"""What a 核销 costs its request (issue 20): the queries, counted from the write check to the
answer, and the paths a redemption takes (one conditional UPDATE for a whole pack; the row lock for
an item, or when the UPDATE finds the code no longer redeemable). A budget broken means work came
back onto the redemption's path."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from catalog.models import IssuedItem, IssuedPack, Redemption
from catalog.services import pack_issue, pack_save, product_save, redeem
from core.errors import DomainError
from customers.services import customer_create

pytestmark = pytest.mark.django_db

# Counted by hand (the SET search_path a request may send when the test body switched schemas is
# left out: it is the test's, not the request's). A redemption: the tenant's subscription (a write
# on a lapsed tenant is refused), the token and the roles, the code's state and its pack's mode,
# then in one transaction (a savepoint here) the conditional UPDATE of the code, the Redemption,
# the items, the outbox event; then the answer: the code with its pack, customer and policy, and
# its items. Before (issue 20): 13, the code read again under the row lock with its pack, written
# with save(), and read again for the answer.
REDEMPTION = [
    "subscription", "token", "roles", "state",
    "savepoint", "update code", "insert redemption", "update items", "insert event", "release",
    "answer: code", "answer: items",
]  # fmt: skip
# A refusal right after it: the token and the roles, the code's state (the tenant's subscription
# comes from the cache the redemption filled, subscriptions.selectors.subscription_of_cached).
REFUSAL = ["token", "roles", "state"]


def issued_code(mode: str) -> IssuedPack:
    with schema_context("datang"):
        oil = product_save(actor=None, name="计数机油", kind="goods", market_price=Decimal("210"),
                           actual_price=Decimal("100"), stock=10)  # fmt: skip
        tea = product_save(actor=None, name="计数奶茶", kind="goods", market_price=Decimal("15"),
                           actual_price=Decimal("7"), stock=10)  # fmt: skip
        pack = pack_save(actor=None, name=f"计数礼包{mode}", expires_on=timezone.localdate() + timedelta(days=3),
                         redeem_mode=mode, items=[{"product": oil.pk, "quantity": 1}, {"product": tea.pk, "quantity": 2}])  # fmt: skip
        customer = customer_create(actor=None, name="计数客户", mobile="13912349188")
        return pack_issue(actor=None, pack=pack, customer=customer)


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        answer = call()
    return answer, [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]


def test_a_redemption_and_a_refusal_stay_within_their_query_budget(api):
    code = issued_code("whole").code
    admin = api("datang_admin")
    admin.get("/api/v1/me/")  # the host's tenant is looked up once per process

    def attempt():
        return admin.post(
            "/api/v1/gift-packs/redeem/", {"code": code.lower(), "place": "福田门店"}, format="json"
        )

    answer, sql = counted(attempt)
    assert answer.status_code == 200, answer.json()
    assert len(sql) == len(REDEMPTION), "\n".join(q[:100] for q in sql)
    body = answer.json()
    assert (body["status"], body["status_label"], body["customer_name"], body["pack_name"]) == (
        "redeemed", "已兑换", "计数客户", "计数礼包whole"
    )  # fmt: skip
    assert [(i["name"], i["quantity"], i["redeemed"]) for i in body["items"]] == [
        ("计数机油", 1, True), ("计数奶茶", 2, True)
    ]  # fmt: skip
    # the answer, built from what the redemption read and wrote, is what a lookup reads afresh
    assert body == admin.get("/api/v1/gift-packs/lookup/", {"code": code}).json()
    with schema_context("datang"):
        assert list(Redemption.objects.filter(issued__code=code).values_list("place", "item")) == [
            ("福田门店", None)
        ]
        assert list(IssuedItem.objects.filter(issued__code=code).values_list("redeemed", flat=True)) == [
            True,
            True,
        ]

    again, sql = counted(attempt)
    assert again.status_code == 409 and again.json()["code"] == "already_redeemed"
    assert len(sql) == len(REFUSAL), "\n".join(q[:100] for q in sql)
    with schema_context("datang"):
        assert Redemption.objects.filter(issued__code=code).count() == 1


def test_a_partly_redeemed_pack_is_not_redeemed_whole_and_its_items_go_one_by_one():
    issued = issued_code("per_item")
    with schema_context("datang"):
        oil, tea = list(issued.items.order_by("id"))
        assert redeem(actor=None, code=issued.code, item_id=tea.pk).status == "partial"
        # the whole pack's UPDATE matches nothing (not untouched): decided under the row lock
        with pytest.raises(DomainError) as whole:
            redeem(actor=None, code=issued.code)
        assert whole.value.code == "partly_redeemed"
        done = redeem(actor=None, code=issued.code, item_id=oil.pk)
        assert (done.status, done.customer.name) == ("redeemed", "计数客户")
        assert sorted(Redemption.objects.filter(issued=issued).values_list("item", flat=True)) == [
            oil.pk,
            tea.pk,
        ]
        with pytest.raises(DomainError) as again:
            redeem(actor=None, code=issued.code)
        assert again.value.code == "already_redeemed"
