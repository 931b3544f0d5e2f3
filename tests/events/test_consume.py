"""``core.events.consume`` hands every committed event to each consumer exactly once, whatever
order the writing transactions commit in (issue 17 §1). Real PostgreSQL, one connection per
thread: a transaction that inserted an earlier event and commits after a later one must not be
skipped (before, the consumer's cursor moved past its id while it was still invisible)."""

import random
import threading
import time
import uuid
from collections import Counter
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from commissions.models import Entry
from commissions.services import plan_put_in_force, plan_save
from commissions.services import process_events as commissions_process_events
from core.events import consume, emit
from core.models import ConsumedEvent, DomainEvent, EventCursor
from customers.models import Reminder
from network.models import NetworkPath
from network.services import agent_create, tier_create
from notices.dispatch import REMINDERS_CURSOR
from notices.dispatch import process_events as notices_process_events
from notices.models import Notification
from quotes.services import policy_payload
from tests.commissions.conftest import SINCE, sell
from tests.conftest import committed_db

pytestmark = committed_db
SCHEMA = "bowei"


class Held:
    """Runs ``work`` in a transaction on its own connection (a thread) and holds the commit until
    ``release()``: ``result`` is what ``work`` returned, available once ``inserted`` is set."""

    def __init__(self, work):
        self.work, self.result, self.error = work, None, None
        self.inserted, self.go = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with schema_context(SCHEMA), transaction.atomic():
                self.result = self.work()
                self.inserted.set()
                assert self.go.wait(30)
        except Exception as exc:  # surfaced by release()
            self.error = exc
            self.inserted.set()
        finally:
            connection.close()

    def start(self) -> "Held":
        self.thread.start()
        assert self.inserted.wait(30)
        return self

    def release(self) -> None:
        self.go.set()
        self.thread.join(30)
        if self.error:
            raise self.error


def _recorder(name: str, seen: list[int]):
    def handle(events: list[DomainEvent]) -> None:
        ids = [e.pk for e in events if e.object_type == name]
        transaction.on_commit(lambda: seen.extend(ids))  # only handlings that committed count

    return handle


def test_an_event_whose_transaction_commits_late_is_consumed_after_it_commits() -> None:
    consumer = f"t-{uuid.uuid4().hex[:12]}"
    tag = f"late-{consumer}"
    seen: list[int] = []
    handle = _recorder(tag, seen)

    def one_event():
        return emit("test.ping", object_type=tag, object_id=1, payload={}).pk

    with schema_context(SCHEMA):
        consume(consumer, handle)  # start after everything earlier tests left in the outbox
        seen.clear()

        first = Held(one_event).start()  # transaction 1 inserts event N and stays open
        second = Held(one_event).start()  # transaction 2 inserts event N+1 …
        second.release()  # … and commits first
        assert first.result is not None and second.result is not None
        assert first.result < second.result

        consume(consumer, handle)  # between the two commits: only the committed one
        assert seen == [second.result]

        first.release()  # transaction 1 commits
        consume(consumer, handle)
        assert seen == [second.result, first.result]  # the earlier id, consumed after its commit

        consume(consumer, handle)  # nothing twice
        assert seen == [second.result, first.result]
        # Records are kept only at or above the floor (the oldest transaction still running in the
        # cluster, which another session may hold back): below it everything is handled.
        cursor = EventCursor.objects.get(consumer=consumer)
        assert cursor.txid_floor > 0
        assert not ConsumedEvent.objects.filter(consumer=consumer, txid__lt=cursor.txid_floor).exists()
        for pk in (first.result, second.result):
            below = DomainEvent.objects.get(pk=pk).txid < cursor.txid_floor
            assert below or ConsumedEvent.objects.filter(consumer=consumer, event_id=pk).exists()


