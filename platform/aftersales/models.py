"""After-sales service orders (售后服务), shared by every tenant: a shop repairs cars of many tenants'
owners, and an insurer follows the repairs that are its claims across shops. Each row carries the
tenant it belongs to; every read goes through ``aftersales.selectors`` which filters on who asks."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class OrderState(models.TextChoices):
    REQUESTED = "requested", "施工申请"
    ACCEPTED = "accepted", "已接单"
    QUOTED = "quoted", "待确认报价"
    APPROVED = "approved", "已确认"
    IN_PROGRESS = "in_progress", "施工中"
    COMPLETED = "completed", "已完工"
    SETTLED = "settled", "已结算"
    REVIEWED = "reviewed", "已评价"
    REJECTED = "rejected", "门店已拒单"
    CANCELLED = "cancelled", "已取消"


class PaymentMethod(models.TextChoices):
    """How the owner paid at 结算 (the shop says so; a claim is paid by the insurer)."""

    CASH = "cash", "现金"
    WECHAT = "wechat", "微信"
    ALIPAY = "alipay", "支付宝"
    CARD = "card", "银行卡"
    TRANSFER = "transfer", "转账"
    INSURER = "insurer", "保险公司支付"


class ServiceOrder(models.Model):
    no = models.CharField(max_length=24, unique=True)
    # tenant, shop and insurer lead the Meta indexes below, which serve every lookup by them: no
    # index of their own (every step's UPDATE writes each index of the row, its state is indexed)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False)
    shop = models.ForeignKey(
        "directory.Shop", on_delete=models.PROTECT, related_name="service_orders", db_index=False
    )
    # The owner and their customer record / vehicle in the tenant's schema (ids, with a snapshot).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    customer_id = models.BigIntegerField()
    vehicle_id = models.BigIntegerField()
    customer_name = models.CharField(max_length=60)
    customer_mobile = models.CharField(max_length=11)
    plate = models.CharField(max_length=8)
    vehicle_model = models.CharField(max_length=60, blank=True, default="")
    # The customer's agent when the request was made (who follows the repair).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.CharField(max_length=30, help_text="保养, 维修, 钣喷 …")
    description = models.TextField(max_length=2000)
    mileage_km = models.PositiveIntegerField(null=True, blank=True)
    # A claim: the insurer approves the items too and sees the purchase prices.
    insurer = models.ForeignKey(
        "directory.Insurer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim_orders",
        db_index=False,
    )
    claim_no = models.CharField(max_length=40, blank=True, default="")
    state = models.CharField(max_length=12, choices=OrderState.choices, default=OrderState.REQUESTED)
    owner_approved_at = models.DateTimeField(null=True, blank=True)
    insurer_approved_at = models.DateTimeField(null=True, blank=True)
    settled_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    insurer_pays = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # how the owner paid, asked at 结算 ('insurer' for a claim); empty before
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["shop", "state"]),
            models.Index(fields=["tenant", "customer_id"]),
            models.Index(fields=["insurer", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(insurer__isnull=True, claim_no="") | (Q(insurer__isnull=False) & ~Q(claim_no="")),
                name="service_order_claim_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.no} {self.plate}"

    @property
    def is_claim(self) -> bool:
        return self.insurer_id is not None


class ItemKind(models.TextChoices):
    PART = "part", "配件"
    LABOUR = "labour", "工时"


class Decision(models.TextChoices):
    PENDING = "pending", "待确认"
    APPROVED = "approved", "同意"
    DECLINED = "declined", "不同意"


class ServiceItem(models.Model):
    """A line of the estimate: a part (from the shop's inventory) or labour, with its sale price to
    the owner and its purchase price (采购价) to the shop."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    part = models.ForeignKey(
        "inventory.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=60)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = models.DecimalField("销售单价", max_digits=12, decimal_places=2)
    unit_cost = models.DecimalField("采购单价", max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    cost_amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True, default="")
    photos = models.JSONField(default=list, blank=True)
    owner_decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    insurer_decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="service_item_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(unit_cost__gte=0), name="service_item_prices_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="labour", part__isnull=True) | Q(kind="part"),
                name="service_item_labour_no_part",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class ProgressEvent(models.Model):
    """One step of an order, as the owner, agent, shop and insurer see it in the timeline."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="progress")
    state = models.CharField(max_length=12, choices=OrderState.choices)
    title = models.CharField(max_length=60)
    note = models.CharField(max_length=500, blank=True, default="")
    photos = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True, default="")
    actor_role = models.CharField(max_length=20, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.state} {self.at:%Y-%m-%d %H:%M}"


class Review(models.Model):
    """事后评价: once per order, by its owner, after it is settled. Feeds the shop's quality score
    (``directory.quality``): ``technical`` and ``service`` stars, 1 to 5."""

    order = models.OneToOneField(ServiceOrder, on_delete=models.CASCADE, related_name="review")
    shop = models.ForeignKey("directory.Shop", on_delete=models.CASCADE, related_name="reviews")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    technical = models.PositiveSmallIntegerField()
    service = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(technical__gte=1, technical__lte=5) & Q(service__gte=1, service__lte=5),
                name="review_stars_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.technical}/{self.service}"


class ShopProductKind(models.TextChoices):
    GOODS = "goods", "商品"
    SERVICE = "service", "服务项目"


class ShopProduct(models.Model):
    """What a shop sells owners on its own account (套餐, 配件, 美容项目 …): listed on the shop's page
    in every partner tenant's H5 and bought at the counter or with a booking."""

    shop = models.ForeignKey("directory.Shop", on_delete=models.CASCADE, related_name="products")
    kind = models.CharField(max_length=8, choices=ShopProductKind.choices)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=500, blank=True, default="")
    market_price = models.DecimalField(max_digits=12, decimal_places=2)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    image_url = models.URLField(max_length=500, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shop", "-active", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="shop_product_name_unique"),
            models.CheckConstraint(
                condition=Q(price__gte=0) & Q(market_price__gte=F("price")), name="shop_product_prices_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.name}"
