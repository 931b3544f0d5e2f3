"""The insurers the tenants work with in tests: Datang the six seeded ones, Bowei PICC only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from directory.models import Insurer
from quotes.models import InsurerTerms

VIN = "LSVAU218XN2183294"
DATANG_INSURERS = ["PICC", "PINGAN", "CPIC", "CHINALIFE", "SUNSHINE", "CCIC"]


def enable_insurers(schema: str, codes: list[str], commercial_rate: str = "0.25") -> None:
    with schema_context(schema):
        for insurer in Insurer.objects.filter(code__in=codes):
            InsurerTerms.objects.update_or_create(
                insurer=insurer,
                defaults={
                    "enabled": True,
                    "ctpl_commission_rate": Decimal("0.04"),
                    "commercial_commission_rate": Decimal(commercial_rate),
                },
            )


@pytest.fixture
def insurers(datang, bowei):
    enable_insurers("datang", DATANG_INSURERS)
    enable_insurers("bowei", ["PICC"], commercial_rate="0.30")


def car(**overrides):
    today = timezone.localdate()
    return {
        "plate": "粤B2088Z",
        "vin": VIN,
        "seats": 5,
        "displacement": Decimal("2.0"),
        "use": "family",
        "first_registered_on": today.replace(year=2022, month=3, day=15),
        "purchase_price": Decimal("215000.00"),
        "ctpl_expires_on": today + timedelta(days=40),
        "commercial_expires_on": today + timedelta(days=40),
        **overrides,
    }
