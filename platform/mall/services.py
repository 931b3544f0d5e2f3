"""Placing mall orders, Stripe payments (PaymentIntents with card, WeChat Pay and Alipay), the
verified webhook, refunds and the release of stock held by unpaid orders.

Stripe is reached through stripe-python's own client (``core.payments.stripe_client``); tests answer its HTTP
requests, so the real client code runs. The webhook is the only thing that marks an order paid:
its signature is checked, each event is handled once (``core.ProcessedWebhook`` in the public
schema), and every transition is idempotent, so replays and out-of-order deliveries change nothing
they should not."""

import logging
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from catalog.models import Product, ProductKind
from core.errors import FieldErrors, StateConflict, ValidationFailed
from core.events import emit
from core.models import ProcessedWebhook
from core.payments import PaymentUnavailable, stripe_client
from core.services import audit_event_record
from customers.models import Customer
from mall.models import Order, OrderItem, OrderStatus, Refund
from network.models import Distributor, DistributorKind, DistributorStatus
from subscriptions.services import billing_event_wanted, billing_webhook_apply
from tenants.models import Tenant

logger = logging.getLogger(__name__)
FEN = Decimal(100)


def _schema() -> str:
    return str(connection.schema_name)  # type: ignore[attr-defined]


def _fen(amount: Decimal) -> int:
    return int((amount * FEN).to_integral_value())


def _release_stock(order: Order) -> None:
    for item in order.items.all():
        if item.kind == ProductKind.GOODS:
            Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)


