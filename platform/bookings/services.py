"""Writes for bookings (保养预约). An owner books on their tenant's host; the shop sets its weekly
slots and marks arrivals on the platform host.

A slot holds at most its template's capacity of live bookings: booking and cancelling lock the
slot's ``SlotLoad`` row, so concurrent owners queue on it and the last seat goes to one of them."""

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingState, SlotLoad, SlotTemplate
from bookings.selectors import tenant_shop_ids
from core.errors import FieldErrors, NotFound, StateConflict
from core.events import emit
from core.realtime import publish, shop_channel, user_channel
from core.services import audit_event_record
from core.tenancy import current_tenant_id
from customers.models import Vehicle
from customers.services import customer_for_owner
from directory.models import Shop

BOOKING_HORIZON_DAYS = 30
MAX_SLOT_CAPACITY = 50


def _payload(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "shop": booking.shop_id,
        "service": booking.service,
        "slot_start": booking.slot_start.isoformat(),
        "state": booking.state,
        "plate": booking.plate,
        "customer_name": booking.customer_name,
    }


def _locked_load(shop: Shop, start: datetime) -> SlotLoad:
    # Make sure the row exists without racing another creator, then queue on its lock.
    SlotLoad.objects.bulk_create([SlotLoad(shop=shop, start=start)], ignore_conflicts=True)
    return SlotLoad.objects.select_for_update().get(shop=shop, start=start)


@transaction.atomic
def booking_create(
    *,
    actor: User,
    shop_id: int | None,
    service: str,
    slot_start: datetime | None,
    vehicle_id: int | None = None,
    note: str = "",
) -> Booking:
    """An owner (``actor``, on their tenant's host) books ``service`` at one of the tenant's shops
    for a slot of the shop's template, within the next 30 days."""
    errors = FieldErrors()
    shop = tenant_shop_ids().filter(pk=shop_id).first() if shop_id else None
    if shop is None:
        errors.add("shop", "请选择合作门店")
    service = (service or "").strip()
    if not service:
        errors.add("service", "请选择服务项目")
    elif shop is not None and service not in (shop.services or []):
        errors.add("service", f"{shop.name} 不提供 {service}")
    template = None
    if slot_start is None:
        errors.add("slot_start", "请选择预约时段")
    else:
        slot_start = timezone.localtime(slot_start).replace(second=0, microsecond=0)
        now = timezone.now()
        if slot_start <= now:
            errors.add("slot_start", "只能预约将来的时段")
        elif slot_start > now + timedelta(days=BOOKING_HORIZON_DAYS):
            errors.add("slot_start", f"最多预约 {BOOKING_HORIZON_DAYS} 天内的时段")
        elif shop is not None:
            template = SlotTemplate.objects.filter(
                shop=shop, weekday=slot_start.weekday(), start=slot_start.time()
            ).first()
            if template is None:
                errors.add("slot_start", "门店在该时间没有可预约的时段")
    customer = customer_for_owner(user=actor, create=True)
    assert customer is not None
    vehicle = None
    if vehicle_id is not None:
        vehicle = Vehicle.objects.filter(pk=vehicle_id, customer=customer).first()
        if vehicle is None:
            errors.add("vehicle", "车辆不存在")
    if len(note or "") > 200:
        errors.add("note", "最多 200 个字符")
    errors.raise_if_any()
    assert shop is not None and template is not None and slot_start is not None
    load = _locked_load(shop, slot_start)
    if Booking.objects.filter(
        shop=shop, slot_start=slot_start, tenant_id=current_tenant_id(), customer_id=customer.pk,
        state=BookingState.BOOKED,
    ).exists():  # fmt: skip
        raise StateConflict(
            "您已预约了这个时段", code="booking_duplicate", fields={"slot_start": ["您已预约了这个时段"]}
        )
    if load.booked >= template.capacity:
        raise StateConflict(
            "该时段已约满，请选择其他时段", code="slot_full", fields={"slot_start": ["该时段已约满"]}
        )
    load.booked += 1
    load.save(update_fields=["booked"])
    booking = Booking.objects.create(
        tenant_id=current_tenant_id(), owner=actor, customer_id=customer.pk,
        vehicle_id=vehicle.pk if vehicle else None, customer_name=customer.name, mobile=customer.mobile,
        plate=vehicle.plate if vehicle else "", shop=shop, service=service, slot_start=slot_start,
        note=(note or "").strip(),
    )  # fmt: skip
    emit(
        "booking.created", object_type="booking", object_id=booking.pk, payload=_payload(booking), actor=actor
    )
    publish([shop_channel(shop.pk), user_channel(actor.pk)], "booking.created", _payload(booking))
    audit_event_record(actor=actor, action="booking.create", object_type="booking", object_id=booking.pk,
                       summary=f"{shop.name} {service} {slot_start:%m-%d %H:%M}")  # fmt: skip
    return booking


