"""An event written into another schema's outbox without switching the connection (``emit(...,
schema=)``, issue 20): the row is the one ``DomainEvent.objects.create`` writes with the connection
switched there — every column, the payload's JSON, the actor, the time and the transaction's id —
it lands in that schema only, no ``SET search_path`` is sent, and the commit hands its kind to
that schema's consumers once, as a switched write does."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

import core.events
from core.events import emit
from core.models import DomainEvent
from tests.conftest import person

pytestmark = pytest.mark.django_db

PAYLOAD = {"no": "SO202612070001", "state_label": "已接单", "total": 387.5, "items": [1, None, "机滤"],
           "agent_user_id": None, "ok": True}  # fmt: skip


def test_an_event_written_into_another_schema_is_the_row_a_switched_write_writes(
    datang, monkeypatch, django_capture_on_commit_callbacks
):
    dispatched: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(
        core.events, "events_dispatch", lambda schema, kinds: dispatched.append((schema, kinds))
    )
    owner = person("datang_owner")
    with schema_context("datang"):
        before_datang = DomainEvent.objects.count()
    before_public = DomainEvent.objects.count()
    assert connection.schema_name == "public"  # type: ignore[attr-defined]

    began = timezone.now()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            txid = cursor.fetchone()[0]
        with CaptureQueriesContext(connection) as queries:
            direct = emit("test.schema", object_type="service_order", object_id=41, payload=PAYLOAD,
                          actor=owner, schema="datang")  # fmt: skip
        assert connection.schema_name == "public"  # type: ignore[attr-defined]
        with schema_context("datang"):
            switched = emit(
                "test.schema", object_type="service_order", object_id=41, payload=PAYLOAD, actor=owner
            )
    ended = timezone.now()

    # one statement, the INSERT into Datang's table, and no search_path sent for it
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert sql.startswith('INSERT INTO "datang"."core_domainevent" ') and "search_path" not in sql
    # the instance as create() leaves it: saved, its id and the database's txid on it
    assert direct.pk and not direct._state.adding and direct._state.db == "default"
    assert (direct.txid, switched.txid) == (txid, txid)

    columns = ["kind", "object_type", "object_id", "payload", "actor_id", "txid"]
    with schema_context("datang"):
        assert DomainEvent.objects.count() == before_datang + 2
        rows = {e.pk: e for e in DomainEvent.objects.filter(pk__in=[direct.pk, switched.pk])}
        with connection.cursor() as cursor:  # the payload as stored, not only as read back
            cursor.execute("SELECT id, payload::text FROM core_domainevent WHERE id IN (%s, %s)",
                           [direct.pk, switched.pk])  # fmt: skip
            stored = dict(cursor.fetchall())
    assert DomainEvent.objects.count() == before_public  # nothing in the public schema's outbox
    mine, theirs = rows[direct.pk], rows[switched.pk]
    assert [getattr(mine, c) for c in columns] == [
        "test.schema", "service_order", "41", PAYLOAD, owner.pk, txid,
    ]  # fmt: skip
    assert [getattr(mine, c) for c in columns] == [getattr(theirs, c) for c in columns]
    assert stored[direct.pk] == stored[switched.pk]
    assert began <= mine.occurred_at <= theirs.occurred_at <= ended
    assert mine.occurred_at == direct.occurred_at  # auto_now_add, as create() sets it

    # the commit hands the kind to Datang's consumers once, as for the switched write
    assert dispatched == [("datang", ["test.schema"])]


def test_an_actor_without_a_row_and_the_connections_own_schema(datang, monkeypatch):
    """``actor`` without a pk is no actor, as before; ``schema`` naming the connection's own schema
    writes as ``create()`` does, unqualified."""
    monkeypatch.setattr(core.events, "events_dispatch", lambda schema, kinds: None)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            other = emit(
                "test.none", object_type="x", object_id="a", payload={}, actor=object(), schema="datang"
            )
            here = emit("test.none", object_type="x", object_id="b", payload={}, schema="public")
    assert [q["sql"].split(" (")[0] for q in queries.captured_queries] == [
        'INSERT INTO "datang"."core_domainevent"',
        'INSERT INTO "core_domainevent"',
    ]
    with schema_context("datang"):
        assert DomainEvent.objects.get(pk=other.pk).actor_id is None
    assert DomainEvent.objects.get(pk=here.pk).object_id == "b"
