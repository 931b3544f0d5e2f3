"""Reads for bookings, by who asks. On a tenant host: the tenant's service shops (partner shops and
its own stores), slots with what is left, and bookings — an owner's own, an agent's customers',
every one of the tenant's for its admin. On the platform host: a shop's own bookings and its
expected demand per part."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingState, SlotLoad, SlotTemplate
from catalog.models import PartnerShop
from core.tenancy import current_tenant_id
from customers.selectors import customers_visible
from directory.models import Shop
from inventory.models import Part, ServicePart

EARTH_RADIUS_KM = 6371.0
TENANT_BOOKING_ROLES = {"tenant_admin", "agent", "owner"}


def tenant_shop_ids() -> QuerySet[Shop]:
    """The active shops this tenant books into: its partner shops and the stores it owns."""
    partners = PartnerShop.objects.values_list("shop_id", flat=True)
    return Shop.objects.filter(Q(pk__in=list(partners)) | Q(owner_tenant_id=current_tenant_id()), active=True)


def service_shops(
    *, latitude: float | None = None, longitude: float | None = None, service: str = ""
) -> QuerySet[Shop]:
    """The tenant's shops offering ``service`` (all when empty); with a position, each carries
    ``distance_km`` (great-circle, haversine in SQL) and the nearest come first, shops without
    coordinates last."""
    shops = tenant_shop_ids()
    if service:
        shops = shops.filter(services__contains=[service])
    if latitude is None or longitude is None:
        return shops.order_by("name", "id")
    lat, lng = Radians(Cast("latitude", FloatField())), Radians(Cast("longitude", FloatField()))
    lat0, lng0 = Radians(Value(latitude)), Radians(Value(longitude))
    half_chord = Power(Sin((lat - lat0) / 2), 2) + Cos(lat0) * Cos(lat) * Power(Sin((lng - lng0) / 2), 2)
    distance = ExpressionWrapper(2 * EARTH_RADIUS_KM * ASin(Sqrt(half_chord)), output_field=FloatField())
    return shops.annotate(distance_km=distance).order_by(F("distance_km").asc(nulls_last=True), "id")


@dataclass(frozen=True)
class Slot:
    start: datetime
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


def slot_start_at(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


def slots_of_day(*, shop: Shop, day: date) -> list[Slot]:
    """The shop's slots on ``day`` from its weekly template, with what is booked (two queries)."""
    templates = list(SlotTemplate.objects.filter(shop=shop, weekday=day.weekday()).order_by("start"))
    starts = [slot_start_at(day, t.start) for t in templates]
    loads = dict(SlotLoad.objects.filter(shop=shop, start__in=starts).values_list("start", "booked"))
    return [
        Slot(start=start, capacity=t.capacity, booked=loads.get(start, 0))
        for t, start in zip(templates, starts, strict=True)
    ]


def bookings_visible(*, user: User, roles: set[str]) -> QuerySet[Booking]:
    """On a tenant host: the tenant's admin sees all its bookings; an agent those of the customers
    they see; an owner their own. Always only this tenant's."""
    mine = Booking.objects.filter(tenant_id=current_tenant_id()).select_related("shop")
    if "tenant_admin" in roles:
        return mine
    scope = Q(pk__in=[])
    if "agent" in roles:
        scope |= Q(
            customer_id__in=list(customers_visible(user=user, roles={"agent"}).values_list("pk", flat=True))
        )
    if "owner" in roles:
        scope |= Q(owner=user)
    return mine.filter(scope)


def shop_bookings(*, shop: Shop, day: date | None = None) -> QuerySet[Booking]:
    rows = Booking.objects.filter(shop=shop).select_related("tenant")
    if day is not None:
        start = slot_start_at(day, time.min)
        rows = rows.filter(slot_start__gte=start, slot_start__lt=start + timedelta(days=1))
    return rows.order_by("slot_start", "id")


@dataclass(frozen=True)
class PartDemand:
    part: Part
    demand: Decimal
    shortfall: Decimal
    services: dict[str, int]


def demand_forecast(*, shop: Shop, days: int = 7, today: date | None = None) -> list[PartDemand]:
    """What the shop's bookings of the next ``days`` days (today included, still ``booked``) will
    use per part — services booked × the shop's service→parts mapping — against the stock, with
    the shortfall to buy. Parts no booked service uses are left out. Three queries."""
    today = today or timezone.localdate()
    start = slot_start_at(today, time.min)
    booked = dict(
        Booking.objects.filter(
            shop=shop,
            state=BookingState.BOOKED,
            slot_start__gte=start,
            slot_start__lt=start + timedelta(days=days),
        )  # fmt: skip
        .values("service")
        .annotate(n=Count("id"))
        .values_list("service", "n")
    )
    per_part: dict[int, tuple[Part, Decimal, dict[str, int]]] = {}
    uses = ServicePart.objects.filter(shop=shop, service__in=list(booked)).select_related("part")
    for use in uses.order_by("part__code", "service"):
        part, total, services = per_part.get(use.part_id, (use.part, Decimal(0), {}))
        services[use.service] = booked[use.service]
        per_part[use.part_id] = (part, total + use.quantity * booked[use.service], services)
    return [
        PartDemand(part=part, demand=total, shortfall=max(total - part.stock, Decimal(0)), services=services)
        for part, total, services in per_part.values()
    ]
