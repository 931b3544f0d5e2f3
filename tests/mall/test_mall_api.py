"""The mall with Stripe answered at the HTTP boundary (the ``responses`` library): stripe-python's
real client builds every request. Webhooks are signed offline with the test secret."""

import json
import re
import time
from datetime import timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import parse_qs

import pytest
import responses
import stripe
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from catalog.models import Product
from catalog.services import product_save
from commissions.engine import current_open_period
from commissions.models import Entry
from commissions.services import plan_put_in_force, plan_save, settlement_run_execute, settlement_start
from core.models import DomainEvent
from customers.butler import preferences_recompute
from customers.models import Customer, Preference
from customers.services import customer_create
from mall.models import Order
from mall.services import reservations_release
from network.models import Distributor
from network.services import agent_create, customer_referrer_ensure, tier_create
from tests.commissions.conftest import sell
from tests.conftest import PEOPLE

pytestmark = pytest.mark.django_db
STRIPE = "https://api.stripe.com/v1"


@pytest.fixture
def stripe_api():
    """Stripe's answers: a new PaymentIntent per order, refunds that succeed, cancellations."""
    made = count(1)

    def intent(request):
        n = next(made)
        body = {"id": f"pi_test_{n}", "object": "payment_intent", "status": "requires_payment_method",
                "client_secret": f"pi_test_{n}_secret_x", "currency": "cny"}  # fmt: skip
        return 200, {}, json.dumps(body)

    def refund(request):
        return 200, {}, json.dumps({"id": f"re_{time.time_ns()}", "object": "refund", "status": "succeeded"})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, f"{STRIPE}/payment_intents", callback=intent)
        mock.add_callback(responses.POST, f"{STRIPE}/refunds", callback=refund)
        mock.add(responses.POST, re.compile(rf"{STRIPE}/payment_intents/pi_test_\d+/cancel"),
                 json={"object": "payment_intent", "status": "canceled"})  # fmt: skip
        yield mock


@pytest.fixture
def shelf(datang):
    with schema_context("datang"):
        oil = product_save(actor=None, name="商城机油", kind="goods", market_price=Decimal("210"),
                           actual_price=Decimal("188.50"), stock=3)  # fmt: skip
        wash = product_save(actor=None, name="精洗服务", kind="service", market_price=Decimal("60"),
                            actual_price=Decimal("39.00"), stock=None)  # fmt: skip
        return oil, wash


def webhook(api, kind: str, obj: dict, event_id: str | None = None, secret: str | None = None):
    payload = json.dumps({
        "id": event_id or f"evt_{kind}_{time.time_ns()}", "object": "event", "type": kind, "api_version": "2025-01-27",
        "created": int(time.time()), "data": {"object": obj},
    })  # fmt: skip
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET
    )
    return api(None).post("/api/v1/payments/stripe/webhook/", payload, content_type="application/json",
                          HTTP_STRIPE_SIGNATURE=header)  # fmt: skip


def intent_of(order_id: int) -> str:
    with schema_context("datang"):
        return str(Order.objects.get(pk=order_id).payment_intent)


def paid(order_id: int) -> dict:
    """The order's PaymentIntent, as a webhook carries it."""
    return {
        "id": intent_of(order_id),
        "object": "payment_intent",
        "metadata": {"tenant": "datang", "order": str(order_id)},
    }


def stock(product: Product) -> int | None:
    with schema_context("datang"):
        return Product.objects.get(pk=product.pk).stock


