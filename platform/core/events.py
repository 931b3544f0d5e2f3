"""Business events: ``emit`` writes a ``DomainEvent`` row inside the caller's transaction and, once
that commits, sends ``domain_event`` (receivers get the saved row). A rolled-back change leaves no
event and sends nothing."""

from typing import Any

from django.db import transaction
from django.dispatch import Signal

from core.models import DomainEvent

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
    transaction.on_commit(lambda: domain_event.send(sender=DomainEvent, event=event))
    return event
