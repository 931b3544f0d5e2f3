"""Reminder dates by the rules of DOMAIN.md, with real dates: leap years and month ends included."""

from datetime import date

import pytest

from customers.rules import (
    add_months,
    birthday_in_year,
    birthdays_between,
    inspection_schedule,
    maintenance_due_by_km,
    next_inspection_on,
    next_maintenance_on,
    renewal_stage,
)


def first(n, **kwargs):
    schedule = inspection_schedule(**kwargs)
    return [next(schedule) for _ in range(n)]


def test_small_private_car_is_inspected_in_years_6_and_10_then_yearly_to_15_then_twice_a_year() -> None:
    dates = first(10, first_registered_on=date(2019, 5, 20), use="family", seats=5)
    assert dates == [
        date(2025, 5, 20),  # year 6
        date(2029, 5, 20),  # year 10
        date(2030, 5, 20),
        date(2031, 5, 20),
        date(2032, 5, 20),
        date(2033, 5, 20),
        date(2034, 5, 20),  # year 15
        date(2034, 11, 20),  # then every six months
        date(2035, 5, 20),
        date(2035, 11, 20),
    ]


def test_a_leap_day_registration_is_due_on_feb_28_in_common_years() -> None:
    dates = first(3, first_registered_on=date(2020, 2, 29), use="family", seats=5)
    assert dates == [date(2026, 2, 28), date(2030, 2, 28), date(2031, 2, 28)]
    assert first(1, first_registered_on=date(2018, 2, 28), use="family", seats=5) == [date(2024, 2, 28)]


def test_a_month_end_registration_steps_six_months_onto_the_shorter_month_end() -> None:
    # Registered 2010-08-31: year 15 is 2025-08-31, six months later there is no Feb 31.
    schedule = list(first(9, first_registered_on=date(2010, 8, 31), use="family", seats=5))
    assert schedule[6:9] == [date(2025, 8, 31), date(2026, 2, 28), date(2026, 8, 31)]
    assert first(9, first_registered_on=date(2011, 8, 31), use="family", seats=5)[7] == date(2027, 2, 28)
    assert first(8, first_registered_on=date(2012, 8, 31), use="family", seats=5)[7] == date(2028, 2, 29)


def test_other_vehicles_follow_the_law_s_own_cycles() -> None:
    taxi = first(7, first_registered_on=date(2021, 3, 10), use="taxi_rental", seats=5)
    assert taxi == [date(2022 + i, 3, 10) for i in range(5)] + [date(2026, 9, 10), date(2027, 3, 10)]
    truck = first(11, first_registered_on=date(2016, 1, 15), use="truck", seats=3)
    assert truck[9:] == [date(2026, 1, 15), date(2026, 7, 15)]
    bus = first(1, first_registered_on=date(2024, 6, 1), use="enterprise", seats=19)
    assert bus == [date(2025, 6, 1)]  # a large passenger vehicle is not a "small" car: yearly
    moto = first(4, first_registered_on=date(2020, 4, 1), use="motorcycle", seats=2)
    assert moto == [date(2022, 4, 1), date(2024, 4, 1), date(2025, 4, 1), date(2026, 4, 1)]


def test_next_inspection_is_the_first_due_date_not_before_the_day() -> None:
    registered = date(2016, 11, 30)
    assert next_inspection_on(
        first_registered_on=registered, use="family", seats=5, on_or_after=date(2026, 11, 25)
    ) == date(2026, 11, 30)
    assert next_inspection_on(
        first_registered_on=registered, use="family", seats=5, on_or_after=date(2026, 12, 1)
    ) == date(2027, 11, 30)
    assert (
        next_inspection_on(first_registered_on=None, use="family", seats=5, on_or_after=date(2026, 1, 1))
        is None
    )


def test_maintenance_is_due_by_months_from_the_last_service_or_the_registration() -> None:
    assert next_maintenance_on(
        last_maintained_on=date(2025, 8, 31), first_registered_on=None, every_months=6
    ) == date(2026, 2, 28)
    assert next_maintenance_on(
        last_maintained_on=date(2023, 8, 31), first_registered_on=None, every_months=6
    ) == date(2024, 2, 29)
    assert next_maintenance_on(
        last_maintained_on=None, first_registered_on=date(2026, 3, 15), every_months=12
    ) == date(2027, 3, 15)
    assert next_maintenance_on(last_maintained_on=None, first_registered_on=None, every_months=6) is None


def test_maintenance_by_km_comes_due_500_km_before_the_interval() -> None:
    assert not maintenance_due_by_km(mileage_km=24_499, last_maintained_km=20_000, every_km=5000)
    assert maintenance_due_by_km(mileage_km=24_500, last_maintained_km=20_000, every_km=5000)
    assert maintenance_due_by_km(mileage_km=4_600, last_maintained_km=None, every_km=5000)


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (91, None),
        (90, 90),
        (61, 90),
        (60, 60),
        (45, 60),
        (31, 60),
        (30, 30),
        (8, 30),
        (7, 7),
        (0, 7),
        (-1, None),
    ],
)
def test_renewal_stage_is_the_smallest_lead_that_covers_the_days_left(days_left, stage) -> None:
    expires = date(2027, 1, 1)
    today = date.fromordinal(expires.toordinal() - days_left)
    assert renewal_stage(expires_on=expires, today=today) == stage


def test_leap_day_birthdays_fall_on_feb_28_in_common_years() -> None:
    assert birthday_in_year(date(2000, 2, 29), 2027) == date(2027, 2, 28)
    assert birthday_in_year(date(2000, 2, 29), 2028) == date(2028, 2, 29)
    days = birthdays_between(date(2027, 2, 27), date(2027, 3, 1))
    assert days == [
        (227, date(2027, 2, 27)),
        (228, date(2027, 2, 28)),
        (229, date(2027, 2, 28)),
        (301, date(2027, 3, 1)),
    ]
    assert (229, date(2028, 2, 29)) in birthdays_between(date(2028, 2, 28), date(2028, 2, 29))
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