def test_an_owner_orders_stock_is_reserved_and_only_a_verified_webhook_pays(api, shelf, stripe_api):
    oil, wash = shelf
    owner = api("datang_owner")
    placed = owner.post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 2},
                                                           {"product": wash.pk, "quantity": 1}]}, format="json")  # fmt: skip
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    # 188.50 × 2 + 39.00
    assert (order["total"], order["status"], order["client_secret"]) == (
        "416.00",
        "pending_payment",
        "pi_test_1_secret_x",
    )
    assert order["payment_methods"] == ["card", "wechat_pay", "alipay"] and stock(oil) == 1
    sent = parse_qs(stripe_api.calls[0].request.body)
    assert (sent["amount"], sent["currency"], sent["metadata[tenant]"]) == (["41600"], ["cny"], ["datang"])
    assert sent["payment_method_types[0]"] == ["card"] and sent["payment_method_types[2]"] == ["alipay"]

    forged = webhook(api, "payment_intent.succeeded", paid(order["id"]), secret="whsec_not_ours")
    assert forged.status_code == 400 and "signature" in forged.json()["fields"]
    assert owner.get(f"/api/v1/mall/orders/{order['id']}/").json()["status"] == "pending_payment"
    first = webhook(api, "payment_intent.succeeded", paid(order["id"]), event_id="evt_paid_1")
    assert first.json() == {"result": "paid"}
    assert webhook(api, "payment_intent.succeeded", paid(order["id"]), event_id="evt_paid_1").json() == {
        "result": "duplicate"
    }
    # A failure notice arriving late (out of order) changes nothing.
    assert webhook(api, "payment_intent.payment_failed", paid(order["id"])).json() == {"result": "no change"}
    seen = owner.get(f"/api/v1/mall/orders/{order['id']}/").json()
    assert (seen["status"], seen["client_secret"]) == ("paid", "")
    with schema_context("datang"):
        assert DomainEvent.objects.filter(kind="order.paid").count() == 1


def test_a_webhook_whose_worker_dies_while_applying_it_is_applied_on_stripes_retry(
    api, shelf, stripe_api, monkeypatch
):
    """The event is recorded as processed in the transaction that applies it. Before, the record
    was committed first: a worker that died in between (gunicorn's timeout raises SystemExit) left
    it recorded, Stripe's retry was answered "duplicate", and the paid order stayed unpaid."""
    import mall.services

    oil, _ = shelf
    placed = api("datang_owner").post(
        "/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 1}]}, format="json"
    )
    order_id = placed.json()["id"]
    real_apply = mall.services._apply

    def dies(*args, **kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(mall.services, "_apply", dies)
    with pytest.raises(SystemExit):
        webhook(api, "payment_intent.succeeded", paid(order_id), event_id="evt_paid_dies")
    monkeypatch.setattr(mall.services, "_apply", real_apply)
    retry = webhook(api, "payment_intent.succeeded", paid(order_id), event_id="evt_paid_dies")
    assert retry.json() == {"result": "paid"}
    with schema_context("datang"):
        assert Order.objects.get(pk=order_id).status == "paid"
        assert DomainEvent.objects.filter(kind="order.paid", object_id=str(order_id)).count() == 1


def test_out_of_stock_and_stripe_down_leave_nothing_behind(api, shelf, stripe_api):
    oil, _ = shelf
    owner = api("datang_owner")
    short = owner.post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 4}]}, format="json")
    assert short.status_code == 400 and "剩 3 件" in short.json()["fields"]["items.0.quantity"][0]
    stripe_api.remove(responses.POST, f"{STRIPE}/payment_intents")
    stripe_api.add(
        responses.POST, f"{STRIPE}/payment_intents", status=500, json={"error": {"message": "down"}}
    )
    down = owner.post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 1}]}, format="json")
    assert down.status_code == 502 and down.json()["code"] == "payment_unavailable"
    with schema_context("datang"):
        assert Order.objects.count() == 0
    assert stock(oil) == 3


def test_a_failed_payment_or_an_expired_reservation_gives_the_stock_back(api, shelf, stripe_api):
    oil, _ = shelf
    owner = api("datang_owner")
    order = owner.post(
        "/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 2}]}, format="json"
    ).json()
    assert webhook(api, "payment_intent.payment_failed", paid(order["id"])).json() == {"result": "cancelled"}
    assert stock(oil) == 3
    again = owner.post(
        "/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 3}]}, format="json"
    ).json()
    assert stock(oil) == 0
    with schema_context("datang"):
        assert reservations_release(now=timezone.now()) == 0  # still within its 30 minutes
        assert reservations_release(now=timezone.now() + timedelta(minutes=31)) == 1
        assert Order.objects.get(pk=again["id"]).cancel_reason == "超时未支付"
    assert stock(oil) == 3
    assert any(
        c.request.url.endswith(f"/payment_intents/{intent_of(again['id'])}/cancel") for c in stripe_api.calls
    )
    # Paid after all, once its stock was released: the payment is refunded, not accepted.
    late = webhook(api, "payment_intent.succeeded", paid(again["id"]))
    assert late.json() == {"result": "late payment refunded"}


