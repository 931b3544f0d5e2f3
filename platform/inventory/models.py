"""Inventory per shop (库存管理), in the public schema: a shop's parts, the stock figure kept on the
part row, and the append-only ledger of movements that explains it.

``Part.stock`` is only ever changed by ``inventory.services`` under ``select_for_update`` together
with the ``StockMove`` that explains the change, so ``stock == sum(moves.quantity)`` always holds."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Part(models.Model):
    """A part or consumable a shop keeps (机油 5W-30, 机滤 …). Quantities are decimals (4.5 L)."""

    shop = models.ForeignKey("directory.Shop", on_delete=models.PROTECT, related_name="parts")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    unit = models.CharField(max_length=10, default="个")
    unit_cost = models.DecimalField("采购价", max_digits=12, decimal_places=2, default=0)
    sale_price = models.DecimalField("销售价", max_digits=12, decimal_places=2, default=0)
    stock = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    reorder_level = models.DecimalField("补货线", max_digits=12, decimal_places=2, default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="part_code_per_shop"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="part_unit_cost_positive"),
            models.CheckConstraint(condition=Q(sale_price__gte=0), name="part_sale_price_positive"),
            models.CheckConstraint(condition=Q(reorder_level__gte=0), name="part_reorder_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def low_stock(self) -> bool:
        return self.stock <= self.reorder_level


class MoveKind(models.TextChoices):
    PURCHASE = "purchase", "采购入库"
    CONSUMPTION = "consumption", "施工领用"
    RETURN = "return", "领用退回"
    ADJUSTMENT = "adjustment", "盘点调整"


class StockMove(models.Model):
    """One change of a part's stock; never updated or deleted (a consumption is undone by a
    ``return`` move pointing at it). ``quantity`` is signed: + in, − out."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="moves")
    shop = models.ForeignKey("directory.Shop", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=MoveKind.choices)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    stock_after = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(max_length=60, blank=True, default="", help_text="service order no …")
    note = models.CharField(max_length=200, blank=True, default="")
    reason = models.CharField(max_length=200, blank=True, default="", help_text="mandatory on adjustments")
    # Set when this move took the stock below zero on purpose (an explicit override) and why.
    override_reason = models.CharField(max_length=200, blank=True, default="")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_move_quantity_nonzero"),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""), name="stock_adjustment_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(kind="return", reverses__isnull=False)
                | Q(~Q(kind="return"), reverses__isnull=True),
                name="stock_return_reverses_consumption",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "reference"], name="stock_move_reference"),
            models.Index(fields=["part", "-created_at"], name="stock_move_part_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.part_id} {self.quantity}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("stock moves are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("stock moves are append-only")


class ServicePart(models.Model):
    """What one service usually uses at a shop (保养 → 机油 4 L + 机滤 1): the shop keeps this mapping;
    the demand forecast multiplies booked services by it."""

    shop = models.ForeignKey("directory.Shop", on_delete=models.CASCADE, related_name="service_parts")
    service = models.CharField(max_length=30)
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="service_uses")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["service", "part_id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "service", "part"], name="service_part_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="service_part_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.part_id} × {self.quantity}"
