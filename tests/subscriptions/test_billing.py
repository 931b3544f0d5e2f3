"""Subscription billing through Stripe: checkout, verified and idempotent webhooks that never move a
subscription backwards, invoices in the tenant's console, dunning and read-only mode."""

import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import responses
from django.utils import timezone

from core.models import ProcessedWebhook
from subscriptions.models import Invoice, Subscription
from subscriptions.selectors import subscription_forget
from subscriptions.services import plan_create
from tests.subscriptions.conftest import STRIPE, invoice, webhook

pytestmark = pytest.mark.django_db


def paying(sub: Subscription) -> Subscription:
    """Datang went through checkout: Stripe knows it as cus_datang / sub_datang."""
    sub.stripe_customer_id, sub.stripe_subscription_id = "cus_datang", "sub_datang"
    sub.save()
    return sub


def test_checkout_creates_the_stripe_customer_price_and_session(api, datang_on_basic, stripe_api) -> None:
    response = api("datang_admin").post("/api/v1/billing/checkout/", {"plan": "pro"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    customer, price, session = (parse_qs(c.request.body) for c in stripe_api.calls)
    assert customer["metadata[tenant]"] == ["datang"] and customer["name"] == ["大唐保险经纪有限公司"]
    assert price["unit_amount"] == ["99900"] and price["recurring[interval]"] == ["month"]
    assert session["mode"] == ["subscription"] and session["customer"] == ["cus_test_1"]
    assert session["line_items[0][price]"] == ["price_test_2"]
    assert session["metadata[purpose]"] == ["subscription"] and session["metadata[plan]"] == ["pro"]
    # the 14-day trial still counts: Stripe bills when it ends
    trial_end = int(session["subscription_data[trial_end]"][0])
    assert trial_end == int(datang_on_basic.trial_ends_at.timestamp())
    sub = Subscription.objects.get(pk=datang_on_basic.pk)
    assert sub.stripe_customer_id == "cus_test_1" and sub.plan.stripe_price_id == ""  # basic untouched

    completed = webhook(api, "checkout.session.completed", {
        "id": "cs_test_3", "object": "checkout.session", "customer": "cus_test_1", "subscription": "sub_new",
        "payment_status": "no_payment_required", "metadata": {"tenant": "datang", "plan": "pro",
                                                              "purpose": "subscription"},
    })  # fmt: skip
    assert completed.status_code == 200 and completed.json()["result"] == "checkout completed"
    sub.refresh_from_db()
    assert (sub.stripe_subscription_id, sub.plan.code, sub.status) == ("sub_new", "pro", "trialing")
    # a second checkout for the same tenant is a conflict, not a second subscription
    again = api("datang_admin").post("/api/v1/billing/checkout/", {"plan": "pro"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "subscription_exists")


def test_bad_checkout_input_is_a_400_naming_the_plan(api, datang_on_basic, stripe_api) -> None:
    response = api("datang_admin").post("/api/v1/billing/checkout/", {"plan": "gold"}, format="json")
    assert response.status_code == 400 and "plan" in response.json()["fields"]
    response = api("datang_admin").post("/api/v1/billing/checkout/", {}, format="json")
    assert response.status_code == 400 and "plan" in response.json()["fields"]
    assert len(stripe_api.calls) == 0


def test_paid_invoices_are_listed_and_a_replayed_or_forged_event_changes_nothing(
    api, datang_on_basic
) -> None:
    paying(datang_on_basic)
    start = int(time.time())
    first = webhook(api, "invoice.paid", invoice(1, status="paid", start=start), event_id="evt_paid_1")
    assert first.json()["result"] == "paid"
    replay = webhook(api, "invoice.paid", invoice(1, status="paid", start=start), event_id="evt_paid_1")
    assert replay.json()["result"] == "duplicate"
    forged = webhook(api, "invoice.paid", invoice(2, status="paid"), secret="whsec_someone_else")
    assert forged.status_code == 400 and forged.json()["code"] == "webhook_rejected"
    assert not ProcessedWebhook.objects.filter(kind="invoice.paid").exclude(event_id="evt_paid_1").exists()

    listed = api("datang_admin").get("/api/v1/billing/invoices/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["number"], row["status"], row["amount_due"], row["amount_paid"]) == ("SXB-0001", "paid", "299.00",
                                                                                     "299.00")  # fmt: skip
    assert row["hosted_invoice_url"] == "https://invoice.stripe.com/i/in_test_1"
    sub = Subscription.objects.get(pk=datang_on_basic.pk)
    assert sub.current_period_end is not None
    assert sub.status == "active" and int(sub.current_period_end.timestamp()) == start + 30 * 86400
    overview = api("datang_admin").get("/api/v1/billing/").json()
    assert overview["plan"]["code"] == "basic" and overview["state"]["banner"] == ""
    assert overview["usage"] == {"agents": 0, "customers": 0, "storage_mb": overview["usage"]["storage_mb"]}
    assert overview["usage"]["storage_mb"] >= 1


def test_out_of_order_events_never_move_the_subscription_backwards(api, datang_on_basic) -> None:
    paying(datang_on_basic)
    now = int(time.time())
    # month 2 paid (newer event) arrives before month 1's failed attempt (older event)
    webhook(api, "invoice.paid", invoice(2, status="paid", start=now), created=now)
    late = webhook(api, "invoice.payment_failed", invoice(1, status="open", start=now - 30 * 86400),
                   created=now - 3600)  # fmt: skip
    assert late.json()["result"] == "stale"
    sub = Subscription.objects.get(pk=datang_on_basic.pk)
    assert (sub.status, sub.past_due_since) == ("active", None)
    assert Invoice.objects.get(stripe_invoice_id="in_test_1").status == "open"  # recorded, still

    # an old "subscription updated: past_due" is older than what we know: ignored too
    webhook(api, "customer.subscription.updated", {
        "id": "sub_datang", "object": "subscription", "customer": "cus_datang", "status": "past_due",
        "metadata": {"tenant": "datang", "plan": "basic"},
    }, created=now - 7200)  # fmt: skip
    assert Subscription.objects.get(pk=sub.pk).status == "active"
    # a late "paid" for an invoice we already saw paid does not turn it back to open either
    webhook(api, "invoice.payment_failed", invoice(2, status="open", start=now), created=now - 60)
    assert Invoice.objects.get(stripe_invoice_id="in_test_2").status == "paid"

    # a newer update applies: moved to 专业版 by Stripe, then cancelled
    webhook(api, "customer.subscription.updated", {
        "id": "sub_datang", "object": "subscription", "customer": "cus_datang", "status": "active",
        "metadata": {"tenant": "datang", "plan": "pro"},
        "items": {"data": [{"current_period_end": now + 40 * 86400, "price": {"id": "price_x"}}]},
    }, created=now + 10)  # fmt: skip
    sub.refresh_from_db()
    assert sub.current_period_end is not None
    assert (sub.plan.code, int(sub.current_period_end.timestamp())) == ("pro", now + 40 * 86400)
    webhook(api, "customer.subscription.deleted", {
        "id": "sub_datang", "object": "subscription", "customer": "cus_datang", "status": "canceled",
        "metadata": {"tenant": "datang"},
    }, created=now + 20)  # fmt: skip
    sub.refresh_from_db()
    assert sub.status == "canceled" and sub.past_due_since is not None


def test_past_due_shows_a_banner_then_after_the_grace_period_the_tenant_is_read_only(
    api, datang_on_basic, settings
) -> None:
    settings.SUBSCRIPTION_GRACE_DAYS = 7
    paying(datang_on_basic)
    now = int(time.time())
    failed = webhook(api, "invoice.payment_failed", invoice(1, status="open", start=now), created=now)
    assert failed.json()["result"] == "past_due"
    agent_app = api("datang_agent")
    state = agent_app.get("/api/v1/subscription/").json()
    assert (state["status"], state["read_only"]) == ("past_due", False)
    assert "逾期后系统将转为只读" in state["banner"]
    admin = api("datang_admin")
    assert (
        admin.post("/api/v1/network/tiers/", {"name": "区域经理", "rank": 1}, format="json").status_code
        == 201
    )

    # eight days later the grace period is over
    Subscription.objects.filter(pk=datang_on_basic.pk).update(
        past_due_since=timezone.now() - timedelta(days=8)
    )
    subscription_forget(datang_on_basic.tenant_id)  # a row written behind the model's back
    refused = admin.post("/api/v1/network/tiers/", {"name": "团队长", "rank": 2}, format="json")
    assert refused.status_code == 402
    assert refused.json()["code"] == "tenant_read_only" and refused.json()["fields"] == {}
    assert admin.get("/api/v1/network/tiers/").status_code == 200  # reads keep working, nothing lost
    assert [t["name"] for t in admin.get("/api/v1/network/tiers/").json()] == ["区域经理"]
    assert agent_app.get("/api/v1/subscription/").json()["read_only"] is True
    # paying stays possible: the billing endpoints still answer (this one with its own 400)
    assert admin.post("/api/v1/billing/plan/", {"plan": "gold"}, format="json").status_code == 400
    # Bowei is not affected
    assert api("bowei_admin").post("/api/v1/network/tiers/", {"name": "博维层级", "rank": 1},
                                   format="json").status_code == 201  # fmt: skip

    paid = webhook(api, "invoice.paid", invoice(1, status="paid", start=now), created=now + 5)
    assert paid.json()["result"] == "paid"
    assert (
        admin.post("/api/v1/network/tiers/", {"name": "团队长", "rank": 2}, format="json").status_code == 201
    )
    assert agent_app.get("/api/v1/subscription/").json() == {
        "status": "active", "status_label": "正常", "banner": "", "read_only": False, "grace_ends_at": None
    }  # fmt: skip


def test_an_unpaid_trial_lapses_into_the_same_grace_period(api, datang_on_basic) -> None:
    Subscription.objects.filter(pk=datang_on_basic.pk).update(
        trial_ends_at=timezone.now() - timedelta(days=2)
    )
    subscription_forget(datang_on_basic.tenant_id)  # a row written behind the model's back
    state = api("datang_admin").get("/api/v1/subscription/").json()
    assert (state["status"], state["status_label"], state["read_only"]) == ("past_due", "试用已到期", False)
    Subscription.objects.filter(pk=datang_on_basic.pk).update(
        trial_ends_at=timezone.now() - timedelta(days=9)
    )
    subscription_forget(datang_on_basic.tenant_id)  # a row written behind the model's back
    assert api("datang_admin").get("/api/v1/subscription/").json()["read_only"] is True


def test_changing_plan_checks_the_data_fits_and_follows_stripe(api, datang_on_basic, team) -> None:
    # Datang has 4 agents: a plan for 3 cannot hold them
    plan_create(actor=None, code="tiny", name="迷你版", price_monthly=Decimal("99.00"), max_agents=3)
    small = api("datang_admin").post("/api/v1/billing/plan/", {"plan": "tiny"}, format="json")
    assert small.status_code == 400 and small.json()["code"] == "plan_too_small"
    assert small.json()["fields"]["plan"] == ["当前代理人 4 个，超出“迷你版”上限 3"]
    changed = api("datang_admin").post("/api/v1/billing/plan/", {"plan": "pro"}, format="json")
    assert changed.status_code == 200 and changed.json()["plan"]["code"] == "pro"
    assert changed.json()["usage"]["agents"] == 4
    assert (
        api("datang_agent").post("/api/v1/billing/plan/", {"plan": "basic"}, format="json").status_code == 403
    )


def test_stripe_down_at_checkout_is_a_502_and_nothing_is_kept(api, datang_on_basic, stripe_api) -> None:
    stripe_api.replace(responses.POST, f"{STRIPE}/checkout/sessions", status=500,
                       json={"error": {"message": "down", "type": "api_error"}})  # fmt: skip
    response = api("datang_admin").post("/api/v1/billing/checkout/", {"plan": "basic"}, format="json")
    assert (response.status_code, response.json()["code"]) == (502, "payment_unavailable")
    sub = Subscription.objects.select_related("plan").get(pk=datang_on_basic.pk)
    assert (sub.stripe_customer_id, sub.plan.stripe_price_id) == ("", "")  # rolled back with the request
    # the retry reuses the idempotency key, so Stripe gives back the same customer
    keys = [
        c.request.headers.get("Idempotency-Key")
        for c in stripe_api.calls
        if c.request.url.endswith("/customers")
    ]
    assert keys == ["sxb-tenant-customer-" + str(datang_on_basic.tenant_id)]
