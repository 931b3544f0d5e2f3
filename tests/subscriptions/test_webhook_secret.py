"""In production the webhook secret is a real one (the app refuses to start with the placeholder):
an event signed with the repository's ``whsec_suxinbao_placeholder`` then moves nothing."""

import json
import time

import pytest
import stripe

from subscriptions.models import Subscription
from tests.subscriptions.conftest import invoice

pytestmark = pytest.mark.django_db


def test_an_event_signed_with_the_placeholder_is_refused_when_a_real_secret_is_set(
    api, settings, datang_on_basic
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = (
        "whsec_" + "5e" * 16
    )  # production: a real secret (the placeholder stops the start)
    sub = Subscription.objects.get(pk=datang_on_basic.pk)
    sub.stripe_customer_id, sub.stripe_subscription_id = "cus_datang", "sub_datang"
    sub.save()
    payload = json.dumps({
        "id": "evt_forged", "object": "event", "type": "invoice.paid", "api_version": "2025-01-27",
        "created": int(time.time()), "data": {"object": invoice(1, status="paid", start=int(time.time()))},
    })  # fmt: skip
    header = stripe.WebhookSignature.generate_signature_header(payload, "whsec_suxinbao_placeholder")
    refused = api(None).post(
        "/api/v1/payments/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert refused.status_code == 400 and refused.json()["code"] == "webhook_rejected"
    sub.refresh_from_db()
    assert (sub.status, sub.current_period_end) == (
        datang_on_basic.status,
        datang_on_basic.current_period_end,
    )
