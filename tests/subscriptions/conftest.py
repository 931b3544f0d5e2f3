"""Subscriptions: a tenant on a plan, Stripe answered at the HTTP boundary, signed webhooks."""

import json
import time
from itertools import count
from typing import Any

import pytest
import responses
import stripe
from django.conf import settings

from core.validators import uscc_check_char
from subscriptions.models import Plan, Subscription
from subscriptions.services import _subscription_open

STRIPE = "https://api.stripe.com/v1"


def uscc(first17: str = "91440300MA5G12345") -> str:
    return first17 + uscc_check_char(first17)


@pytest.fixture
def basic() -> Plan:
    return Plan.objects.get(code="basic")  # 基础版 ¥299/月: 10 agents, 500 customers (a data migration)


@pytest.fixture
def datang_on_basic(datang, basic) -> Subscription:
    """Datang signed up on 基础版 and is in its 14-day trial."""
    return _subscription_open(tenant=datang, plan=basic)


@pytest.fixture
def stripe_api():
    """Stripe's answers: a Customer, a Price per plan, a Checkout Session, subscription changes."""
    made = count(1)

    def reply(kind: str) -> Any:
        def callback(request: Any) -> tuple[int, dict, str]:
            n = next(made)
            body = {"id": f"{kind}_test_{n}", "object": kind}
            if kind == "cs":
                body["url"] = f"https://checkout.stripe.com/c/pay/cs_test_{n}"
            return 200, {}, json.dumps(body)

        return callback

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, f"{STRIPE}/customers", callback=reply("cus"))
        mock.add_callback(responses.POST, f"{STRIPE}/prices", callback=reply("price"))
        mock.add_callback(responses.POST, f"{STRIPE}/checkout/sessions", callback=reply("cs"))
        yield mock


def webhook(api: Any, kind: str, obj: dict, *, created: int | None = None, event_id: str | None = None,
            secret: str | None = None) -> Any:  # fmt: skip
    payload = json.dumps({
        "id": event_id or f"evt_{kind}_{time.time_ns()}", "object": "event", "type": kind,
        "api_version": "2025-01-27", "created": created or int(time.time()), "data": {"object": obj},
    })  # fmt: skip
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET
    )
    return api(None).post("/api/v1/payments/stripe/webhook/", payload, content_type="application/json",
                          HTTP_STRIPE_SIGNATURE=header)  # fmt: skip


def invoice(number: int, *, status: str, amount: int = 29900, customer: str = "cus_datang", start: int = 0,
            tenant: str = "datang") -> dict:  # fmt: skip
    """A Stripe invoice of the tenant's subscription for one month starting at ``start``."""
    start = start or int(time.time())
    end = start + 30 * 86400
    return {
        "id": f"in_test_{number}", "object": "invoice", "number": f"SXB-{number:04d}", "customer": customer,
        "subscription": "sub_datang", "status": status, "currency": "cny", "amount_due": amount,
        "amount_paid": amount if status == "paid" else 0, "created": start,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/in_test_{number}",
        "lines": {"object": "list", "data": [{"object": "line_item", "period": {"start": start, "end": end}}]},
        "parent": {"subscription_details": {"metadata": {"tenant": tenant, "plan": "basic"}}},
    }  # fmt: skip
