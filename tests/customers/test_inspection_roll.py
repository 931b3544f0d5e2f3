"""The daily inspection roll (one UPDATE): every car whose next inspection has passed moves to the
first one due on or after the day, by the law's cycles, with month ends and leap days clamped from
the registration date (never stepped from the previous date); other tenants' cars are not touched."""

import random
from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from customers.models import Vehicle
from customers.reminders import inspection_dates_roll
from customers.rules import next_inspection_on
from customers.services import customer_create

pytestmark = pytest.mark.django_db

# (plate, use, seats, first registered, next inspection as yesterday's roll left it)
CARS = [
    # family car, leap-day registration: 72 months is 2026-02-28; next is 120 months, 2030-02-28
    ("粤B10001", "family", 5, date(2020, 2, 29), date(2026, 2, 28)),
    # taxi registered on Aug 31: yearly to 2024-08-31, then every 6 months from the registration:
    # 2025-02-28, 2025-08-31, 2026-02-28, 2026-08-31 (Aug 31 again, not Feb 28 + 6 months)
    ("粤B10002", "taxi_rental", 5, date(2019, 8, 31), date(2026, 2, 28)),
    # motorcycle, leap day: 24 months is 2026-02-28, 48 months 2028-02-29 (a leap year)
    ("粤B10003", "motorcycle", 2, date(2024, 2, 29), date(2026, 2, 28)),
    # truck registered Dec 31: yearly to 2022-12-31, then 2023-06-30, … 2025-12-31, 2026-06-30
    ("粤B10004", "truck", 3, date(2012, 12, 31), date(2025, 12, 31)),
    # a 19-seat bus is not a small car: yearly to 2025-01-31, then 2025-07-31, 2026-01-31, 2026-07-31
    ("粤B10005", "enterprise", 19, date(2015, 1, 31), date(2026, 1, 31)),
    # taxi registered 2000-03-15: every 6 months since 2005; 2026-03-15 is before the 20th
    ("粤B10006", "taxi_rental", 5, date(2000, 3, 15), date(2025, 9, 15)),
    # family car registered 2008-03-20: every 6 months since 2023; due on 2026-03-20 itself
    ("粤B10007", "family", 5, date(2008, 3, 20), date(2025, 9, 20)),
    # not passed: left alone on the first roll (due on the day itself), then 120 months: 2030-03-01
    ("粤B10008", "family", 5, date(2020, 3, 1), date(2026, 3, 1)),
    # family car registered 2008-09-01: every 6 months since 2023; the next is the day itself
    ("粤B10009", "family", 5, date(2008, 9, 1), date(2025, 9, 1)),
]


def dates(plates: list[str]) -> list[date | None]:
    by_plate = dict(Vehicle.objects.filter(plate__in=plates).values_list("plate", "next_inspection_on"))
    return [by_plate[p] for p in plates]


def test_the_roll_moves_passed_inspections_to_the_next_due_date_with_month_ends_and_leap_days(
    datang, bowei
) -> None:
    plates = [c[0] for c in CARS]
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="年检",
            mobile="13800138101",
            vehicles=[{"plate": p, "use": u, "seats": s, "first_registered_on": r} for p, u, s, r, _ in CARS],
        )
        for plate, _, _, _, due in CARS:  # as the roll of 2026-02-28 left them
            Vehicle.objects.filter(customer=customer, plate=plate).update(next_inspection_on=due)
    with schema_context("bowei"):
        other = customer_create(
            actor=None,
            name="别家",
            mobile="13800138102",
            vehicles=[
                {"plate": "粤B20001", "use": "family", "seats": 5, "first_registered_on": date(2020, 2, 29)}
            ],
        ).vehicles.get()
        Vehicle.objects.filter(pk=other.pk).update(next_inspection_on=date(2026, 2, 28))

    with schema_context("datang"):
        assert inspection_dates_roll(today=date(2026, 3, 1)) == 8
        assert dates(plates) == [
            date(2030, 2, 28),
            date(2026, 8, 31),
            date(2028, 2, 29),
            date(2026, 6, 30),
            date(2026, 7, 31),
            date(2026, 3, 15),
            date(2026, 3, 20),
            date(2026, 3, 1),
            date(2026, 3, 1),
        ]
        # On the 20th: three dates have passed; the 2008-03-20 car's is the day itself.
        assert inspection_dates_roll(today=date(2026, 3, 20)) == 3
        assert dates(plates)[5:] == [date(2026, 9, 15), date(2026, 3, 20), date(2030, 3, 1), date(2026, 9, 1)]
        assert inspection_dates_roll(today=date(2026, 3, 20)) == 0  # nothing passed twice
    with schema_context("bowei"):
        assert Vehicle.objects.get(pk=other.pk).next_inspection_on == date(2026, 2, 28)


def test_the_roll_agrees_with_the_python_rule_for_every_cycle(datang) -> None:
    """The SQL roll against ``rules.next_inspection_on`` for 600 cars of every use, seat count and
    registration date (month ends and Feb 29 over-weighted), rolled to three days."""
    rng = random.Random(20)
    uses = [("family", 5), ("family", 7), ("enterprise", 5), ("enterprise", 19), ("government", 9),
            ("government", 10), ("taxi_rental", 5), ("truck", 3), ("truck_operating", 3), ("motorcycle", 2)]  # fmt: skip
    month_ends = [date(y, m, 1) - timedelta(days=1) for y in range(1996, 2027) for m in (1, 3, 5, 7, 9, 11)]
    leap_days = [date(y, 2, 29) for y in range(1996, 2027, 4)]
    with schema_context("datang"):
        customer = customer_create(actor=None, name="抽样", mobile="13800138103")
        cars = []
        for n in range(600):
            use, seats = uses[n % len(uses)]
            r = rng.random()
            registered = (
                rng.choice(month_ends)
                if r < 0.3
                else rng.choice(leap_days)
                if r < 0.45
                else date(1995, 1, 1) + timedelta(days=rng.randrange(32 * 365))
            )
            cars.append(
                Vehicle(
                    customer=customer,
                    plate=f"粤C{n:05d}",
                    use=use,
                    seats=seats,
                    first_registered_on=registered if n % 50 else None,
                    next_inspection_on=date(2000, 1, 1),  # passed on every day below
                )
            )
        Vehicle.objects.bulk_create(cars)
        for today in (date(2026, 2, 28), date(2028, 2, 29), date(2031, 8, 31)):
            Vehicle.objects.filter(customer=customer).update(next_inspection_on=date(2000, 1, 1))
            assert inspection_dates_roll(today=today) == 600
            got = dict(Vehicle.objects.filter(customer=customer).values_list("plate", "next_inspection_on"))
            want = {
                car.plate: next_inspection_on(
                    first_registered_on=car.first_registered_on,
                    use=car.use,
                    seats=car.seats,
                    on_or_after=today,
                )
                for car in cars
            }
            assert got == want
            assert sum(d is None for d in got.values()) == 12  # no registration date, no inspection date
