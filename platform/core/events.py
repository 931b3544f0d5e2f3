"""Business events: ``emit`` writes a ``DomainEvent`` row inside the caller's transaction. Once
that commits, the consumers (the commission ledger, gift packs, the inbox) read the outbox — not in
the request: a Celery task (``core.tasks.events_consume_task``) sends ``events_committed`` with the
kinds the transactions wrote, and each receiver whose kinds are among them runs its consumer. A
rolled-back change leaves no event and enqueues nothing.

One task per schema is pending at a time (issue 20: an ``apply_async`` per commit cost a step as
much CPU as two queries): a commit adds its kinds to the schema's pending set and sets the schema's
pending flag (``SET NX`` with a TTL) in one Redis round trip, and publishes a task only when it set
the flag. The task takes the set and clears the flag (one ``MULTI``) *before* it reads the outbox,
so a commit either lands before that (its kinds are taken, its rows are visible to the read that
follows) or after it (it finds no flag and publishes a task of its own). A flag whose task was lost
(a worker killed before it started) expires after ``EVENTS_PENDING_TTL_SECONDS``; the next commit
publishes again, and the beat's catch-up tasks read whatever is left meanwhile.

Order per object is the outbox's: every consumer reads with ``consume`` (id order, under its cursor
lock), whichever task gets there first, so two tasks of successive steps of one service order hand
its events over in the order they were written. Should a task be lost (broker down, worker killed
before acknowledging), the beat's per-minute catch-up tasks read what is left."""

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.dispatch import Signal
from django_tenants.utils import schema_context

from core.bulk import insert
from core.models import DomainEvent, EventCursor

logger = logging.getLogger(__name__)

# Sent once per committed batch, in the batch's schema: ``kinds`` is the set of event kinds written.
events_committed = Signal()


def emit(
    kind: str,
    *,
    object_type: str,
    object_id: int | str,
    payload: dict[str, Any],
    actor: Any = None,
    schema: str | None = None,
) -> DomainEvent:
    """Write the event into the outbox of ``schema`` (default: the connection's), in the caller's
    transaction, and have its consumers run once that commits.

    Another schema's outbox is written without switching the connection to it (``core.bulk.insert``):
    a step on the platform host writes the tenant's event with no ``SET search_path`` there and back.
    """
    here: str = connection.schema_name  # type: ignore[attr-defined]
    fields = {
        "kind": kind,
        "object_type": object_type,
        "object_id": str(object_id),
        "payload": payload,
        "actor": actor if getattr(actor, "pk", None) else None,
    }
    event = DomainEvent(**fields)
    if schema is None or schema == here:
        insert([event])  # DomainEvent.objects.create, its SQL built once per process
        schema = here
    else:
        insert([event], schema=schema)
    if transaction.get_connection().in_atomic_block:
        _Batch.current().add(schema, kind)
    else:  # autocommit: the row is committed already
        events_dispatch(schema, [kind])
    return event


class _Batch:
    """The kinds of events one transaction wrote, per schema; dispatched once, after its commit."""

    def __init__(self) -> None:
        self.kinds: dict[str, set[str]] = {}
        self.dispatched = False
        self.hook = self.dispatch  # one bound method, to find it among the connection's hooks

    @classmethod
    def current(cls) -> "_Batch":
        conn = transaction.get_connection()
        batch: _Batch | None = getattr(conn, "_event_batch", None)
        # A new batch when none is pending: the last one was dispatched, or its transaction (or
        # the savepoints it was hooked in) rolled back, which drops its on-commit hooks.
        if (
            batch is None
            or batch.dispatched
            or not any(hook is batch.hook for _, hook, _ in conn.run_on_commit)
        ):
            batch = cls()
            conn._event_batch = batch
        # Hooked once per event; the first hook to run dispatches the batch, the others find it
        # done. (Once per batch would do in production; a test that runs only the hooks added
        # during a block, ``captureOnCommitCallbacks``, needs one added with each event.)
        transaction.on_commit(batch.hook)
        return batch

    def add(self, schema: str, kind: str) -> None:
        self.kinds.setdefault(schema, set()).add(kind)

    def dispatch(self) -> None:
        if self.dispatched:
            return
        self.dispatched = True
        for schema, kinds in self.kinds.items():
            events_dispatch(schema, sorted(kinds))


