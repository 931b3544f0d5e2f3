"""The same car, the same price (issue 17 §3): 车船税 came out ¥60 for a car typed in and ¥30 for the
same car picked from the customer's vehicles.

The differing input was the purchase date. Typed on the quote, it prorated the tax from the purchase
month; but the vehicle record had no purchase date, so a car picked from the record was taxed from
its registration month instead, silently. The car: 粤B, 5 seats, 1.5 L (广东 360 a year), bought on
20 Nov 2026, registered on 1 Dec 2026, quoted on 6 Dec 2026 (交强险 only, no earlier policy: new):
from the purchase month 360 × 2/12 = 60.00 (November and December); from the registration month
360 × 1/12 = 30.00."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from core.errors import ValidationFailed
from customers.excel import COLUMNS
from customers.models import Vehicle
from customers.services import customer_create
from quotes.services import quote_create

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
CTPL_AND_TAX = {"ctpl": True, "vehicle_tax": True, "commercial": []}


def _quote(**kwargs):
    return quote_create(
        actor=None, role="agent", channel="agent", coverages=CTPL_AND_TAX, today=TODAY, **kwargs
    )


def test_a_car_typed_in_and_the_same_car_picked_from_the_record_price_the_same(team, insurers):
    typed = {
        "plate": "粤B60K30",
        "seats": 5,
        "displacement": Decimal("1.5"),
        "use": "family",
        "purchase_date": date(2026, 11, 20),
        "first_registered_on": date(2026, 12, 1),
    }
    with schema_context("datang"):
        first = _quote(
            new_customer={"name": "同车主", "mobile": "13912341702", "promoter_id": team.lead.pk},
            vehicle_data=typed,
            insurer_codes=["PICC"],
        )
        # The typed purchase date is kept with the car.
        vehicle = Vehicle.objects.get(plate="粤B60K30")
        assert vehicle.purchase_date == date(2026, 11, 20)
        again = _quote(vehicle=vehicle, insurer_codes=["PICC"])
        one, two = first.options.get(), again.options.get()
        # 950.00 (new: not floating) + 360 × 2/12 = 60.00, by either path
        assert (one.ctpl_premium, one.vehicle_tax, one.total) == (
            Decimal("950.00"),
            Decimal("60.00"),
            Decimal("1010.00"),
        )
        assert (two.ctpl_premium, two.vehicle_tax, two.total) == (
            one.ctpl_premium,
            one.vehicle_tax,
            one.total,
        )
        assert two.breakdown["vehicle_tax"]["purchase_date"] == "2026-11-20"
        assert two.breakdown["vehicle_tax"]["months"] == 2


def test_a_car_registered_this_year_without_a_purchase_date_is_asked_for_it(team, insurers):
    """The registration month never stands in for the purchase month: the quote names the field."""
    with schema_context("datang"):
        vehicle = customer_create(
            actor=None, name="无购置日", mobile="13912341703", promoter_id=team.lead.pk,
            vehicles=[{"plate": "粤B60K31", "seats": 5, "displacement": Decimal("1.5"),
                       "first_registered_on": date(2026, 12, 1)}],
        ).vehicles.get()  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            _quote(vehicle=vehicle, insurer_codes=["PICC"])
        assert list(refused.value.fields) == ["vehicle.purchase_date"]
        # A car registered in an earlier year owes the whole year: 360 × 12/12, no purchase date needed.
        older = customer_create(
            actor=None, name="旧车主", mobile="13912341704", promoter_id=team.lead.pk,
            vehicles=[{"plate": "粤B60K32", "seats": 5, "displacement": Decimal("1.5"),
                       "first_registered_on": date(2025, 12, 1)}],
        ).vehicles.get()  # fmt: skip
        assert _quote(vehicle=older, insurer_codes=["PICC"]).options.get().vehicle_tax == Decimal("360.00")


def test_the_vehicle_edit_and_the_excel_import_carry_the_purchase_date(team, api):
    admin = api("datang_admin")
    with schema_context("datang"):
        customer = customer_create(
            actor=None, name="编辑车主", mobile="13912341705", vehicles=[{"plate": "粤B60K33", "seats": 5}]
        )
        vehicle = customer.vehicles.get()
    url = f"/api/v1/vehicles/{vehicle.pk}/"
    edited = admin.patch(url, {"purchase_date": "2026-11-20"}, format="json")
    assert edited.status_code == 200, edited.json()
    assert admin.get(url).json()["purchase_date"] == "2026-11-20"
    future = admin.patch(url, {"purchase_date": "2999-01-01"}, format="json")
    assert future.status_code == 400 and "purchase_date" in future.json()["fields"]

    def sheet(columns: list[str], row: list) -> BytesIO:
        book = Workbook()
        book.active.append(columns)
        book.active.append(row)
        out = BytesIO()
        book.save(out)
        out.seek(0)
        out.name = "customers.xlsx"
        return out

    row = ["导入车主", "13912341706", "", "", "粤B60K34", "", "", "", 5, 1.5, "家庭自用汽车", date(2026, 12, 1),
           "", "", "", ""]  # fmt: skip
    imported = admin.post(
        "/api/v1/customers/import/", {"file": sheet(COLUMNS, [*row, date(2026, 11, 20)])}, format="multipart"
    )
    assert imported.status_code == 200, imported.content
    # A sheet from before the 购置日期 column still imports (no purchase date).
    old = sheet(COLUMNS[:-1], ["旧模板", "13912341707", *row[2:4], "粤B60K35", *row[5:]])
    assert admin.post("/api/v1/customers/import/", {"file": old}, format="multipart").status_code == 200
    with schema_context("datang"):
        assert Vehicle.objects.get(plate="粤B60K34").purchase_date == date(2026, 11, 20)
        assert Vehicle.objects.get(plate="粤B60K35").purchase_date is None
    exported = load_workbook(BytesIO(admin.get("/api/v1/customers/export/").content)).active
    header = [c.value for c in exported[1]]
    assert header[-1] == "购置日期"
    rows = {r[4]: r[-1] for r in exported.iter_rows(min_row=2, values_only=True)}
    assert rows["粤B60K34"].date() == date(2026, 11, 20)