def test_refunds_full_or_partial_through_stripe(api, shelf, stripe_api):
    oil, wash = shelf
    owner = api("datang_owner")
    order = owner.post(
        "/api/v1/mall/orders/", {"items": [{"product": wash.pk, "quantity": 2}]}, format="json"
    ).json()
    admin = api("datang_admin")
    early = admin.post(f"/api/v1/mall/orders/{order['id']}/refund/", {"amount": "10"}, format="json")
    assert early.status_code == 409
    webhook(api, "payment_intent.succeeded", paid(order["id"]))
    too_much = admin.post(f"/api/v1/mall/orders/{order['id']}/refund/", {"amount": "78.01"}, format="json")
    assert too_much.status_code == 400 and "amount" in too_much.json()["fields"]
    part = admin.post(
        f"/api/v1/mall/orders/{order['id']}/refund/", {"amount": "39.00", "reason": "少做一次"}, format="json"
    )
    assert (part.json()["status"], part.json()["refunded"]) == ("partially_refunded", "39.00")
    assert parse_qs(stripe_api.calls[-1].request.body)["amount"] == ["3900"]
    # Stripe's own notice of the full refund brings the order to 已退款; replaying it changes nothing.
    charge = {"id": "ch_1", "object": "charge", "payment_intent": intent_of(order["id"]), "amount_refunded": 7800,
              "metadata": {"tenant": "datang"}}  # fmt: skip
    assert webhook(api, "charge.refunded", charge, event_id="evt_ref_1").json() == {"result": "refunded"}
    assert webhook(api, "charge.refunded", charge, event_id="evt_ref_1").json() == {"result": "duplicate"}
    done = admin.get(f"/api/v1/mall/orders/{order['id']}/").json()
    assert (done["status"], done["refunded"]) == ("refunded", "78.00")
    with schema_context("datang"):
        amounts = [
            e.payload["amount"] for e in DomainEvent.objects.filter(kind="order.refunded").order_by("id")
        ]
        assert amounts == ["39.00", "39.00"]


def test_orders_stay_in_their_tenant_and_with_their_owner(api, shelf, stripe_api, team):
    oil, _ = shelf
    order = api("datang_owner").post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 1}]},
                                     format="json").json()  # fmt: skip
    assert api("bowei_admin").get(f"/api/v1/mall/orders/{order['id']}/").status_code == 404
    assert api("bowei_admin").get("/api/v1/mall/orders/").json()["results"] == []
    assert api("datang_admin").get("/api/v1/mall/orders/").json()["results"][0]["number"] == order["number"]
    assert api(None, host="datang.localhost").get("/api/v1/mall/orders/").status_code == 401
    assert api("datang_agent").get("/api/v1/mall/orders/").status_code == 403
    products = api("datang_owner").get("/api/v1/mall/products/").json()["results"]
    assert {p["name"] for p in products} == {"商城机油", "精洗服务"}
    assert api("bowei_admin").get("/api/v1/mall/products/").json()["results"] == []


