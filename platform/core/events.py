"""Business events: ``emit`` writes a ``DomainEvent`` row inside the caller's transaction and, once
that commits, sends ``domain_event`` (receivers get the saved row). A rolled-back change leaves no
event and sends nothing."""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
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
    """Hand the committed events ``consumer`` has not handled yet to ``handle`` (in id order, up to
    ``limit``) and record them as handled, in one transaction with the cursor row locked: concurrent
    callers wait, and a failing handler records nothing. Returns how many events were handled."""
    return consume_rows(consumer, DomainEvent, handle, limit=limit)


def consume_rows(
    consumer: str, model: type[Any], handle: Callable[[list[Any]], None], *, limit: int = 500
) -> int:
    """``consume`` for any append-only table with a ``txid`` column (``CurrentTxid`` default): the
    domain events, reminders, statements.

    Why not "rows with id > the last id read": ids are handed out when a row is inserted, not when
    its transaction commits. Transaction 1 inserts row 41, transaction 2 inserts row 42 and commits
    first; a reader between the two commits sees 42 only, moves past it, and never reads 41.

    So each handled row is recorded per consumer (``ConsumedEvent``, unique per consumer and row, in
    the same transaction as the handling: a crash in between rolls both back, and a second
    recording fails instead of handling twice), and a reader takes every *visible* row it has not
    recorded — a visible row is a committed one, whatever the commit order. Rows are read in id
    order, so a change that waited for another (a lock on the same object) comes after it.

    The records would grow for ever; ``txid_floor`` bounds them. Every transaction with an id below
    ``pg_snapshot_xmin(pg_current_snapshot())`` has ended, so no row with a smaller ``txid`` can
    appear any more; once all those rows are handled, the floor moves up to there and the records
    below it are deleted. A long transaction holds the floor (and the records above it) back but
    never stops the reading, unlike a reader that waits for the oldest transaction to end."""
    from core.models import ConsumedEvent

    with transaction.atomic():
        EventCursor.objects.get_or_create(consumer=consumer)
        cursor = EventCursor.objects.select_for_update().get(consumer=consumer)
        # Read first: every transaction below it has ended, so all it wrote is visible from here on.
        with connection.cursor() as db:
            db.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            xmin = int(db.fetchone()[0])
        done = ConsumedEvent.objects.filter(consumer=consumer, event_id=OuterRef("pk"))
        pending = model.objects.filter(pk__gt=cursor.last_id, txid__gte=cursor.txid_floor).filter(
            ~Exists(done)
        )
        rows = list(pending.order_by("pk")[:limit])
        if rows:
            handle(rows)
            ConsumedEvent.objects.bulk_create(
                [ConsumedEvent(consumer=consumer, event_id=row.pk, txid=row.txid) for row in rows]
            )
        left = pending.filter(txid__lt=xmin).aggregate(low=Min("txid"))["low"]
        floor = xmin if left is None else left
        if floor > cursor.txid_floor:
            ConsumedEvent.objects.filter(consumer=consumer, txid__lt=floor).delete()
            cursor.txid_floor = floor
            cursor.save(update_fields=["txid_floor"])
        return len(rows)
