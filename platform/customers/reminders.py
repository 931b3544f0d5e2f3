"""The reminder scan: one set-based INSERT … SELECT per rule, idempotent by the reminder's key.

The daily scan covers the days since the last scan (so a missed day is caught up) and creates the
reminders whose remind date fell in them. When a vehicle or customer is written, the same
statements run for that row alone with an open start, so a car added 45 days before its policy
expires gets its 60-day renewal reminder at once and nothing older.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core.tenancy import current_schema_name
from customers.models import Customer, FollowUp, Reminder, ReminderScan, Vehicle
from customers.rules import (
    BIRTHDAY_LEAD,
    INSPECTION_CYCLES,
    INSPECTION_LEAD,
    LICENCE_LEADS,
    MAINTENANCE_LEAD,
    RENEWAL_LEADS,
    birthdays_between,
)

OPEN_START = date(1900, 1, 1)
MAX_CATCH_UP_DAYS = 90

R, V, C, F = (m._meta.db_table for m in (Reminder, Vehicle, Customer, FollowUp))
COLUMNS = "kind, customer_id, vehicle_id, due_on, remind_on, lead_days, status, created_at"


@dataclass(frozen=True)
class RuleQuery:
    kind: str
    select: str  # yields the reminder rows, COLUMNS in order
    params: dict[str, Any]


def rule_queries(
    *, today: date, since: date, vehicle_id: int | None = None, customer_id: int | None = None
) -> list[RuleQuery]:
    """The SELECT of every rule for remind dates in [since, today], optionally for one row."""
    v_only = " AND v.id = %(vehicle_id)s" if vehicle_id else ""
    v_only += " AND v.customer_id = %(customer_id)s" if customer_id else ""
    c_only = " AND c.id = %(customer_id)s" if customer_id else ""
    f_only = " AND f.customer_id = %(customer_id)s" if customer_id else ""
    base = {
        "today": today,
        "since": since,
        "now": timezone.now(),
        "vehicle_id": vehicle_id,
        "customer_id": customer_id,
    }
    birthday_from = max(since, today - timedelta(days=MAX_CATCH_UP_DAYS)) + timedelta(days=BIRTHDAY_LEAD)
    birthdays = birthdays_between(birthday_from, today + timedelta(days=BIRTHDAY_LEAD))
    # The expiry dates a stage can start on in [since, today]: a cheap equality filter in front of
    # the per-lead arithmetic (4 dates on a normal day; it drops nothing the arithmetic would keep).
    renewal_dues, licence_dues = (
        _due_dates(RENEWAL_LEADS, today, since),
        _due_dates(LICENCE_LEADS, today, since),
    )
    # Every rule compares an indexed column with constants (the lead added to the window, not taken
    # from the column), so each finds its rows through an index instead of reading every car.
    queries = [
        # Renewal: both policies of a car usually expire together: one reminder per car and date.
        RuleQuery(
            "renewal",
            f"""SELECT DISTINCT ON (v.id, line.due_on) 'renewal', v.customer_id, v.id, line.due_on,
                       line.due_on - l.lead, l.lead, 'open', %(now)s
                FROM {V} v
                CROSS JOIN LATERAL (VALUES (v.ctpl_expires_on), (v.commercial_expires_on)) AS line(due_on)
                CROSS JOIN unnest(%(leads)s::int[]) AS l(lead)
                WHERE (v.ctpl_expires_on = ANY(%(dues)s::date[]) OR v.commercial_expires_on = ANY(%(dues)s::date[]))
                  AND line.due_on >= %(today)s AND line.due_on - l.lead BETWEEN %(since)s AND %(today)s{v_only}
                ORDER BY v.id, line.due_on, l.lead""",
            {**base, "leads": list(RENEWAL_LEADS), "dues": renewal_dues},
        ),
        RuleQuery(
            "maintenance",
            f"""SELECT 'maintenance', v.customer_id, v.id, v.next_maintenance_on,
                       v.next_maintenance_on - {MAINTENANCE_LEAD}, {MAINTENANCE_LEAD}, 'open', %(now)s
                FROM {V} v
                WHERE v.next_maintenance_on BETWEEN %(since)s::date + {MAINTENANCE_LEAD}
                                                AND %(today)s::date + {MAINTENANCE_LEAD}{v_only}""",
            base,
        ),
        RuleQuery(
            "inspection",
            f"""SELECT 'inspection', v.customer_id, v.id, v.next_inspection_on,
                       v.next_inspection_on - {INSPECTION_LEAD}, {INSPECTION_LEAD}, 'open', %(now)s
                FROM {V} v
                WHERE v.next_inspection_on >= %(today)s
                  AND v.next_inspection_on BETWEEN %(since)s::date + {INSPECTION_LEAD}
                                               AND %(today)s::date + {INSPECTION_LEAD}{v_only}""",
            base,
        ),
        RuleQuery(
            "licence",
            f"""SELECT DISTINCT ON (c.id) 'licence', c.id, NULL::bigint, c.licence_expires_on,
                       c.licence_expires_on - l.lead, l.lead, 'open', %(now)s
                FROM {C} c CROSS JOIN unnest(%(leads)s::int[]) AS l(lead)
                WHERE c.licence_expires_on = ANY(%(dues)s::date[]) AND c.licence_expires_on >= %(today)s
                  AND c.licence_expires_on - l.lead BETWEEN %(since)s AND %(today)s{c_only}
                ORDER BY c.id, l.lead""",
            {**base, "leads": list(LICENCE_LEADS), "dues": licence_dues},
        ),
        RuleQuery(
            "birthday",
            f"""SELECT 'birthday', c.id, NULL::bigint, b.day, b.day - {BIRTHDAY_LEAD}, {BIRTHDAY_LEAD}, 'open', %(now)s
                FROM {C} c JOIN unnest(%(mmdds)s::int[], %(days)s::date[]) AS b(mmdd, day) ON c.birth_mmdd = b.mmdd
                WHERE TRUE{c_only}""",
            {**base, "mmdds": [m for m, _ in birthdays], "days": [d for _, d in birthdays]},
        ),
        RuleQuery(
            "follow_up",
            f"""SELECT DISTINCT ON (f.customer_id, f.next_contact_on) 'follow_up', f.customer_id, NULL::bigint,
                       f.next_contact_on, f.next_contact_on, 0, 'open', %(now)s
                FROM {F} f
                WHERE f.next_contact_on BETWEEN %(since)s AND %(today)s{f_only}
                ORDER BY f.customer_id, f.next_contact_on""",
            base,
        ),
    ]
    if vehicle_id:
        queries = [q for q in queries if q.kind in ("renewal", "maintenance", "inspection")]
    return queries


def _due_dates(leads: tuple[int, ...], today: date, since: date) -> list[date]:
    first = max((since - today).days, -max(leads))
    return sorted(
        {today + timedelta(days=lead + n) for lead in leads for n in range(first, 1) if lead + n >= 0}
    )


def insert_statement(queries: list[RuleQuery]) -> tuple[str, dict[str, Any]]:
    """The one INSERT that writes the rules' reminders, sorted by reminder_once's key (so the index's
    leaf pages are met once each, in order, and a customer's reminders land side by side), each key
    once (ON CONFLICT DO NOTHING); it yields (kind, how many were created)."""
    selects, params = [], {}
    for n, query in enumerate(queries):  # each rule's parameters renamed apart: name_<n>
        selects.append("(" + re.sub(r"%\((\w+)\)s", rf"%(\1_{n})s", query.select) + ")")
        params.update({f"{name}_{n}": value for name, value in query.params.items()})
    sql = f"""WITH written AS (
            INSERT INTO {R} ({COLUMNS})
            SELECT * FROM ({" UNION ALL ".join(selects)}) AS reminder
            ORDER BY 2, 1, 3, 4, 6
            ON CONFLICT DO NOTHING
            RETURNING kind
        )
        SELECT kind, count(*) FROM written GROUP BY kind"""
    return sql, params


def _run(queries: list[RuleQuery]) -> dict[str, int]:
    """Create the reminders the rules find (one statement); returns how many per rule."""
    created = {query.kind: 0 for query in queries}
    if queries:
        with connection.cursor() as cursor:
            cursor.execute(*insert_statement(queries))
            for kind, count in cursor.fetchall():
                created[kind] += count
    return created


def _inspection_cycle_sql() -> tuple[str, str]:
    """INSPECTION_CYCLES as SQL: the CASE that gives a car's cycle (``v``), and the VALUES rows
    (cycle, first months, step) to join it with."""
    whens, rows = [], []
    for n, (uses, seats_below, months, step) in enumerate(INSPECTION_CYCLES):
        test = [f"v.use IN ({', '.join(repr(u) for u in uses)})" if uses else "TRUE"]
        test += [f"v.seats < {int(seats_below)}"] if seats_below is not None else []
        whens.append(f"WHEN {' AND '.join(test)} THEN {n}")
        rows.append(f"({n}, ARRAY[{', '.join(str(int(m)) for m in months)}], {int(step)})")
    return f"CASE {' '.join(whens)} END", ", ".join(rows)


def inspection_dates_roll(*, today: date) -> int:
    """Move the next inspection of every car whose date has passed to the first one due on or after
    ``today`` (``customers.rules.next_inspection_on``), in one UPDATE.

    A car's dates are its registration plus the cycle's first months, then plus the last of them
    and whole steps; PostgreSQL's ``date + interval 'n months'`` clamps to the month's end as
    ``relativedelta`` does. Of the stepped dates only two can be the answer: the first whose month
    is not before today's (k steps, k from the months between registration and today), and the one
    after it, if that first one falls earlier in today's month."""
    cycle, cycles = _inspection_cycle_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {V} v SET next_inspection_on = (
                    SELECT min(due.on_) FROM (VALUES {cycles}) AS c(cycle, months, step)
                    CROSS JOIN LATERAL (
                        SELECT greatest(1, ceil((
                            %(month)s - (extract(year FROM v.first_registered_on) * 12
                                         + extract(month FROM v.first_registered_on))
                            - c.months[cardinality(c.months)])::numeric / c.step))::int AS k
                    ) AS steps
                    CROSS JOIN LATERAL (
                        SELECT (v.first_registered_on + make_interval(months => m))::date FROM unnest(c.months) AS m
                        UNION ALL
                        SELECT (v.first_registered_on
                                + make_interval(months => c.months[cardinality(c.months)] + k * c.step))::date
                        FROM generate_series(steps.k, steps.k + 1) AS k
                    ) AS due(on_)
                    WHERE c.cycle = {cycle} AND due.on_ >= %(today)s
                )
                WHERE v.next_inspection_on < %(today)s""",
            {"today": today, "month": today.year * 12 + today.month},
        )
        return max(cursor.rowcount, 0)


@transaction.atomic
def reminders_scan_daily(*, today: date) -> dict[str, int]:
    """The beat job, per tenant. Covers every day since the last scan (at most 90 back)."""
    with connection.cursor() as cursor:  # one scan per tenant at a time
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reminders:{current_schema_name()}"])
    last = ReminderScan.objects.order_by("-scanned_through").first()
    since = today if last is None else last.scanned_through + timedelta(days=1)
    since = max(since, today - timedelta(days=MAX_CATCH_UP_DAYS))
    inspection_dates_roll(today=today)
    created = _run(rule_queries(today=today, since=since)) if since <= today else {}
    if last is None or last.scanned_through < today:
        ReminderScan.objects.create(
            scanned_through=today, created=sum(created.values()), finished_at=timezone.now()
        )
    return created


def reminders_refresh_for_vehicle(*, vehicle_id: int, today: date) -> dict[str, int]:
    return _run(rule_queries(today=today, since=OPEN_START, vehicle_id=vehicle_id))


def reminders_refresh_for_customer(*, customer_id: int, today: date) -> dict[str, int]:
    """After a customer is written: the current reminders of the customer and their cars."""
    queries = rule_queries(today=today, since=OPEN_START, customer_id=customer_id)
    # A birthday is news from a week before until the day; a follow-up date only on its day.
    queries = [q for q in queries if q.kind not in ("birthday", "follow_up")]
    queries += [
        q
        for q in rule_queries(
            today=today, since=today - timedelta(days=BIRTHDAY_LEAD), customer_id=customer_id
        )
        if q.kind == "birthday"
    ]
    queries += [
        q for q in rule_queries(today=today, since=today, customer_id=customer_id) if q.kind == "follow_up"
    ]
    return _run(queries)