def test_a_paid_order_pays_the_sellers_chain_and_refunds_take_it_back_to_the_cent(
    api, shelf, stripe_api, team, django_capture_on_commit_callbacks
):
    """The owner's promoter is 王海峰 (团队长) under 唐总: per level, goods 10% / 5%, services 8% / 4%."""
    oil, wash = shelf
    with schema_context("datang"):
        owner = customer_create(
            actor=None, name="商城客户", mobile=PEOPLE["datang_owner"].mobile, promoter_id=team.lead.pk
        )
        assert owner.user is not None
    admin = api("datang_admin")
    rules = [{"line": line, "distance": d, "rate": r}
             for line, rates in (("goods", ("0.10", "0.05")), ("services", ("0.08", "0.04"))) for d, r in enumerate(rates)]  # fmt: skip
    plan = admin.post("/api/v1/commissions/plans/", {"name": "商城方案", "scheme": "per_level",
                      "settlement_mode": "cross_level", "rules": rules}, format="json").json()  # fmt: skip
    admin.post(f"/api/v1/commissions/plans/{plan['id']}/in-force/")
    order = api("datang_owner").post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 2},
                                     {"product": wash.pk, "quantity": 1}]}, format="json").json()  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        webhook(api, "payment_intent.succeeded", paid(order["id"]))
    with schema_context("datang"):
        earned = {(e.line, e.distributor.name): format(e.amount, "f")
                  for e in Entry.objects.filter(source_type="order_item").select_related("distributor")}  # fmt: skip
    # goods 377.00 × 10% and × 5%; services 39.00 × 8% and × 4%
    assert earned == {("goods", "王海峰"): "37.70", ("goods", "唐总"): "18.85",
                      ("services", "王海峰"): "3.12", ("services", "唐总"): "1.56"}  # fmt: skip
    for amount in ("100.00", "316.00"):  # two partial refunds that add up to the 416.00 paid
        with django_capture_on_commit_callbacks(execute=True):
            refunded = admin.post(
                f"/api/v1/mall/orders/{order['id']}/refund/", {"amount": amount}, format="json"
            )
        assert refunded.status_code == 200, refunded.json()
    with schema_context("datang"):
        net: dict[str, Decimal] = {}
        for e in Entry.objects.filter(source_type="order_item").select_related("distributor"):
            net[e.distributor.name] = net.get(e.distributor.name, Decimal(0)) + e.amount
        assert net == {"王海峰": Decimal("0.00"), "唐总": Decimal("0.00")}
        first = (
            Entry.objects.filter(reversal_key__startswith="refund:", distributor=team.lead, line="goods")
            .order_by("id")
            .first()
        )
        assert first is not None and first.amount == Decimal("-9.06")  # 37.70 × 100/416 = 9.0625


def test_a_volume_tier_can_count_mall_orders_with_the_premium(shelf, stripe_api, team, api) -> None:
    """王海峰 sells a 1,500.00 商业险 policy and his customer buys 416.00 in the mall (oil and a
    wash): a ladder counting 商业险, goods and services sums 1,916.00, which misses its 2,000 tier
    (2%) and reaches its 1,900 one: 1% of 1,916.00 = 19.16."""
    oil, wash = shelf
    with schema_context("datang"):
        customer_create(
            actor=None, name="通算客户", mobile=PEOPLE["datang_owner"].mobile, promoter_id=team.lead.pk
        )
        plan = plan_save(actor=None, name="通算含商城", scheme="per_level", settlement_mode="cross_level",
                         rules=[{"line": "commercial", "distance": 0, "rate": Decimal("0.10")}],
                         volume_tiers=[{"lines": ["commercial", "goods", "services"], "threshold": Decimal("1900"),
                                        "rate": Decimal("0.01")},
                                       {"lines": ["commercial", "goods", "services"], "threshold": Decimal("2000"),
                                        "rate": Decimal("0.02")}])  # fmt: skip
        plan_put_in_force(actor=None, plan=plan)
        sell(team.lead, premium="1500.00")
    order = api("datang_owner").post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 2},
                                     {"product": wash.pk, "quantity": 1}]}, format="json").json()  # fmt: skip
    webhook(api, "payment_intent.succeeded", paid(order["id"]))
    with schema_context("datang"):
        run = settlement_start(actor=None, period=current_open_period())
        assert settlement_run_execute(run.pk).status == "done"
        bonus = Entry.objects.get(kind="volume_bonus")
        assert (bonus.distributor_id, bonus.basis, bonus.amount) == (
            team.lead.pk,
            Decimal("1916.00"),
            Decimal("19.16"),
        )
        assert (
            bonus.formula
            == "通算（商业险、商品、服务）：本月 1 单保单 + 2 项商城商品/服务，合计 1916.00 ≥ 门槛 1900.00，× 1% = 19.16"
        )


