"""What happened → who is told: business events from the outbox (``core.events.consume``), new
reminders and new commission statements (read the same way, ``consume_rows``) become inbox messages."""

from types import SimpleNamespace
from typing import Any

from django_tenants.utils import get_public_schema_name

from core.events import consume, consume_rows
from core.models import DomainEvent
from core.tenancy import current_schema_name
from notices.services import notifications_create, service_order_staff_notify
from notices.templates import event_context, wording_key

CONSUMER = "notices"
REMINDERS_CURSOR = "notices.reminders"
STATEMENTS_CURSOR = "notices.statements"


def _customer_users(customer_id: Any) -> tuple[int | None, int | None]:
    """(owner's user, promoting agent's user) of a customer."""
    from customers.models import Customer

    row = (
        Customer.objects.filter(pk=customer_id).values_list("user_id", "promoter__user_id").first()
        if customer_id
        else None
    )
    return (row[0], row[1]) if row else (None, None)


def _recipients(event: DomainEvent) -> tuple[list[int | None], str]:
    """(user ids, link) of an event."""
    kind, p = event.kind, event.payload
    if kind.startswith("service_order."):
        return [p.get("owner_user_id"), p.get("agent_user_id")], ""
    if kind in ("quote.sent", "gift_pack.issued"):
        owner, _ = _customer_users(p.get("customer_id"))
        return [owner], ""
    if kind == "quote.paid":
        from quotes.models import Quote

        customer_id = Quote.objects.filter(pk=event.object_id).values_list("customer_id", flat=True).first()
        return list(_customer_users(customer_id)), ""
    if kind in ("policy.issued", "policy.cancelled", "order.paid"):
        return list(_customer_users(p.get("customer_id"))), ""
    if kind == "order.refunded":
        from mall.models import Order

        customer_id = Order.objects.filter(pk=event.object_id).values_list("customer_id", flat=True).first()
        owner, _ = _customer_users(customer_id)
        return [owner], ""
    if kind == "gift_pack.redeemed":
        from catalog.models import IssuedPack

        customer_id = (
            IssuedPack.objects.filter(pk=event.object_id).values_list("customer_id", flat=True).first()
        )
        owner, _ = _customer_users(customer_id)
        return [owner], ""
    return [], ""


def _handle(events: list[DomainEvent]) -> None:
    for event in events:
        if event.kind.startswith("service_order.") and event.payload.get("step_id"):
            _service_step_staff(event.payload)
        if wording_key(event.kind) is None:
            continue
        users, link = _recipients(event)
        notifications_create(
            kind=event.kind,
            source_key=f"event:{event.pk}",
            user_ids=[u for u in users if u],
            context=event_context(event.kind, event.payload),
            link=link,
        )


def _service_step_staff(payload: dict[str, Any]) -> None:
    """A service order's step in the inbox of the shop's (and, for a claim, the insurer's) staff on
    the platform host: here, in the worker, not in the step's request (issue 20). Once per step
    and person (``service_step:<step id>``), however often the event is read."""
    order = SimpleNamespace(shop_id=payload.get("shop_id"), insurer_id=payload.get("insurer_id"))
    service_order_staff_notify(order=order, step_id=payload["step_id"], payload=payload)


def _reminders(rows: list[Any]) -> None:
    from customers.models import OWNER_REMINDER_KINDS, Reminder

    for reminder in Reminder.objects.filter(pk__in=[r.pk for r in rows]).select_related(
        "customer", "customer__promoter", "vehicle"
    ):
        customer = reminder.customer
        users = [customer.promoter.user_id if customer.promoter else None]
        if customer.owner_reminders_opt_in and reminder.kind in OWNER_REMINDER_KINDS:
            users.append(customer.user_id)
        notifications_create(
            kind="reminder.due",
            source_key=f"reminder:{reminder.pk}",
            user_ids=[u for u in users if u],
            context={
                "customer": customer.name,
                "reminder": reminder.get_kind_display(),
                "due_on": reminder.due_on.isoformat(),
                "plate": reminder.vehicle.plate if reminder.vehicle else "",
            },
        )


def _statements(rows: list[Any]) -> None:
    from commissions.models import Statement

    for statement in Statement.objects.filter(pk__in=[r.pk for r in rows]).select_related(
        "period", "distributor"
    ):
        notifications_create(
            kind="statement.ready",
            source_key=f"statement:{statement.pk}",
            user_ids=[statement.distributor.user_id],
            context={
                "period": f"{statement.period.year}年{statement.period.month}月",
                "earned": format(statement.earned, "f"),
            },
        )


def process_events() -> int:
    """Turn what is new in this tenant into inbox messages; returns how many sources were read.
    Events of the public schema (a shop's low stock…) are not read here: the services that make them
    write the staff's messages themselves (``staff_notifications_create``)."""
    from commissions.models import Statement
    from customers.models import Reminder

    if current_schema_name() == get_public_schema_name():
        return 0
    handled = consume(CONSUMER, _handle)
    # New reminders and statements are read like the outbox (by committing transaction, not by
    # id): the daily reminder scan is a long transaction that commits after shorter ones.
    handled += consume_rows(REMINDERS_CURSOR, Reminder, _reminders)
    handled += consume_rows(STATEMENTS_CURSOR, Statement, _statements)
    return handled
