"""The platform's directory (public schema): insurers and their rating data.

Every tenant reads these rows; which insurers a tenant works with, at what commission, is the
tenant's own (``quotes.InsurerTerms``)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.public_rows import Undeletable, UndeletableManager
from directory.rating_data import AUTONOMOUS_PRICING_FACTOR_MAX, AUTONOMOUS_PRICING_FACTOR_MIN


class Insurer(Undeletable):
    """A property insurer (财产保险公司). ``gateway`` names the adapter that prices and issues for it:
    ``sandbox`` prices with the rating tables and issues sandbox policy numbers. Switched off
    (``active``), never deleted: tenant rows refer to it (core.public_rows)."""

    code = models.CharField(max_length=12, unique=True, help_text="PICC, PINGAN, CPIC …")
    name = models.CharField(max_length=60, unique=True)
    short_name = models.CharField(max_length=12)
    logo = models.TextField(blank=True, default="", help_text="URL or data: URI")
    color = models.CharField(max_length=7, default="#1F4E9E")
    # 自主定价系数: the range the insurer files (inside the legal [0.5, 1.5]), the factor it prices
    # with by default, and how far an agent may move it on a quote.
    factor_min = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.5"))
    factor_max = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("1.5"))
    default_factor = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("1.0"))
    agent_adjustment = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0.10"), help_text="allowed ± on the factor"
    )
    gateway = models.CharField(max_length=20, default="sandbox")
    active = models.BooleanField(default=True)
    sort = models.PositiveSmallIntegerField(default=100)

    objects = UndeletableManager()

    class Meta:
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(factor_min__gte=AUTONOMOUS_PRICING_FACTOR_MIN)
                & Q(factor_max__lte=AUTONOMOUS_PRICING_FACTOR_MAX)
                & Q(factor_min__lte=F("default_factor"))
                & Q(default_factor__lte=F("factor_max")),
                name="insurer_factor_range_legal",
            ),
            models.CheckConstraint(condition=Q(agent_adjustment__gte=0), name="insurer_adjustment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name}"


class InsurerRatingTable(models.Model):
    """An insurer's 商业险 rating table for one 使用性质 (``directory.rating_data.VehicleUse``), as data
    (``directory.rating_tables``). A tenant may keep its own table for the same pair, which wins."""

    insurer = models.ForeignKey(Insurer, on_delete=models.CASCADE, related_name="rating_tables")
    use = models.CharField(max_length=24)
    name = models.CharField(max_length=80)
    coverages = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["insurer__sort", "use"]
        constraints = [models.UniqueConstraint(fields=["insurer", "use"], name="insurer_rating_table_unique")]

    def __str__(self) -> str:
        return f"{self.insurer.code} {self.name}"


class Shop(Undeletable):
    """A vehicle service shop (维修保养服务商), shared by every tenant. Tenants partner with shops
    (``catalog.PartnerShop``); the shop's staff redeem partner tenants' gift packs. Switched off
    (``active``), never deleted: tenant rows refer to it (core.public_rows)."""

    name = models.CharField(max_length=60)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    address = models.CharField(max_length=200, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    services = models.JSONField(default=list, blank=True, help_text="保养, 洗车, 贴膜 …")
    hours = models.CharField(max_length=60, blank=True, default="")
    photos = models.JSONField(default=list, blank=True, help_text="image URLs")
    # An after-sales chain tenant (福瑞卡) owns its stores; NULL: an independent shop.
    owner_tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_shops"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UndeletableManager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ShopStaff(models.Model):
    """Who works at a shop (their login role is ``shop_staff`` on the platform host)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_staff")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.shop_id}"


class InsurerStaff(models.Model):
    """Who works for an insurer (their login role is ``insurer_staff`` on the platform host): they
    follow the repairs that are the insurer's claims and publish policies to partner tenants."""

    insurer = models.ForeignKey(Insurer, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insurer_staff"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.insurer_id}"


class ShopInspection(models.Model):
    """A technical inspection (技术考核) of a shop by the platform: one score 0–100 on a date. With
    owners' reviews it makes the shop's quality score (``directory.quality``)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField()
    inspector = models.CharField(max_length=60)
    technical_score = models.PositiveSmallIntegerField()
    notes = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(technical_score__lte=100), name="shop_inspection_score_range")
        ]
        indexes = [models.Index(fields=["shop", "-inspected_on"], name="shop_inspection_recent")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.inspected_on} {self.technical_score}"
