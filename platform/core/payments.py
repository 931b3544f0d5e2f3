"""The payment provider, shared by the mall (owners' orders, refunds) and subscriptions (plans,
checkout, invoices): one Stripe client built from settings, and the error both raise when Stripe
cannot be reached. Tests answer the client's HTTP requests (``STRIPE_API_BASE``), so the real client
code runs."""

import stripe
from django.conf import settings

from core.errors import StateConflict


class PaymentUnavailable(StateConflict):
    status_code = 502
    default_code = "payment_unavailable"
    default_message = "支付服务暂不可用，请稍后再试"


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=stripe.RequestsClient(),
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=0,
    )
