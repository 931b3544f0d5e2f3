"""Every write to customers, vehicles, follow-ups and reminders. Each is one transaction; bad input
is reported for every bad field at once, by the field's name, and nothing is written."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.crypto import encrypt_text, keyed_digests
from core.errors import FieldErrors, NotFound, StateConflict
from core.limits import plan_limit_check
from core.services import audit_event_record
from core.validators import (
    id_number_birth_date,
    mask_id_number,
    normalize_id_number,
    normalize_mobile,
    normalize_plate,
    normalize_vin,
    plate_kind,
    validate_id_number,
    validate_mobile,
    validate_plate,
    validate_vin,
)
from customers.models import (
    Customer,
    Energy,
    FollowUp,
    FollowUpChannel,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Vehicle,
    VehicleUse,
)
from customers.reminders import reminders_refresh_for_customer, reminders_refresh_for_vehicle
from customers.rules import maintenance_due_by_km, next_inspection_on, next_maintenance_on
from network.models import Distributor, DistributorKind, DistributorStatus, Referral
from network.selectors import is_in_subtree

CUSTOMER_FIELDS = (
    "name",
    "mobile",
    "id_number",
    "birth_date",
    "licence_expires_on",
    "promoter_id",
    "registered_on",
    "note",
    "owner_reminders_opt_in",
)
VEHICLE_FIELDS = (
    "plate",
    "vin",
    "engine_no",
    "brand_model",
    "seats",
    "displacement",
    "energy",
    "use",
    "first_registered_on",
    "purchase_date",
    "purchase_price",
    "mileage_km",
    "ctpl_expires_on",
    "commercial_expires_on",
    "maintenance_every_km",
    "maintenance_every_months",
    "last_maintained_on",
    "last_maintained_km",
)


# The largest value each number may take (a car's whole life is well under two million km).
VEHICLE_CEILINGS = {
    "mileage_km": (2_000_000, "公里"),
    "maintenance_every_km": (100_000, "公里"),
    "maintenance_every_months": (60, "个月"),
    "last_maintained_km": (2_000_000, "公里"),
}


def _check(errors: FieldErrors, field: str, validator: Any, value: str) -> bool:
    try:
        validator(value)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add(field, message)
        return False
    return True


def _apply_customer(
    errors: FieldErrors, customer: Customer, data: dict[str, Any], *, scope_root_id: int | None
) -> None:
    today = timezone.localdate()
    if "name" in data:
        customer.name = (data["name"] or "").strip()
        if not customer.name:
            errors.add("name", "请填写客户姓名")
        elif len(customer.name) > 60:
            errors.add("name", "姓名最多 60 个字")
    if "mobile" in data:
        customer.mobile = normalize_mobile(data["mobile"] or "")
        if _check(errors, "mobile", validate_mobile, customer.mobile):
            clash = Customer.objects.filter(mobile=customer.mobile).exclude(pk=customer.pk).first()
            if clash is not None:
                errors.add("mobile", f"手机号 {customer.mobile} 已是客户 {clash.name} 的手机号")
    if "id_number" in data:
        number = normalize_id_number(data["id_number"] or "")
        if not number:
            customer.id_number_cipher = customer.id_number_digest = customer.id_number_masked = ""
        elif _check(errors, "id_number", validate_id_number, number):
            digests = keyed_digests(number)  # under every key: rows of an older key count too
            if Customer.objects.filter(id_number_digest__in=digests).exclude(pk=customer.pk).exists():
                errors.add("id_number", "该身份证号已登记在另一位客户名下")
            customer.id_number_cipher = encrypt_text(number)
            customer.id_number_digest = digests[0]
            customer.id_number_masked = mask_id_number(number)
            if not data.get("birth_date"):
                customer.birth_date = id_number_birth_date(number)
    if data.get("birth_date") is not None or ("birth_date" in data and "id_number" not in data):
        customer.birth_date = data["birth_date"]
    if customer.birth_date and customer.birth_date > today:
        errors.add("birth_date", "出生日期不能晚于今天")
    customer.birth_mmdd = (
        customer.birth_date.month * 100 + customer.birth_date.day if customer.birth_date else None
    )
    if "licence_expires_on" in data:
        customer.licence_expires_on = data["licence_expires_on"]
    if "registered_on" in data and data["registered_on"] is not None:
        customer.registered_on = data["registered_on"]
        if customer.registered_on > today:
            errors.add("registered_on", "注册日期不能晚于今天")
    if "note" in data:
        customer.note = (data["note"] or "").strip()[:500]
    if "owner_reminders_opt_in" in data:
        customer.owner_reminders_opt_in = bool(data["owner_reminders_opt_in"])
    if "promoter_id" in data:
        customer.promoter = _promoter_or_error(errors, data["promoter_id"], scope_root_id=scope_root_id)


def _promoter_or_error(
    errors: FieldErrors, promoter_id: int | None, *, scope_root_id: int | None
) -> Distributor | None:
    if promoter_id is None:
        if scope_root_id is not None:
            errors.add("promoter", "代理人只能把客户登记在自己或下级名下")
        return None
    # Looked up in this tenant's schema only: another tenant's distributor does not exist here.
    promoter = Distributor.objects.filter(pk=promoter_id).first()
    if promoter is None:
        errors.add("promoter", "推广人不存在（或不属于本租户）")
    elif promoter.status != DistributorStatus.ACTIVE:
        errors.add("promoter", f"推广人 {promoter.name} 不是正常状态")
    elif scope_root_id is not None and not is_in_subtree(node_id=promoter.pk, root_id=scope_root_id):
        errors.add("promoter", "代理人只能把客户登记在自己或下级名下")
    return promoter


def _apply_vehicle(errors: FieldErrors, vehicle: Vehicle, data: dict[str, Any]) -> None:
    today = timezone.localdate()
    if "plate" in data:
        vehicle.plate = normalize_plate(data["plate"] or "")
        if not vehicle.plate:
            errors.add("plate", "请填写车牌号")
        elif _check(errors, "plate", validate_plate, vehicle.plate):
            clash = (
                Vehicle.objects.filter(plate=vehicle.plate)
                .exclude(pk=vehicle.pk)
                .select_related("customer")
                .first()
            )
            if clash is not None:
                errors.add("plate", f"车牌 {vehicle.plate} 已登记在客户 {clash.customer.name} 名下")
            if "energy" not in data or not data["energy"]:
                vehicle.energy = (
                    Energy.NEW_ENERGY if plate_kind(vehicle.plate) == "new_energy" else Energy.FUEL
                )
    if "vin" in data:
        vehicle.vin = normalize_vin(data["vin"] or "")
        if vehicle.vin and _check(errors, "vin", validate_vin, vehicle.vin):
            if Vehicle.objects.filter(vin=vehicle.vin).exclude(pk=vehicle.pk).exists():
                errors.add("vin", f"车架号 {vehicle.vin} 已登记在另一辆车上")
    if "engine_no" in data:
        vehicle.engine_no = (data["engine_no"] or "").strip().upper()
        if vehicle.engine_no and not (4 <= len(vehicle.engine_no) <= 30 and vehicle.engine_no.isascii()):
            errors.add("engine_no", "发动机号应为 4–30 位字母或数字")
    if "brand_model" in data:
        vehicle.brand_model = (data["brand_model"] or "").strip()[:60]
    if data.get("seats") is not None:
        vehicle.seats = data["seats"]
        if not 1 <= vehicle.seats <= 60:
            errors.add("seats", "座位数应在 1–60 之间")
    if "displacement" in data:
        vehicle.displacement = data["displacement"]
        if vehicle.displacement is not None and not Decimal("0") < vehicle.displacement <= Decimal("10"):
            errors.add("displacement", "排量应在 0–10 升之间")
    if data.get("energy"):
        if data["energy"] not in Energy.values:
            errors.add("energy", "能源类型应为燃油或新能源")
        else:
            vehicle.energy = data["energy"]
    if data.get("use"):
        if data["use"] not in VehicleUse.values:
            errors.add("use", "使用性质不正确")
        else:
            vehicle.use = data["use"]
    if "first_registered_on" in data:
        vehicle.first_registered_on = data["first_registered_on"]
        if vehicle.first_registered_on and vehicle.first_registered_on > today:
            errors.add("first_registered_on", "初次登记日期不能晚于今天")
    if "purchase_date" in data:
        vehicle.purchase_date = data["purchase_date"]
        if vehicle.purchase_date and vehicle.purchase_date > today:
            errors.add("purchase_date", "购置日期不能晚于今天")
    if "purchase_price" in data:
        vehicle.purchase_price = data["purchase_price"]
        if vehicle.purchase_price is not None and not Decimal("0") < vehicle.purchase_price < Decimal(
            "100000000"
        ):
            errors.add("purchase_price", "购置价应大于 0")
    for field in ("mileage_km", "maintenance_every_km", "maintenance_every_months", "last_maintained_km"):
        if field in data and data[field] is not None:
            ceiling, unit = VEHICLE_CEILINGS[field]
            if data[field] < 0:
                errors.add(field, "不能为负数")
            elif data[field] > ceiling:  # also keeps it inside the column and the date arithmetic
                errors.add(field, f"不能超过 {ceiling} {unit}")
            else:
                setattr(vehicle, field, data[field])
    for field in ("ctpl_expires_on", "commercial_expires_on", "last_maintained_on"):
        if field in data:
            setattr(vehicle, field, data[field])
    if vehicle.last_maintained_on and vehicle.last_maintained_on > today:
        errors.add("last_maintained_on", "上次保养日期不能晚于今天")
    if vehicle.last_maintained_km is not None and vehicle.last_maintained_km > vehicle.mileage_km:
        errors.add("last_maintained_km", "上次保养里程不能大于当前里程")
    vehicle.next_maintenance_on = next_maintenance_on(
        last_maintained_on=vehicle.last_maintained_on,
        first_registered_on=vehicle.first_registered_on,
        every_months=vehicle.maintenance_every_months,
    )
    vehicle.next_inspection_on = next_inspection_on(
        first_registered_on=vehicle.first_registered_on,
        use=vehicle.use,
        seats=vehicle.seats,
        on_or_after=today,
    )


def _km_maintenance_reminder(vehicle: Vehicle, today: date) -> None:
    """By kilometres: raised when a write shows the odometer near the next service (once per cycle)."""
    if maintenance_due_by_km(
        mileage_km=vehicle.mileage_km,
        last_maintained_km=vehicle.last_maintained_km,
        every_km=vehicle.maintenance_every_km,
    ):
        Reminder.objects.get_or_create(
            kind=ReminderKind.MAINTENANCE,
            customer_id=vehicle.customer_id,
            vehicle=vehicle,
            due_on=vehicle.next_maintenance_on or today,
            lead_days=0,
            defaults={"remind_on": today, "created_at": timezone.now()},
        )


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    scope_root_id: int | None = None,
    vehicles: list[dict[str, Any]] | None = None,
    user: User | None = None,
    **data: Any,
) -> Customer:
    """Add a customer (and optionally their vehicles). ``scope_root_id``: an agent may register
    customers only under themselves or their downline."""
    unknown = set(data) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    plan_limit_check(limit="customers")
    errors = FieldErrors()
    customer = Customer(
        registered_on=timezone.localdate(),
        created_by=actor if getattr(actor, "pk", None) else None,
        user=user,
    )
    data.setdefault("name", "")
    data.setdefault("mobile", "")
    _apply_customer(errors, customer, data, scope_root_id=scope_root_id)
    new_vehicles = []
    for index, raw in enumerate(vehicles or []):
        vehicle_errors = FieldErrors()
        vehicle = Vehicle(customer=customer)
        _apply_vehicle(vehicle_errors, vehicle, {"plate": "", **raw})
        for field, messages in vehicle_errors.fields.items():
            for message in messages:
                errors.add(f"vehicles.{index}.{field}", message)
        new_vehicles.append(vehicle)
    plates = [v.plate for v in new_vehicles if v.plate]
    if len(plates) != len(set(plates)):
        errors.add("vehicles", "同一车牌出现了两次")
    errors.raise_if_any()
    if customer.user is None:
        customer.user = User.objects.filter(mobile=customer.mobile).first()
        if customer.user and Customer.objects.filter(user=customer.user).exists():
            customer.user = None
    customer.save()
    today = timezone.localdate()
    for vehicle in new_vehicles:
        vehicle.customer = customer
        vehicle.save()
        _km_maintenance_reminder(vehicle, today)
    reminders_refresh_for_customer(customer_id=customer.pk, today=today)
    audit_event_record(
        actor=actor,
        action="customer.create",
        summary=f"新增客户 {customer.name}（{len(new_vehicles)} 辆车）",
        object_type="customer",
        object_id=customer.pk,
    )
    return customer


@transaction.atomic
def customer_update(
    *, actor: User | None, customer: Customer, scope_root_id: int | None = None, **data: Any
) -> Customer:
    unknown = set(data) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    errors = FieldErrors()
    _apply_customer(errors, customer, data, scope_root_id=scope_root_id)
    errors.raise_if_any()
    customer.save()
    reminders_refresh_for_customer(customer_id=customer.pk, today=timezone.localdate())
    audit_event_record(
        actor=actor,
        action="customer.update",
        summary=f"修改客户 {customer.name}：{'、'.join(sorted(data))}",
        object_type="customer",
        object_id=customer.pk,
    )
    return customer


def _vehicle_write(
    *, actor: User | None, vehicle: Vehicle, data: dict[str, Any], action: str, summary: str
) -> Vehicle:
    """Check ``data`` onto ``vehicle``, save it, and raise the reminders it now calls for."""
    unknown = set(data) - set(VEHICLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown vehicle fields: {sorted(unknown)}")
    errors = FieldErrors()
    _apply_vehicle(errors, vehicle, data)
    errors.raise_if_any()
    vehicle.save()
    today = timezone.localdate()
    _km_maintenance_reminder(vehicle, today)
    reminders_refresh_for_vehicle(vehicle_id=vehicle.pk, today=today)
    audit_event_record(
        actor=actor,
        action=action,
        summary=summary.format(plate=vehicle.plate),
        object_type="vehicle",
        object_id=vehicle.pk,
    )
    return vehicle


@transaction.atomic
def vehicle_add(*, actor: User | None, customer: Customer, **data: Any) -> Vehicle:
    return _vehicle_write(
        actor=actor,
        vehicle=Vehicle(customer=customer),
        data={"plate": "", **data},
        action="vehicle.create",
        summary=f"客户 {customer.name} 绑定车辆 {{plate}}",
    )


@transaction.atomic
def vehicle_update(*, actor: User | None, vehicle: Vehicle, **data: Any) -> Vehicle:
    return _vehicle_write(
        actor=actor,
        vehicle=Vehicle.objects.select_for_update().get(pk=vehicle.pk),
        data=data,
        action="vehicle.update",
        summary=f"修改车辆 {{plate}}：{'、'.join(sorted(data))}",
    )


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    customer: Customer,
    channel: str,
    content: str,
    next_contact_on: date | None = None,
    vehicle_id: int | None = None,
) -> FollowUp:
    errors = FieldErrors()
    if channel not in FollowUpChannel.values:
        errors.add("channel", "请选择跟进方式")
    content = (content or "").strip()
    if not content:
        errors.add("content", "请填写跟进内容")
    elif len(content) > 2000:
        errors.add("content", "跟进内容最多 2000 字")
    today = timezone.localdate()
    if next_contact_on is not None and next_contact_on < today:
        errors.add("next_contact_on", "下次联系日期不能早于今天")
    if vehicle_id is not None and not Vehicle.objects.filter(pk=vehicle_id, customer=customer).exists():
        errors.add("vehicle", "车辆不属于该客户")
    errors.raise_if_any()
    follow_up = FollowUp.objects.create(
        customer=customer,
        vehicle_id=vehicle_id,
        channel=channel,
        content=content,
        next_contact_on=next_contact_on,
        author=actor,
        author_name=actor.name or actor.mobile,
    )
    if next_contact_on == today:
        reminders_refresh_for_customer(customer_id=customer.pk, today=today)
    return follow_up


@transaction.atomic
def reminder_close(*, actor: User, reminder: Reminder, status: str) -> Reminder:
    if status not in (ReminderStatus.DONE, ReminderStatus.DISMISSED):
        raise StateConflict("提醒只能标记为已处理或已忽略", fields={"status": ["应为 done 或 dismissed"]})
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status != ReminderStatus.OPEN:
        raise StateConflict(f"该提醒已是“{reminder.get_status_display()}”状态")
    reminder.status = status
    reminder.closed_at = timezone.now()
    reminder.closed_by = actor
    reminder.save(update_fields=["status", "closed_at", "closed_by"])
    return reminder


@transaction.atomic
def customer_for_owner(*, user: User, create: bool = False) -> Customer | None:
    """The owner's own customer record in this tenant: linked by account, else found by mobile
    (an agent registered them before they logged in) and linked then; with ``create``, made for
    an owner who arrived on their own, under the agent who referred them if any."""
    customer = Customer.objects.filter(user=user).first()
    if customer is not None:
        return customer
    customer = Customer.objects.select_for_update().filter(mobile=user.mobile, user__isnull=True).first()
    if customer is not None:
        customer.user = user
        customer.save(update_fields=["user", "updated_at"])
        return customer
    if not create:
        return None
    referral = Referral.objects.select_related("referrer").filter(user=user).first()
    promoter = referral.referrer if referral and referral.referrer.kind == DistributorKind.AGENT else None
    return customer_create(
        actor=user,
        user=user,
        name=user.name or f"车主{user.mobile[-4:]}",
        mobile=user.mobile,
        promoter_id=promoter.pk if promoter else None,
    )


def owner_customer_or_404(*, user: User) -> Customer:
    customer = customer_for_owner(user=user)
    if customer is None:
        raise NotFound("还没有您的客户档案：添加一辆车即可开始")
    return customer