def _pending_keys(schema: str) -> tuple[str, str]:
    """The schema's pending flag and pending kinds (per queue: a test's queue is its own)."""
    flag = f"{settings.REALTIME_KEY_PREFIX}:events-pending:{settings.EVENTS_QUEUE or '-'}:{schema}"
    return flag, f"{flag}:kinds"


# SADD the kinds, EXPIRE their set, SET the flag NX with its TTL: one command (issue 20) rather than a
# pipeline of three packed and parsed by redis-py. The kinds outlive the flag (10 TTLs): a task that
# starts late still finds them. Answers 1 when this call set the flag.
_CLAIM = """
if #ARGV > 1 then
  redis.call('SADD', KEYS[2], unpack(ARGV, 2))
  redis.call('EXPIRE', KEYS[2], 10 * tonumber(ARGV[1]))
end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 1 end
return 0
"""


@cache
def _claim_script() -> Any:
    """Hashed once per process, run with EVALSHA (the source is loaded again if the server lost it)."""
    from core.realtime import client

    return client().register_script(_CLAIM)


def _pending_claim(schema: str, kinds: list[str]) -> bool:
    """Add ``kinds`` to the schema's pending set; True when no task was pending (this caller
    publishes one). Unknown (Redis unreachable) counts as True: publish rather than wait."""
    from core.realtime import client

    flag, kinds_key = _pending_keys(schema)
    try:
        return bool(
            _claim_script()(
                keys=[flag, kinds_key], args=[settings.EVENTS_PENDING_TTL_SECONDS, *kinds], client=client()
            )
        )
    except Exception:
        logger.warning("no pending-task flag for %s; publishing", schema, exc_info=True)
        return True


def events_pending_take(schema: str) -> set[str]:
    """For the task, before it reads the outbox: the kinds committed since the flag was set, and the
    flag cleared (so the next commit publishes a task again). The kinds stay in the set until
    ``events_pending_done``: a task killed while its consumers run is delivered again (``acks_late``)
    with only its own commit's kinds, and finds the others still there."""
    from core.realtime import client

    flag, kinds_key = _pending_keys(schema)
    try:
        pipe = client().pipeline(transaction=True)
        pipe.smembers(kinds_key)
        pipe.delete(flag)
        members = pipe.execute()[0]
    except Exception:  # the flag expires; the task still reads everything committed
        logger.warning("could not clear the pending-task flag of %s", schema, exc_info=True)
        return set()
    return {m.decode() if isinstance(m, bytes) else str(m) for m in members}


def events_pending_done(schema: str, kinds: set[str]) -> None:
    """After the consumers of ``kinds`` ran: drop them from the pending set. A commit that added one
    of them again after the take found no flag and published a task with its kinds in its arguments,
    so removing it here loses nothing."""
    from core.realtime import client

    if not kinds:
        return
    _, kinds_key = _pending_keys(schema)
    try:
        client().srem(kinds_key, *kinds)
    except Exception:  # left in the set: the next task runs those consumers once more, harmlessly
        logger.warning("could not clear the pending kinds of %s", schema, exc_info=True)


def events_dispatch(schema: str, kinds: list[str]) -> None:
    """Hand a committed batch to the worker (``EVENTS_CONSUME_INLINE``: run it here, as the tests
    do unless they say otherwise): a task, unless one is pending for the schema already (module
    docstring). Without a broker it runs here rather than wait for the beat."""
    from core.tasks import events_consume_task

    if settings.EVENTS_CONSUME_INLINE:
        with schema_context(schema):
            events_consume(kinds)
        return
    if not _pending_claim(schema, kinds):
        return  # the pending task has not read the outbox yet: it reads these too
    try:
        # The task runs in ``schema``: tenant-schemas-celery's header, named here rather than taken
        # from the connection, which is left where it is (switched there and back, it would send a
        # SET search_path with the request's next query).
        events_consume_task.apply_async(
            args=[kinds], queue=settings.EVENTS_QUEUE or None, headers={"_schema_name": schema}
        )
    except Exception:
        logger.exception("could not enqueue the consumers of %s; running them here", kinds)
        with schema_context(schema):
            taken = events_pending_take(schema)
            events_consume(sorted(set(kinds) | taken))
            events_pending_done(schema, taken)


def events_consume(kinds: list[str]) -> None:
    """Run the consumers interested in ``kinds`` (in the current schema). Each receiver logs its own
    failure and leaves the events to its catch-up task."""
    events_committed.send(sender=DomainEvent, kinds=frozenset(kinds))


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
