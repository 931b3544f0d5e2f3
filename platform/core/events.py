"""Business events: ``emit`` writes a ``DomainEvent`` row inside the caller's transaction and, once
that commits, sends ``domain_event`` (receivers get the saved row). A rolled-back change leaves no
event and sends nothing."""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.dispatch import Signal
from django_tenants.utils import schema_context

from core.models import DomainEvent, EventCursor

domain_event = Signal()


def emit(
    kind: str, *, object_type: str, object_id: int | str, payload: dict[str, Any], actor: Any = None
) -> DomainEvent:
    event = DomainEvent.objects.create(
        kind=kind,
        object_type=object_type,
        object_id=str(object_id),
        payload=payload,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    schema = connection.schema_name  # type: ignore[attr-defined]

    def announce() -> None:
        # The receivers work in the schema the event was written in, wherever the commit happens.
        with schema_context(schema):
            domain_event.send(sender=DomainEvent, event=event)

    transaction.on_commit(announce)
    return event


def consume(consumer: str, handle: Callable[[list[DomainEvent]], None], *, limit: int = 500) -> int:
    """Hand the events after ``consumer``'s cursor to ``handle`` (in order, up to ``limit``) and move
    the cursor past them, in one transaction with the cursor row locked: concurrent callers wait,
    and a failing handler leaves the cursor where it was. Returns how many events were handled."""
    with transaction.atomic():
        EventCursor.objects.get_or_create(consumer=consumer)
        cursor = EventCursor.objects.select_for_update().get(consumer=consumer)
        events = list(DomainEvent.objects.filter(pk__gt=cursor.last_id).order_by("pk")[:limit])
        if not events:
            return 0
        handle(events)
        cursor.last_id = events[-1].pk
        cursor.save(update_fields=["last_id"])
        return len(events)