def _release(booking: Booking) -> None:
    load = _locked_load(booking.shop, booking.slot_start)
    load.booked = max(load.booked - 1, 0)
    load.save(update_fields=["booked"])


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking) -> Booking:
    """The owner cancels a booking that has not started yet; its seat is free again."""
    booking = Booking.objects.select_for_update().select_related("shop").get(pk=booking.pk)
    if booking.state != BookingState.BOOKED:
        raise StateConflict(f"预约{booking.get_state_display()}，不能取消", code="booking_not_cancellable")
    if booking.slot_start <= timezone.now():
        raise StateConflict("预约时段已开始，不能取消", code="booking_not_cancellable")
    booking.state = BookingState.CANCELLED
    booking.save(update_fields=["state", "updated_at"])
    _release(booking)
    emit(
        "booking.cancelled",
        object_type="booking",
        object_id=booking.pk,
        payload=_payload(booking),
        actor=actor,
    )
    publish(
        [shop_channel(booking.shop_id), user_channel(booking.owner_id)],
        "booking.cancelled",
        _payload(booking),
    )
    audit_event_record(actor=actor, action="booking.cancel", object_type="booking", object_id=booking.pk,
                       summary=f"{booking.shop.name} {booking.slot_start:%m-%d %H:%M}")  # fmt: skip
    return booking


@transaction.atomic
def booking_mark(*, actor: User, shop: Shop, booking: Booking, state: str) -> Booking:
    """The shop records that the car arrived (已到店) or did not come (未到店; the seat is freed)."""
    if state not in (BookingState.ARRIVED, BookingState.NO_SHOW):
        errors = FieldErrors()
        errors.add("state", "应为 arrived 或 no_show")
        errors.raise_if_any()
    booking = Booking.objects.select_for_update().select_related("tenant").get(pk=booking.pk)
    if booking.shop_id != shop.pk:
        raise NotFound("预约不存在")
    if booking.state != BookingState.BOOKED:
        raise StateConflict(
            f"预约{booking.get_state_display()}，不能再标记", code="booking_invalid_transition"
        )
    booking.state = state
    booking.save(update_fields=["state", "updated_at"])
    if state == BookingState.NO_SHOW:
        _release(booking)
    publish([shop_channel(shop.pk), user_channel(booking.owner_id, schema=booking.tenant.schema_name)],
            f"booking.{state}", _payload(booking))  # fmt: skip
    audit_event_record(actor=actor, action=f"booking.{state}", object_type="booking", object_id=booking.pk,
                       summary=f"{booking.plate or booking.customer_name} {booking.slot_start:%m-%d %H:%M}")  # fmt: skip
    return booking


@transaction.atomic
def slot_templates_set(*, actor: User | None, shop: Shop, slots: list[dict[str, Any]]) -> list[SlotTemplate]:
    """Replace the shop's weekly slots with ``slots`` (each ``{weekday, start, capacity}``).
    Bookings already made keep their seats."""
    errors = FieldErrors()
    seen: set[tuple[int, time]] = set()
    rows = []
    for index, slot in enumerate(slots):
        weekday, start, capacity = slot.get("weekday"), slot.get("start"), slot.get("capacity")
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors.add(f"slots.{index}.weekday", "应为 0（周一）到 6（周日）")
        if not isinstance(start, time):
            errors.add(f"slots.{index}.start", "时间格式应为 09:00")
        if not isinstance(capacity, int) or not 1 <= capacity <= MAX_SLOT_CAPACITY:
            errors.add(f"slots.{index}.capacity", f"容量应在 1 到 {MAX_SLOT_CAPACITY} 之间")
        if isinstance(weekday, int) and isinstance(start, time):
            start = start.replace(second=0, microsecond=0)
            if (weekday, start) in seen:
                errors.add(f"slots.{index}.start", "时段重复")
            seen.add((weekday, start))
            rows.append(SlotTemplate(shop=shop, weekday=weekday, start=start, capacity=int(capacity or 0)))
    errors.raise_if_any()
    SlotTemplate.objects.filter(shop=shop).delete()
    made = SlotTemplate.objects.bulk_create(rows)
    audit_event_record(actor=actor, action="slot_templates.set", object_type="shop", object_id=shop.pk,
                       summary=f"{shop.name} 每周 {len(made)} 个时段")  # fmt: skip
    return made
