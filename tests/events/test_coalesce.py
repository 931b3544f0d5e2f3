"""One consumer task pending per schema (issue 20): a commit publishes a task only when none is
pending, the task takes the kinds committed meanwhile and clears the flag before it reads, and a
flag whose task was lost lapses. Real Redis broker, real worker, real outbox."""

import os
import threading
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django_tenants.utils import schema_context

from config.celery import app
from core.events import _pending_keys, consume, emit, events_committed, events_pending_take
from core.models import DomainEvent
from core.realtime import client
from tests.conftest import committed_db
from tests.events.test_dispatch import queued

pytestmark = [pytest.mark.worker, committed_db]
SCHEMA = "bowei"


class Recorder:
    """A consumer of the outbox connected to ``events_committed`` (as the real ones are): notes the
    kinds each task handed it and the ids of the events tagged ``tag`` it consumed."""

    def __init__(self, tag: str) -> None:
        self.tag, self.name = tag, f"t-{uuid.uuid4().hex[:12]}"
        self.kinds: list[frozenset[str]] = []
        self.seen: list[int] = []
        self.lock = threading.Condition()

    def __call__(self, sender, kinds: frozenset[str], **kwargs) -> None:
        def handle(events) -> None:
            ids = [e.pk for e in events if e.object_type == self.tag]
            transaction.on_commit(lambda: self._note(ids))

        with self.lock:
            self.kinds.append(kinds)
        consume(self.name, handle)

    def _note(self, ids: list[int]) -> None:
        with self.lock:
            self.seen.extend(ids)
            self.lock.notify_all()

    def wait_for(self, ids: list[int], timeout: float = 30) -> None:
        """Until the consumer has seen ``ids`` (woken by each note), or ``timeout``: the asserts after
        it say what was missing."""
        with self.lock:
            self.lock.wait_for(lambda: set(ids) <= set(self.seen), timeout)


@pytest.fixture
def recorder(settings):
    settings.EVENTS_CONSUME_INLINE = False
    settings.EVENTS_QUEUE = f"test-coalesce-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    rec = Recorder(f"coalesce-{uuid.uuid4().hex[:8]}")
    with schema_context(SCHEMA):
        consume(rec.name, lambda events: None)  # start after what earlier tests left in the outbox
    events_committed.connect(rec, weak=False)
    yield rec
    events_committed.disconnect(rec)
    client().delete(*_pending_keys(SCHEMA))
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(settings.EVENTS_QUEUE)


def commit(rec: Recorder, kind: str) -> int:
    with schema_context(SCHEMA), transaction.atomic():
        return emit(kind, object_type=rec.tag, object_id=1, payload={}).pk


def test_two_commits_in_a_row_publish_one_task_and_both_events_are_consumed(settings, recorder) -> None:
    queue = settings.EVENTS_QUEUE
    first = commit(recorder, "test.first")
    assert queued(queue) == 1
    second = commit(recorder, "test.second")  # the first's task is pending: nothing published
    assert queued(queue) == 1
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        recorder.wait_for([first, second])
        assert recorder.seen == [first, second]  # one task, both events, in the outbox's order
        # the task was handed both commits' kinds (the second's receivers run too)
        assert recorder.kinds == [frozenset({"test.first", "test.second"})]
        # the task cleared the flag before reading: the next commit publishes again, and is consumed
        third = commit(recorder, "test.third")
        recorder.wait_for([third])
    assert recorder.seen == [first, second, third]
    assert queued(queue) == 0


def test_a_flag_whose_task_was_lost_lapses_and_strands_no_event(settings, recorder) -> None:
    settings.EVENTS_PENDING_TTL_SECONDS = 1
    queue = settings.EVENTS_QUEUE
    flag, _ = _pending_keys(SCHEMA)
    first = commit(recorder, "test.first")
    assert queued(queue) == 1
    # The task is lost before it starts (a worker killed holding it): its message is gone, its flag
    # is left behind.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    assert queued(queue) == 0 and client().exists(flag)
    second = commit(recorder, "test.second")  # the flag still stands: nothing published …
    assert queued(queue) == 0
    deadline = time.monotonic() + 10
    while client().exists(flag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not client().exists(flag)  # … until it lapses (EVENTS_PENDING_TTL_SECONDS)
    third = commit(recorder, "test.third")  # the next commit publishes again
    assert queued(queue) == 1
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        recorder.wait_for([first, second, third])
    # the lost task's events and the coalesced one's are read with the third's: none stranded
    assert recorder.seen == [first, second, third]


def test_a_task_killed_after_taking_the_kinds_finds_them_again_when_delivered_again(
    settings, recorder
) -> None:
    queue = settings.EVENTS_QUEUE
    flag, kinds_key = _pending_keys(SCHEMA)
    first = commit(recorder, "test.first")
    second = commit(recorder, "test.second")  # coalesced into the first's task
    assert queued(queue) == 1
    # The task's first delivery takes the pending kinds and clears the flag, then its worker is
    # killed before any consumer ran: the message is not acknowledged (acks_late) and comes again,
    # carrying only the first commit's kinds.
    assert events_pending_take(SCHEMA) == {"test.first", "test.second"}
    assert not client().exists(flag) and queued(queue) == 1
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        recorder.wait_for([first, second])
    # the second commit's kinds were still pending: its receivers ran on the second delivery
    assert recorder.kinds == [frozenset({"test.first", "test.second"})]
    assert recorder.seen == [first, second]
    assert not client().exists(kinds_key)  # and once they ran, nothing is left pending


def test_an_event_written_from_the_public_schema_is_consumed_in_its_own(settings, recorder) -> None:
    """``emit(..., schema=)`` on a connection left on the public schema: the row lands in Bowei's
    outbox and the task it publishes names Bowei (its header, not the connection's schema, which
    never moves): the consumer reads it there."""
    queue = settings.EVENTS_QUEUE
    assert connection.schema_name == "public"  # type: ignore[attr-defined]
    with transaction.atomic():
        event = emit("test.elsewhere", object_type=recorder.tag, object_id=1, payload={}, schema=SCHEMA)
        assert connection.schema_name == "public"  # type: ignore[attr-defined]
    assert connection.schema_name == "public" and queued(queue) == 1  # type: ignore[attr-defined]
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        recorder.wait_for([event.pk])
    assert recorder.kinds == [frozenset({"test.elsewhere"})]
    assert recorder.seen == [event.pk]
    with schema_context(SCHEMA):
        assert DomainEvent.objects.get(pk=event.pk).object_type == recorder.tag
