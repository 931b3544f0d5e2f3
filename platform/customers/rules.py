"""Reminder dates, as pure functions (rules in DOMAIN.md, "Customers").

Month arithmetic clamps to the month's end: a car first registered on 2020-02-29 is due on
2026-02-28, and a six-month step from 08-31 lands on 02-28 (or 02-29 in a leap year).
"""

from collections.abc import Iterator
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

RENEWAL_LEADS = (90, 60, 30, 7)  # days before a policy's expiry; renewal opens 90 days ahead
LICENCE_LEADS = (90, 30)  # a driving licence can be renewed within 90 days of expiry
MAINTENANCE_LEAD = 7
INSPECTION_LEAD = 30  # an inspection can be taken up to three months ahead; remind a month before
BIRTHDAY_LEAD = 7
MAINTENANCE_KM_MARGIN = 500  # remind when the odometer is this close to the next service


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)


# The inspection cycles (道路交通安全法实施条例 第十六条; DOMAIN.md), in the order they are matched: the
# uses a cycle applies to (None: every other use), the seats below which it applies (None: any),
# the months after first registration of the first inspections, then the step (months) of the
# ones that follow the last of them. ``inspection_schedule`` walks them in Python,
# ``customers.reminders.inspection_dates_roll`` in one SQL statement.
INSPECTION_CYCLES: tuple[tuple[tuple[str, ...] | None, int | None, tuple[int, ...], int], ...] = (
    # Small non-operating passenger cars: years 6 and 10, yearly to year 15, then every six months.
    (("family", "enterprise", "government"), 10, (72, 120, 132, 144, 156, 168, 180), 6),
    # Operating passenger vehicles: yearly for 5 years, then every six months.
    (("taxi_rental",), None, (12, 24, 36, 48, 60), 6),
    # Motorcycles: every two years for 4 years, then yearly.
    (("motorcycle",), None, (24, 48), 12),
    # Trucks and large passenger vehicles: yearly for 10 years, then every six months.
    (None, None, tuple(12 * year for year in range(1, 11)), 6),
)


def inspection_cycle(*, use: str, seats: int) -> int:
    """The index in INSPECTION_CYCLES of the cycle a vehicle follows."""
    for n, (uses, seats_below, _, _) in enumerate(INSPECTION_CYCLES):
        if (uses is None or use in uses) and (seats_below is None or seats < seats_below):
            return n
    raise AssertionError("the last cycle matches every vehicle")  # pragma: no cover


def inspection_schedule(*, first_registered_on: date, use: str, seats: int) -> Iterator[date]:
    """Every date an inspection falls due, in order (an endless iterator).

    Small non-operating passenger cars (家庭自用/企业/机关 with fewer than 10 seats): in years 6 and
    10, then yearly to year 15, then every six months (DOMAIN.md). Operating passenger vehicles:
    yearly for 5 years, then every six months. Trucks and large passenger vehicles: yearly for 10
    years, then every six months. Motorcycles: every two years for 4 years, then yearly (道路交通安全法
    实施条例 第十六条). Each date is the registration date plus whole months, clamped to the month's
    end (never stepped from the previous date).
    """
    _, _, months, step = INSPECTION_CYCLES[inspection_cycle(use=use, seats=seats)]
    yield from (add_months(first_registered_on, m) for m in months)
    m = months[-1]
    while True:
        m += step
        yield add_months(first_registered_on, m)


def next_inspection_on(
    *, first_registered_on: date | None, use: str, seats: int, on_or_after: date
) -> date | None:
    """The first inspection due on or after ``on_or_after``."""
    if first_registered_on is None:
        return None
    for due in inspection_schedule(first_registered_on=first_registered_on, use=use, seats=seats):
        if due >= on_or_after:
            return due
    return None  # pragma: no cover - the schedule is endless


def next_maintenance_on(
    *, last_maintained_on: date | None, first_registered_on: date | None, every_months: int
) -> date | None:
    """By months: the last service (or, with none recorded, the first registration) plus the interval."""
    basis = last_maintained_on or first_registered_on
    if basis is None or every_months <= 0:
        return None
    return add_months(basis, every_months)


def maintenance_due_by_km(*, mileage_km: int, last_maintained_km: int | None, every_km: int) -> bool:
    if every_km <= 0:
        return False
    return mileage_km + MAINTENANCE_KM_MARGIN >= (last_maintained_km or 0) + every_km


def renewal_stage(*, expires_on: date, today: date, leads: tuple[int, ...] = RENEWAL_LEADS) -> int | None:
    """Which reminder stage holds today: the smallest lead not shorter than the days left (so 45
    days before expiry is the 60-day stage). None outside the renewal window or after expiry."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return None
    fitting = [lead for lead in leads if lead >= days_left]
    return min(fitting) if fitting else None


def birthday_in_year(birth_date: date, year: int) -> date:
    """Feb 29 birthdays fall on Feb 28 in common years."""
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def birthdays_between(first: date, last: date) -> list[tuple[int, date]]:
    """(MMDD, date) for every day in [first, last]; Feb 28 of a common year also stands for 02-29."""
    out = []
    day = first
    while day <= last:
        out.append((day.month * 100 + day.day, day))
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            out.append((229, day))
        day += timedelta(days=1)
    return out


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
