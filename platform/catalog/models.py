"""Products (商品), gift packs (礼包) and the packs issued to customers with their redemption.

A gift pack is a bundle of products; its market and actual values are the sums of its contents
unless the tenant overrides them. Issuing one gives the customer a code (and QR) that is redeemed
exactly once: as a whole, or item by item, as the pack says."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class ProductKind(models.TextChoices):
    GOODS = "goods", "商品"
    SERVICE = "service", "服务"


class Product(models.Model):
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=ProductKind.choices, default=ProductKind.GOODS)
    source = models.CharField(max_length=60, blank=True, default="", help_text="supplier or shop")
    image = models.CharField(max_length=300, blank=True, default="", help_text="storage path of the original")
    image_h5 = models.CharField(max_length=300, blank=True, default="", help_text="resized for the H5")
    market_price = models.DecimalField(max_digits=12, decimal_places=2)
    actual_price = models.DecimalField(max_digits=12, decimal_places=2)
    stock = models.IntegerField(null=True, blank=True, help_text="goods only; services have none")
    on_shelf = models.BooleanField(default=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(market_price__gte=0) & Q(actual_price__gte=0), name="product_prices"
            ),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="product_stock_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RedeemMode(models.TextChoices):
    WHOLE = "whole", "整包兑换"
    PER_ITEM = "per_item", "逐项兑换"


class GiftPack(models.Model):
    name = models.CharField(max_length=60)
    market_value_override = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    actual_value_override = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expires_on = models.DateField()
    redeem_mode = models.CharField(max_length=10, choices=RedeemMode.choices, default=RedeemMode.WHOLE)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class GiftPackItem(models.Model):
    # indexed by pack_item_once (pack, product), not twice
    pack = models.ForeignKey(GiftPack, on_delete=models.CASCADE, related_name="items", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "product"], name="pack_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="pack_item_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}*{self.quantity}"


class GiftPackRule(models.Model):
    """Give ``pack`` with every policy issued for ``line`` (and ``insurer``, if set) whose premium
    reaches ``min_premium``."""

    pack = models.ForeignKey(GiftPack, on_delete=models.CASCADE, related_name="rules")
    line = models.CharField(max_length=12, default="commercial")
    insurer_code = models.CharField(max_length=12, blank=True, default="")
    min_premium = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.pack_id} {self.line} ≥{self.min_premium}"


class IssueChannel(models.TextChoices):
    MANUAL = "manual", "手工发放"
    POLICY = "policy", "随保单赠送"
    CAMPAIGN = "campaign", "活动发放"


class IssueStatus(models.TextChoices):
    ISSUED = "issued", "未兑换"
    PARTIAL = "partial", "部分兑换"
    REDEEMED = "redeemed", "已兑换"
    VOID = "void", "已作废"


class IssuedPack(models.Model):
    """One pack given to one customer, with its code. ``value`` is the actual value when issued
    (what promotion settlement charges)."""

    pack = models.ForeignKey(GiftPack, on_delete=models.PROTECT, related_name="issued")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="gift_packs")
    code = models.CharField(max_length=40, unique=True)
    channel = models.CharField(max_length=10, choices=IssueChannel.choices)
    policy = models.ForeignKey(
        "quotes.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="gift_packs"
    )
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.ISSUED)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    market_value = models.DecimalField(max_digits=12, decimal_places=2)
    expires_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "policy"], condition=Q(policy__isnull=False), name="pack_once_per_policy"
            )
        ]

    def __str__(self) -> str:
        return self.code


class IssuedItem(models.Model):
    issued = models.ForeignKey(IssuedPack, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=60)
    quantity = models.PositiveSmallIntegerField()
    redeemed = models.BooleanField(default=False)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}*{self.quantity}"


class Redemption(models.Model):
    """Who redeemed what, where and when (the whole pack, or one item)."""

    issued = models.ForeignKey(IssuedPack, on_delete=models.PROTECT, related_name="redemptions")
    item = models.OneToOneField(IssuedItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(max_length=60, blank=True, default="")
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            # the whole pack once; each item once (the OneToOne above)
            models.UniqueConstraint(
                fields=["issued"], condition=Q(item__isnull=True), name="redeem_whole_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issued_id} {self.item_id or 'all'}"


class PartnerShop(models.Model):
    """A shop this tenant works with: its staff may redeem the tenant's gift packs."""

    # indexed by partner_shop_once (shop), not twice
    shop = models.ForeignKey(
        "directory.Shop", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop"], name="partner_shop_once")]

    def __str__(self) -> str:
        return f"partner {self.shop_id}"
