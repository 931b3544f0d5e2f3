"""Customers and their vehicles to and from Excel: one row per vehicle (the customer's columns
repeat; a customer without a car has one row with the car's columns empty). All or nothing."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from accounts.models import User
from core.errors import ValidationFailed
from core.excel import ImportReport, RowErrors, import_rows, read_rows, write_sheet
from core.limits import plan_limit_check
from core.validators import normalize_mobile
from customers.models import Customer, VehicleUse
from customers.services import customer_create, vehicle_add
from network.models import Distributor

CUSTOMER_COLUMNS = {
    "name": "客户姓名",
    "mobile": "手机号",
    "id_number": "身份证号",
    "promoter": "推广人手机号",
}
VEHICLE_COLUMNS = {
    "plate": "车牌号",
    "vin": "车架号",
    "engine_no": "发动机号",
    "brand_model": "品牌型号",
    "seats": "座位数",
    "displacement": "排量(L)",
    "use": "使用性质",
    "first_registered_on": "初次登记日期",
    "purchase_price": "购置价",
    "mileage_km": "行驶里程(km)",
    "ctpl_expires_on": "交强险到期",
    "commercial_expires_on": "商业险到期",
    # Last, so a sheet made before it (without the column) still imports.
    "purchase_date": "购置日期",
}
COLUMNS = [*CUSTOMER_COLUMNS.values(), *VEHICLE_COLUMNS.values()]
COLUMNS_BEFORE_PURCHASE_DATE = COLUMNS[:-1]
FIELD_COLUMNS = {
    **CUSTOMER_COLUMNS,
    "promoter_id": CUSTOMER_COLUMNS["promoter"],
    **VEHICLE_COLUMNS,
    **{f"vehicles.0.{k}": v for k, v in VEHICLE_COLUMNS.items()},
}
USE_BY_LABEL = {label: value for value, label in VehicleUse.choices}
INT_FIELDS = ("seats", "mileage_km")
DECIMAL_FIELDS = ("displacement", "purchase_price")
DATE_FIELDS = ("first_registered_on", "ctpl_expires_on", "commercial_expires_on", "purchase_date")


def _vehicle_values(cells: dict[str, str], errors: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {k: cells[k] for k in ("plate", "vin", "engine_no", "brand_model")}
    for key in INT_FIELDS:
        if cells[key]:
            if cells[key].isdigit():
                values[key] = int(cells[key])
            else:
                errors[VEHICLE_COLUMNS[key]] = ["应为整数"]
    for key in DECIMAL_FIELDS:
        if cells[key]:
            try:
                values[key] = Decimal(cells[key])
            except InvalidOperation:
                errors[VEHICLE_COLUMNS[key]] = ["应为数字"]
    for key in DATE_FIELDS:
        if cells[key]:
            try:
                values[key] = date.fromisoformat(cells[key][:10])
            except ValueError:
                errors[VEHICLE_COLUMNS[key]] = ["日期格式应为 2026-01-31"]
    if cells["use"]:
        if cells["use"] in USE_BY_LABEL:
            values["use"] = USE_BY_LABEL[cells["use"]]
        else:
            errors[VEHICLE_COLUMNS["use"]] = [f"应为：{'、'.join(USE_BY_LABEL)}"]
    return values


def customers_import(*, actor: User | None, content: bytes, scope_root_id: int | None = None) -> ImportReport:
    try:
        rows = read_rows(content, COLUMNS)
    except ValidationFailed:
        # A sheet without the 购置日期 column (the template before it): the same rows, no dates.
        rows = [(n, [*raw, ""]) for n, raw in read_rows(content, COLUMNS_BEFORE_PURCHASE_DATE)]
    mobiles = {normalize_mobile(raw[list(CUSTOMER_COLUMNS).index("mobile")]) for _, raw in rows} - {""}
    known = set(Customer.objects.filter(mobile__in=mobiles).values_list("mobile", flat=True))
    plan_limit_check(limit="customers", adding=len(mobiles - known))

    def handle(raw: list[str]) -> None:
        cells = dict(zip([*CUSTOMER_COLUMNS, *VEHICLE_COLUMNS], raw, strict=True))
        errors: dict[str, list[str]] = {}
        promoter_id = None
        if cells["promoter"]:
            promoter = Distributor.objects.filter(mobile=normalize_mobile(cells["promoter"])).first()
            if promoter is None:
                errors[CUSTOMER_COLUMNS["promoter"]] = [f"推广人 {cells['promoter']} 不存在"]
            else:
                promoter_id = promoter.pk
        has_vehicle = any(cells[k] for k in VEHICLE_COLUMNS)
        vehicle = _vehicle_values(cells, errors) if has_vehicle else None
        if errors:
            raise RowErrors(errors)
        existing = Customer.objects.filter(mobile=normalize_mobile(cells["mobile"])).first()
        if existing is not None and existing.name == cells["name"] and vehicle is not None:
            # A later row of the same customer: one more car.
            vehicle_add(actor=actor, customer=existing, **vehicle)
            return
        kwargs: dict[str, Any] = {
            "name": cells["name"],
            "mobile": cells["mobile"],
            "id_number": cells["id_number"],
        }
        if promoter_id is not None or scope_root_id is not None:
            kwargs["promoter_id"] = promoter_id or scope_root_id
        customer_create(
            actor=actor, scope_root_id=scope_root_id, vehicles=[vehicle] if vehicle else [], **kwargs
        )

    return import_rows(rows, handle, field_columns=FIELD_COLUMNS)


def customers_export(*, customers: Iterable[Customer]) -> bytes:
    def rows() -> Iterable[list[Any]]:
        for c in customers:
            head = [c.name, c.mobile, c.id_number_masked, c.promoter.mobile if c.promoter else ""]
            cars = list(c.vehicles.all())
            if not cars:
                yield head + [""] * len(VEHICLE_COLUMNS)
            for v in cars:
                yield head + [
                    v.plate,
                    v.vin,
                    v.engine_no,
                    v.brand_model,
                    v.seats,
                    v.displacement,
                    v.get_use_display(),
                    v.first_registered_on,
                    v.purchase_price,
                    v.mileage_km,
                    v.ctpl_expires_on,
                    v.commercial_expires_on,
                    v.purchase_date,
                ]

    return write_sheet(
        title="客户",
        header=COLUMNS,
        rows=rows(),
        widths=(10, 14, 20, 14, 11, 20, 12, 16, 7, 8, 14, 13, 11, 11, 12, 12),
    )