def _agent_by_code(code: str) -> int | None:
    """The active agent of this tenant whose public referral code this is; None for anything else
    (unknown, another tenant's, stopped, or an owner's 车主推荐 code): an order never fails for it."""
    code = code.strip().upper()
    if not code:
        return None
    return (
        Distributor.objects.filter(
            referral_code=code, kind=DistributorKind.AGENT, status=DistributorStatus.ACTIVE
        )
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def order_place(
    *, actor: User, customer: Customer, items: list[dict[str, Any]], referral_code: str = ""
) -> Order:
    """Reserve the stock, price the order and open a PaymentIntent for it. The order's promoter is
    the customer's; ``referral_code`` (an agent's share link, 产品推荐) only names one for a customer
    who has none, and binds that customer to the agent."""
    errors = FieldErrors()
    if not items:
        errors.add("items", "购物车是空的")
    wanted: dict[int, int] = {}
    for index, item in enumerate(items):
        quantity = item.get("quantity") or 0
        if not 1 <= quantity <= 99:
            errors.add(f"items.{index}.quantity", "数量应在 1–99 之间")
        wanted[item.get("product") or 0] = wanted.get(item.get("product") or 0, 0) + quantity
    errors.raise_if_any()
    products = {p.pk: p for p in Product.objects.select_for_update().filter(pk__in=list(wanted))}
    for index, item in enumerate(items):
        product = products.get(item.get("product") or 0)
        if product is None or product.archived or not product.on_shelf:
            errors.add(f"items.{index}.product", "商品不存在或已下架")
        elif product.kind == ProductKind.GOODS and (product.stock or 0) < wanted[product.pk]:
            errors.add(f"items.{index}.quantity", f"{product.name} 库存不足（剩 {product.stock} 件）")
    errors.raise_if_any()
    now = timezone.now()
    promoter_id = customer.promoter_id
    if promoter_id is None and (promoter_id := _agent_by_code(referral_code)) is not None:
        # bought through an agent's share link with no promoter yet: the customer becomes the agent's
        # (as signing up through the link would have made them), so later orders pay the same chain
        Customer.objects.filter(pk=customer.pk, promoter__isnull=True).update(promoter_id=promoter_id)
        customer.promoter_id = promoter_id
    order = Order.objects.create(
        number=f"M{now:%Y%m%d}{secrets.randbelow(10**8):08d}",
        customer=customer,
        promoter_id=promoter_id,
        total=sum((products[p].actual_price * q for p, q in wanted.items()), Decimal(0)),
        reserved_until=now + timedelta(minutes=settings.MALL_RESERVATION_MINUTES),
        created_by=actor,
    )
    for product_id, quantity in wanted.items():
        product = products[product_id]
        OrderItem.objects.create(order=order, product=product, name=product.name, kind=product.kind, quantity=quantity,
                                 unit_price=product.actual_price, amount=product.actual_price * quantity)  # fmt: skip
        if product.kind == ProductKind.GOODS:
            product.stock = (product.stock or 0) - quantity
            product.save(update_fields=["stock", "updated_at"])
    schema = _schema()
    params: Any = {
        "amount": _fen(order.total),
        "currency": "cny",
        "payment_method_types": list(settings.MALL_PAYMENT_METHODS),
        "description": order.number,
        "metadata": {"tenant": schema, "order": str(order.pk), "number": order.number},
    }
    options: Any = {"idempotency_key": f"order-{schema}-{order.number}"}
    try:
        intent = stripe_client().v1.payment_intents.create(params=params, options=options)
    except stripe.StripeError as exc:
        logger.warning("PaymentIntent for %s failed: %s", order.number, exc)
        raise PaymentUnavailable() from None
    order.payment_intent, order.client_secret = intent.id, intent.client_secret or ""
    order.save(update_fields=["payment_intent", "client_secret", "updated_at"])
    audit_event_record(actor=actor, action="order.place", summary=f"订单 {order.number} ¥{order.total}",
                       object_type="order", object_id=order.pk)  # fmt: skip
    return order


def _cancel(order: Order, reason: str) -> None:
    _release_stock(order)
    order.status, order.cancel_reason = OrderStatus.CANCELLED, reason[:200]
    order.save(update_fields=["status", "cancel_reason", "updated_at"])


@transaction.atomic
def order_fulfil(*, actor: User, order: Order) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PAID:
        raise StateConflict(
            f"订单 {order.number} 当前为「{order.get_status_display()}」，不能发货",
            code="order_invalid_transition",
        )
    order.status = OrderStatus.FULFILLED
    order.save(update_fields=["status", "updated_at"])
    audit_event_record(actor=actor, action="order.fulfil", summary=f"订单 {order.number} 已发货/服务",
                       object_type="order", object_id=order.pk)  # fmt: skip
    return order


@transaction.atomic
def order_refund(*, actor: User, order: Order, amount: Decimal, reason: str) -> Refund:
    """A full or partial refund through Stripe; ``order.refunded`` is emitted for commissions."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED):
        raise StateConflict(
            f"订单 {order.number} 当前为「{order.get_status_display()}」，不能退款",
            code="order_invalid_transition",
        )
    left = order.total - order.refunded
    if not Decimal("0.01") <= amount <= left:
        raise ValidationFailed(fields={"amount": [f"退款金额应在 0.01 到 {left} 之间"]})
    try:
        params: Any = {
            "payment_intent": order.payment_intent or "",
            "amount": _fen(amount),
            "metadata": {"tenant": _schema(), "order": str(order.pk)},
        }
        refund = stripe_client().v1.refunds.create(params=params)
    except stripe.StripeError as exc:
        logger.warning("refund of %s failed: %s", order.number, exc)
        raise PaymentUnavailable("退款未能提交到支付机构，请稍后再试") from None
    row = Refund.objects.create(order=order, stripe_refund=refund.id, amount=amount, status=refund.status or "pending",
                                reason=reason[:200], created_by=actor)  # fmt: skip
    if refund.status == "succeeded":
        _apply_refunded(order, order.refunded + amount)
    audit_event_record(actor=actor, action="order.refund", summary=f"订单 {order.number} 退款 ¥{amount}：{reason}",
                       object_type="order", object_id=order.pk)  # fmt: skip
    return row


def _apply_refunded(order: Order, refunded: Decimal) -> None:
    """Move the order to what Stripe says was refunded (never backwards), once per new amount."""
    if refunded <= order.refunded:
        return
    delta = refunded - order.refunded
    order.refunded = min(refunded, order.total)
    order.status = OrderStatus.REFUNDED if order.refunded >= order.total else OrderStatus.PARTIALLY_REFUNDED
    order.save(update_fields=["refunded", "status", "updated_at"])
    emit("order.refunded", object_type="order", object_id=order.pk,
         payload={"number": order.number, "amount": format(delta, "f"), "refunded": format(order.refunded, "f"),
                  "total": format(order.total, "f")})  # fmt: skip


def reservations_release(*, now: Any = None) -> int:
    """Cancel unpaid orders past their reservation and give their stock back (and cancel the
    PaymentIntent at Stripe, so a late payment cannot succeed)."""
    now = now or timezone.now()
    count = 0
    for pk in Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, reserved_until__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=pk)
            if order.status != OrderStatus.PENDING_PAYMENT:
                continue
            if order.payment_intent:
                try:
                    stripe_client().v1.payment_intents.cancel(order.payment_intent)
                except stripe.StripeError as exc:  # already succeeded or cancelled: the webhook decides
                    logger.info("cancelling %s: %s", order.payment_intent, exc)
                    continue
            _cancel(order, "超时未支付")
            count += 1
    return count


# ---- the webhook ------------------------------------------------------------------------------


class WebhookRejected(ValidationFailed):
    default_code = "webhook_rejected"


def webhook_handle(*, payload: bytes, signature: str | None) -> str:
    """Verify, deduplicate and apply one Stripe event. Returns what was done (for the log)."""
    try:
        event = stripe_client().construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError):
        raise WebhookRejected("签名校验失败", fields={"signature": ["Stripe-Signature 无效"]}) from None
    # Recorded as processed in the same transaction that applies it: a worker that dies in between
    # (a gunicorn timeout, kill -9) rolls both back and Stripe's retry applies it, where a record
    # committed first would answer that retry "duplicate" and lose the payment. A concurrent
    # delivery of the same event waits on the record's unique key until this one ends.
    with transaction.atomic():
        with schema_context("public"):
            try:
                with transaction.atomic():
                    ProcessedWebhook.objects.create(provider="stripe", event_id=event.id, kind=event.type)
            except IntegrityError:
                return "duplicate"
        return _webhook_apply(event)


def _webhook_apply(event: Any) -> str:
    obj: dict[str, Any] = event.data.object.to_dict()
    if billing_event_wanted(event.type, obj):  # a tenant's own subscription: the platform bills it
        return billing_webhook_apply(kind=event.type, obj=obj, created=int(event.created))
    metadata = dict(obj.get("metadata") or {})
    schema = metadata.get("tenant")
    if not schema:
        return "ignored"
    if not _is_tenant_schema(str(schema)):  # recorded as processed: Stripe stops retrying it
        logger.warning("stripe event %s names unknown tenant %r; ignored", event.id, schema)
        return "unknown tenant"
    with schema_context(schema), transaction.atomic():
        return _apply(event.type, obj, metadata)


def _is_tenant_schema(schema: str) -> bool:
    if schema == settings.PUBLIC_SCHEMA_NAME:
        return False
    with schema_context("public"):
        return Tenant.objects.filter(schema_name=schema).exists()


def _apply(kind: str, obj: dict[str, Any], metadata: dict[str, str]) -> str:
    if kind.startswith("payment_intent."):
        order = Order.objects.select_for_update().filter(payment_intent=obj["id"]).first()
        if order is None:
            return "unknown order"
        if kind == "payment_intent.succeeded":
            if order.status == OrderStatus.PENDING_PAYMENT:
                order.status, order.paid_at = OrderStatus.PAID, timezone.now()
                order.save(update_fields=["status", "paid_at", "updated_at"])
                emit("order.paid", object_type="order", object_id=order.pk,
                     payload={"number": order.number, "total": format(order.total, "f"),
                              "customer_id": order.customer_id, "promoter_id": order.promoter_id})  # fmt: skip
                return "paid"
            if order.status == OrderStatus.CANCELLED:  # paid after its stock was released: give it back
                stripe_client().v1.refunds.create(params={"payment_intent": obj["id"]})
                return "late payment refunded"
            return "already paid"
        if kind in ("payment_intent.payment_failed", "payment_intent.canceled"):
            if order.status == OrderStatus.PENDING_PAYMENT:
                _cancel(order, "支付失败" if kind.endswith("failed") else "支付已取消")
                return "cancelled"
            return "no change"
    if kind == "charge.refunded":
        order = Order.objects.select_for_update().filter(payment_intent=obj.get("payment_intent")).first()
        if order is None:
            return "unknown order"
        _apply_refunded(order, Decimal(int(obj["amount_refunded"])) / FEN)
        Refund.objects.filter(order=order, status="pending").update(status="succeeded")
        return "refunded"
    return "ignored"