def test_what_an_owner_buys_in_the_mall_becomes_a_butler_tag(api, shelf, stripe_api) -> None:
    oil, _ = shelf
    owner = api("datang_owner")
    for _ in range(2):
        order = owner.post(
            "/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 1}]}, format="json"
        ).json()
        webhook(api, "payment_intent.succeeded", paid(order["id"]))
    with schema_context("datang"):
        preferences_recompute()
        tag = Preference.objects.get(key="buys:商城机油")
        assert (tag.label, tag.evidence) == ("常购商城机油", "购买商城机油 2 次")


def test_an_agents_share_link_credits_his_chain_and_a_foreign_code_is_ignored(
    api, shelf, stripe_api, team, bowei, django_capture_on_commit_callbacks
):
    """产品推荐: 刘小军 (代理人, under 王海峰 under 唐总) shares 商城机油 with his referral code. The
    owner, a customer with no promoter, buys 2 × 188.50 = 377.00 through it; per level goods 10% / 5% / 2%
    pays 37.70 / 18.85 / 7.54. Bowei's agent's code, a made-up code and an owner's 车主推荐 code name
    no promoter; a customer who already has one keeps theirs."""
    oil, _ = shelf
    with schema_context("bowei"):
        bowei_tier = tier_create(actor=None, name="代理人", rank=1)
        foreign = agent_create(
            actor=None, name="孙志强", mobile="13700002011", licence_no="B-1", tier_id=bowei_tier.pk
        )
    with schema_context("datang"):
        Product.objects.filter(pk=oil.pk).update(stock=10)
        owner = customer_create(actor=None, name="商城客户", mobile=PEOPLE["datang_owner"].mobile)
        assert owner.promoter_id is None and owner.user is not None
        owners_code = customer_referrer_ensure(user=owner.user).referral_code
        assert not Distributor.objects.filter(referral_code=foreign.referral_code).exists()
    admin = api("datang_admin")
    rules = [{"line": "goods", "distance": d, "rate": r} for d, r in enumerate(("0.10", "0.05", "0.02"))]
    plan = admin.post("/api/v1/commissions/plans/", {"name": "商城方案", "scheme": "per_level",
                      "settlement_mode": "cross_level", "rules": rules}, format="json").json()  # fmt: skip
    admin.post(f"/api/v1/commissions/plans/{plan['id']}/in-force/")
    buyer = api("datang_owner")

    def buy(code: str) -> dict:
        placed = buyer.post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 1}],
                            "referral_code": code}, format="json")  # fmt: skip
        assert placed.status_code == 201, placed.json()
        return placed.json()

    for code in (foreign.referral_code, "ZZZZ9999", owners_code):  # ignored, never refused
        with schema_context("datang"):
            assert Order.objects.get(pk=buy(code)["id"]).promoter_id is None
            assert Customer.objects.get(pk=owner.pk).promoter_id is None  # nor bound the customer
    order = buyer.post("/api/v1/mall/orders/", {"items": [{"product": oil.pk, "quantity": 2}],
                       "referral_code": team.member.referral_code.lower()}, format="json").json()  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        webhook(api, "payment_intent.succeeded", paid(order["id"]))
    with schema_context("datang"):
        assert Order.objects.get(pk=order["id"]).promoter_id == team.member.pk
        earned = {e.distributor.name: format(e.amount, "f")
                  for e in Entry.objects.filter(source_type="order_item").select_related("distributor")}  # fmt: skip
        assert earned == {"刘小军": "37.70", "王海峰": "18.85", "唐总": "7.54"}  # 377.00 × 10% / 5% / 2%
        # the share link bound the customer to 刘小军: the next order, with no code, is his too
        assert Customer.objects.get(pk=owner.pk).promoter_id == team.member.pk
    with schema_context("datang"):
        assert Order.objects.get(pk=buy("")["id"]).promoter_id == team.member.pk
        Customer.objects.filter(pk=owner.pk).update(promoter=team.peer)
    # a customer bound to 钱多多 stays his: another agent's link does not take the sale
    with schema_context("datang"):
        assert Order.objects.get(pk=buy(team.member.referral_code)["id"]).promoter_id == team.peer.pk