def test_a_reminder_inserted_by_a_transaction_that_commits_late_still_reaches_the_inbox() -> None:
    """The same bug in the notices' reminder cursor: the daily scan is one long transaction, and a
    vehicle edit that raises a reminder meanwhile commits first."""
    from customers.models import Customer

    with schema_context(SCHEMA):
        tier = tier_create(actor=None, name="提醒经理", rank=43)
        boss = agent_create(
            actor=None, name="提醒经理", mobile="13655583001", licence_no="R-1", tier_id=tier.pk
        )
        customers = [
            Customer.objects.create(
                name=f"晚提交客户{n}", mobile=f"1365558301{n}", promoter=boss, registered_on=date(2026, 1, 5)
            )
            for n in range(2)
        ]
        notices_process_events()  # start from here

    def reminder_for(customer):
        return lambda: Reminder.objects.create(
            kind="follow_up", customer=customer, due_on=date(2026, 12, 20), remind_on=date(2026, 12, 20),
            created_at=timezone.now(),
        ).pk  # fmt: skip

    scan = Held(reminder_for(customers[0])).start()
    edit = Held(reminder_for(customers[1])).start()
    edit.release()
    with schema_context(SCHEMA):
        notices_process_events()
    scan.release()
    with schema_context(SCHEMA):
        notices_process_events()
        keys = set(
            Notification.objects.filter(user=boss.user, kind="reminder.due").values_list(
                "source_key", flat=True
            )
        )
        assert keys == {f"reminder:{scan.result}", f"reminder:{edit.result}"}
        assert EventCursor.objects.get(consumer=REMINDERS_CURSOR).txid_floor > 0


def test_sales_committing_in_random_order_reach_the_ledger_exactly_once() -> None:
    """Four sellers' threads each write five sales (policy + ``policy.issued``) and commit after a
    random pause, while two consumer threads (and the on-commit receivers) read the outbox."""
    with schema_context(SCHEMA):
        upper = tier_create(actor=None, name="并发经理", rank=41)
        lower = tier_create(actor=None, name="并发专员", rank=42)
        boss = agent_create(
            actor=None, name="并发经理", mobile="13655582001", licence_no="S-0", tier_id=upper.pk
        )
        sellers = [
            agent_create(
                actor=None,
                name=f"并发专员{i}",
                mobile=f"1365558201{i}",
                licence_no=f"S-{i + 1}",
                tier_id=lower.pk,
                parent_id=boss.pk,
            )  # fmt: skip
            for i in range(4)
        ]
        NetworkPath.objects.filter(descendant__in=[boss, *sellers]).update(valid_from=SINCE)
        plan = plan_save(
            actor=None, name="并发方案", scheme="per_level", settlement_mode="cross_level",
            rules=[{"line": "commercial", "distance": 0, "rate": Decimal("0.10")},
                   {"line": "commercial", "distance": 1, "rate": Decimal("0.05")}],
        )  # fmt: skip
        plan_put_in_force(actor=None, plan=plan)
        consumer = f"t-{uuid.uuid4().hex[:12]}"
        seen: list[int] = []
        handle = _recorder("policy", seen)
        consume(consumer, handle)
        seen.clear()

    start = threading.Barrier(4 + 2)
    selling = threading.Event()
    emitted: list[int] = []
    policies: list[int] = []
    errors: list[BaseException] = []
    rng = random.Random(17)
    pauses = [[rng.uniform(0, 0.08) for _ in range(5)] for _ in range(4)]

    def sales(i: int) -> None:
        try:
            start.wait(30)
            for j in range(5):
                with schema_context(SCHEMA), transaction.atomic():
                    policy = sell(sellers[i], premium=f"{1000 + 100 * i + 10 * j}.00")
                    event = emit("policy.issued", object_type="policy", object_id=policy.pk,
                                 payload=policy_payload(policy))  # fmt: skip
                    time.sleep(pauses[i][j])  # commit later than transactions that began after it
                emitted.append(event.pk)
                policies.append(policy.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def consumers() -> None:
        try:
            start.wait(30)
            while selling.is_set():
                with schema_context(SCHEMA):
                    consume(consumer, handle, limit=3)
                    commissions_process_events(limit=3)
                time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    selling.set()
    threads = [threading.Thread(target=sales, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=consumers) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads[:4]:
        thread.join(120)
    selling.clear()
    for thread in threads[4:]:
        thread.join(60)
    assert not errors, errors
    assert len(emitted) == 20

    with schema_context(SCHEMA):
        consume(consumer, handle)  # whatever committed after the consumers' last pass
        commissions_process_events()
        counts = Counter(seen)
        assert set(counts) == set(emitted)  # none missed …
        assert max(counts.values()) == 1  # … none twice
        # Premiums 1000 + 100 i + 10 j (i < 4, j < 5) add up to 23,400.00: the seller earns 10 %,
        # the manager above 5 %.
        ledger = Entry.objects.filter(source_type="policy", source_id__in=policies)
        assert ledger.count() == 40
        assert ledger.aggregate(total=Sum("amount"))["total"] == Decimal("3510.00")
        assert ledger.filter(distributor=boss).aggregate(total=Sum("amount"))["total"] == Decimal("1170.00")
        assert ledger.filter(distributor__in=sellers).aggregate(total=Sum("amount"))["total"] == Decimal(
            "2340.00"
        )
