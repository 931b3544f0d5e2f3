"""The reminder scan in a tenant's schema: each reminder once, stages on their day, missed days
caught up, the owner's list only with their consent."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.validators import id_number_check_char
from customers.models import Reminder, ReminderScan
from customers.reminders import reminders_scan_daily
from customers.selectors import reminders_for_owner
from customers.services import customer_create, follow_up_record, vehicle_update
from tests.conftest import person

pytestmark = pytest.mark.django_db


def id_number(born: date) -> str:
    first17 = f"440305{born:%Y%m%d}123"
    return first17 + id_number_check_char(first17)


def kinds(customer) -> list[tuple[str, date, int]]:
    return sorted(Reminder.objects.filter(customer=customer).values_list("kind", "due_on", "lead_days"))


def test_renewal_reminders_come_at_90_60_30_7_days_and_once_each(datang) -> None:
    today = timezone.localdate()
    expires = today + timedelta(days=45)
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="李四",
            mobile="13800138001",
            vehicles=[{"plate": "粤B12345", "ctpl_expires_on": expires, "commercial_expires_on": expires}],
        )
        # 45 days before expiry the 60-day stage holds: one reminder for both policies, at once.
        assert kinds(customer) == [("renewal", expires, 60)]
        assert reminders_scan_daily(today=today)["renewal"] == 0  # already there: nothing twice
        assert reminders_scan_daily(today=today) == {}  # the same day again: already covered

        assert reminders_scan_daily(today=expires - timedelta(days=30))["renewal"] == 1
        assert reminders_scan_daily(today=expires - timedelta(days=29))["renewal"] == 0
        assert reminders_scan_daily(today=expires - timedelta(days=7))["renewal"] == 1
        assert kinds(customer) == [
            ("renewal", expires, 7),
            ("renewal", expires, 30),
            ("renewal", expires, 60),
        ]
        assert Reminder.objects.get(customer=customer, lead_days=30).remind_on == expires - timedelta(days=30)


def test_a_missed_week_is_caught_up_with_the_latest_stage_only(datang) -> None:
    today = timezone.localdate()
    with schema_context("datang"):
        customer = customer_create(actor=None, name="周五", mobile="13800138002")
        reminders_scan_daily(today=today)
        expires = today + timedelta(days=40)
        car = customer_create(
            actor=None,
            name="吴六",
            mobile="13800138003",
            vehicles=[{"plate": "粤B23456", "ctpl_expires_on": expires}],
        ).vehicles.get()
        Reminder.objects.filter(vehicle=car).delete()  # as if the car had been written before the window
        # The scan did not run for 12 days; the 30-day stage (today+10) passed unseen meanwhile.
        created = reminders_scan_daily(today=today + timedelta(days=12))
        assert created["renewal"] == 1
        assert list(Reminder.objects.filter(vehicle=car).values_list("lead_days", flat=True)) == [30]
        assert ReminderScan.objects.values_list("scanned_through", flat=True)[0] == today + timedelta(days=12)
        assert kinds(customer) == []


def test_birthday_of_a_leap_day_baby_is_reminded_a_week_before_feb_28_in_a_common_year(datang) -> None:
    with schema_context("datang"):
        customer = customer_create(
            actor=None, name="闰日", mobile="13800138004", id_number=id_number(date(2000, 2, 29))
        )
        assert customer.birth_date == date(2000, 2, 29) and customer.birth_mmdd == 229
        Reminder.objects.filter(customer=customer).delete()
        reminders_scan_daily(today=date(2027, 2, 20))
        assert kinds(customer) == []
        created = reminders_scan_daily(today=date(2027, 2, 21))
        assert created["birthday"] == 1
        assert kinds(customer) == [("birthday", date(2027, 2, 28), 7)]
        reminders_scan_daily(today=date(2028, 2, 22))  # a leap year: on the day itself
        assert ("birthday", date(2028, 2, 29), 7) in kinds(customer)


def test_inspection_maintenance_licence_and_follow_up_reminders(datang) -> None:
    today = timezone.localdate()
    # A family car registered 6 years ago plus 20 days: its first inspection is 20 days away.
    registered = (today + timedelta(days=20)).replace(year=today.year - 6)
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="郑七",
            mobile="13800138005",
            licence_expires_on=today + timedelta(days=85),
            vehicles=[
                {
                    "plate": "粤B34567",
                    "first_registered_on": registered,
                    "last_maintained_on": today - timedelta(days=30),
                    "maintenance_every_months": 1,
                    "mileage_km": 80_000,
                    "last_maintained_km": 79_000,
                }
            ],
        )
        car = customer.vehicles.get()
        assert car.next_inspection_on == today + timedelta(days=20)
        got = {k for k, _, _ in kinds(customer)}
        assert got == {"inspection", "licence", "maintenance"}
        assert Reminder.objects.get(customer=customer, kind="licence").lead_days == 90

        # The odometer passes the service interval (5000 km) less the 500 km margin: a km reminder.
        vehicle_update(actor=None, vehicle=car, mileage_km=83_600)
        assert Reminder.objects.filter(vehicle=car, kind="maintenance", lead_days=0).count() == 1
        vehicle_update(actor=None, vehicle=car, mileage_km=83_900)
        assert Reminder.objects.filter(vehicle=car, kind="maintenance", lead_days=0).count() == 1

        follow_up_record(
            actor=person("datang_admin"),
            customer=customer,
            channel="phone",
            content="客户考虑续保，约下周再联系",
            next_contact_on=today + timedelta(days=7),
        )
        reminders_scan_daily(today=today)
        assert not Reminder.objects.filter(customer=customer, kind="follow_up").exists()
        reminders_scan_daily(today=today + timedelta(days=7))
        assert Reminder.objects.get(customer=customer, kind="follow_up").due_on == today + timedelta(days=7)


def test_owner_sees_their_reminders_only_when_opted_in_and_never_birthdays(datang) -> None:
    today = timezone.localdate()
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="王八",
            mobile="13800138006",
            birth_date=date(1992, (today + timedelta(days=3)).month, (today + timedelta(days=3)).day),
            vehicles=[{"plate": "粤BD12345", "ctpl_expires_on": today + timedelta(days=5)}],
        )
        assert {r.kind for r in Reminder.objects.filter(customer=customer)} == {"renewal", "birthday"}
        shown = [r.kind for r in reminders_for_owner(customer=customer, today=today)]
        assert shown == ["renewal"]
        assert customer.vehicles.get().energy == "new_energy"
        customer.owner_reminders_opt_in = False
        customer.save()
        assert list(reminders_for_owner(customer=customer, today=today)) == []


def test_deleting_a_car_or_a_customer_through_the_orm_deletes_their_reminders(datang) -> None:
    """The reminders' foreign keys have no database constraint (issue 20): the cascade is Django's."""
    today = timezone.localdate()
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="删除",
            mobile="13800138007",
            birth_date=date(1992, (today + timedelta(days=3)).month, (today + timedelta(days=3)).day),
            vehicles=[{"plate": "粤B45678", "ctpl_expires_on": today + timedelta(days=5)}],
        )
        other = customer_create(
            actor=None,
            name="留下",
            mobile="13800138008",
            vehicles=[{"plate": "粤B56789", "ctpl_expires_on": today}],
        )
        assert kinds(customer) == [
            ("birthday", today + timedelta(days=3), 7),
            ("renewal", today + timedelta(days=5), 7),
        ]
        customer.vehicles.get().delete()
        assert kinds(customer) == [("birthday", today + timedelta(days=3), 7)]
        customer.delete()
        assert not Reminder.objects.filter(customer_id=customer.pk).exists()
        assert kinds(other) == [("renewal", today, 7)]
