"""Bookings (保养预约), in the public schema: an owner of a tenant books a service at a shop for a
slot of the shop's weekly template. A booking carries its ``tenant`` and every read filters on it.

Capacity: ``SlotLoad`` counts the live bookings of one concrete slot (shop, start); booking and
cancelling lock that row (``select_for_update``), so concurrent owners queue and nobody books a
full slot. A check constraint keeps the count from going negative."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SlotTemplate(models.Model):
    """One slot of a shop's week: every ``weekday`` (0 = Monday) at ``start``, ``capacity`` cars."""

    shop = models.ForeignKey("directory.Shop", on_delete=models.CASCADE, related_name="slot_templates")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    capacity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "weekday", "start"], name="slot_template_once"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_template_weekday"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_template_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.weekday} {self.start} ×{self.capacity}"


class SlotLoad(models.Model):
    """How many live (booked or arrived) bookings one concrete slot holds: the row bookings lock."""

    shop = models.ForeignKey("directory.Shop", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "start"], name="slot_load_once")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.start} {self.booked}"


class BookingState(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    ARRIVED = "arrived", "已到店"
    NO_SHOW = "no_show", "未到店"


LIVE_STATES = (BookingState.BOOKED, BookingState.ARRIVED)


class Booking(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The owner's customer and vehicle in the tenant's schema, and a snapshot for the shop.
    customer_id = models.BigIntegerField()
    vehicle_id = models.BigIntegerField(null=True, blank=True)
    customer_name = models.CharField(max_length=60)
    mobile = models.CharField(max_length=11, blank=True, default="")
    plate = models.CharField(max_length=8, blank=True, default="")
    shop = models.ForeignKey("directory.Shop", on_delete=models.PROTECT, related_name="bookings")
    service = models.CharField(max_length=30)
    slot_start = models.DateTimeField()
    state = models.CharField(max_length=10, choices=BookingState.choices, default=BookingState.BOOKED)
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot_start", "id"]
        indexes = [
            models.Index(fields=["shop", "slot_start"], name="booking_shop_slot"),
            models.Index(fields=["tenant", "customer_id"], name="booking_tenant_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.slot_start} {self.plate or self.customer_name}"
