"""Quotes (报价单), their options (one per insurer), history, policies (保单) and payments.

A quote keeps every input it was rated with (vehicle, province, claim history, coverages) and each
option keeps its full breakdown (``QuoteRating.to_dict``), so any price can be explained and
recomputed from the row alone, whatever happens later to the vehicle or the tables."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from directory.models import Insurer

MAX_CTPL_COMMISSION = Decimal("0.04")  # 交强险手续费 may not exceed 4% of its premium


class InsurerTerms(models.Model):
    """A tenant's deal with one insurer: whether it quotes it, the commission the insurer pays the
    tenant on each line (手续费), and the 自主定价系数 it prices with (the insurer's default if empty)."""

    insurer = models.OneToOneField(Insurer, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    enabled = models.BooleanField(default=True)
    ctpl_commission_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0.04"))
    commercial_commission_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0.20"))
    autonomous_pricing_factor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ctpl_commission_rate__gte=0) & Q(ctpl_commission_rate__lte=MAX_CTPL_COMMISSION),
                name="terms_ctpl_commission_max_4pct",
            ),
            models.CheckConstraint(
                condition=Q(commercial_commission_rate__gte=0) & Q(commercial_commission_rate__lt=1),
                name="terms_commercial_commission_range",
            ),
        ]

    def __str__(self) -> str:
        return f"terms {self.insurer_id}"


class TenantRatingTable(models.Model):
    """The tenant's own 商业险 table for an insurer and 使用性质; wins over the insurer's."""

    # indexed by tenant_rating_table_unique (insurer, use), not twice
    insurer = models.ForeignKey(
        Insurer, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    use = models.CharField(max_length=24)
    name = models.CharField(max_length=80)
    coverages = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["insurer", "use"], name="tenant_rating_table_unique")]

    def __str__(self) -> str:
        return f"{self.insurer_id} {self.name}"


class TenantVehicleTaxTable(models.Model):
    """The 车船税 a province charges per passenger car, as the tenant keeps it: one amount per
    displacement band (≤1.0L first, seven bands), each inside the legal range. Wins over the
    built-in tables (广东, 北京) and lets the tenant quote in any other province."""

    province = models.CharField(max_length=10, unique=True, help_text="region short name: 湖南, 上海 …")
    annual_tax = models.JSONField(help_text='seven decimal strings, e.g. ["180", "360", …]')
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["province"]

    def __str__(self) -> str:
        return f"车船税 {self.province}"


class QuoteStatus(models.TextChoices):
    PLATFORM_QUOTED = "platform_quoted", "平台已报价"
    AGENT_QUOTED = "agent_quoted", "代理人已报价"
    ISSUED = "issued", "已出单"
    COMPLETED = "completed", "已完成"
    EXPIRED = "expired", "已过期"
    CANCELLED = "cancelled", "已取消"
    SURRENDERED = "surrendered", "已退保"  # every policy issued for it surrendered (退保)


class QuoteChannel(models.TextChoices):
    AGENT = "agent", "代理人"
    OWNER = "owner", "车主"
    CONSOLE = "console", "后台"


class Quote(models.Model):
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # indexed by the (customer, -created_at) index, not twice
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="quotes", db_index=False
    )
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, related_name="quotes")
    promoter = models.ForeignKey(
        "network.Distributor", null=True, blank=True, on_delete=models.PROTECT, related_name="quotes"
    )
    plate = models.CharField(max_length=8)
    status = models.CharField(max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.PLATFORM_QUOTED)
    channel = models.CharField(max_length=10, choices=QuoteChannel.choices)
    # What it was rated with: enough to rate it again.
    region = models.CharField(max_length=10)
    vehicle_snapshot = models.JSONField()
    history = models.JSONField()
    coverages = models.JSONField()
    rated_on = models.DateField()
    valid_until = models.DateField()
    chosen_option = models.ForeignKey(
        "QuoteOption", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    premium = models.DecimalField(max_digits=14, decimal_places=2, help_text="chosen option, else cheapest")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["plate"]),
            models.Index(
                fields=["valid_until"],
                condition=Q(status__in=["platform_quoted", "agent_quoted"]),
                name="quote_open_valid_until",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.plate} {self.status}"


class QuoteOption(models.Model):
    """One insurer's price for the quote, with the whole breakdown. ``available`` is False when the
    insurer could not rate it (``unavailable_reason`` says why)."""

    # indexed by quote_option_one_per_insurer (quote, insurer), not twice
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="options", db_index=False)
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    available = models.BooleanField(default=True)
    unavailable_reason = models.CharField(max_length=300, blank=True, default="")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    cheapest = models.BooleanField(default=False)
    base_factor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    autonomous_pricing_factor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    ctpl_premium = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    vehicle_tax = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    commercial_premium = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # The tenant's terms when rated: the commission engine settles on these.
    ctpl_commission_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    commercial_commission_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    breakdown = models.JSONField(default=dict)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    adjusted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "insurer"], name="quote_option_one_per_insurer"),
            models.CheckConstraint(
                condition=Q(ctpl_commission_rate__lte=MAX_CTPL_COMMISSION),
                name="option_ctpl_commission_max_4pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.insurer_id} {self.total}"


class QuoteEvent(models.Model):
    """The quote's history: every step with who and when (append-only)."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=60, blank=True, default="")
    actor_role = models.CharField(max_length=20, blank=True, default="")
    note = models.CharField(max_length=300, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.action} -> {self.to_status}"


class PolicyLine(models.TextChoices):
    CTPL = "ctpl", "交强险"
    COMMERCIAL = "commercial", "商业险"


class PolicyStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    CANCELLED = "cancelled", "已退保"


class Policy(models.Model):
    # indexed by policy_one_per_line (quote, line), not twice
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="policies", db_index=False)
    option = models.ForeignKey(QuoteOption, on_delete=models.PROTECT, related_name="policies")
    # indexed by policy_number_unique (insurer, number), not twice
    insurer = models.ForeignKey(
        Insurer, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="policies")
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, related_name="policies")
    promoter = models.ForeignKey(
        "network.Distributor", null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    line = models.CharField(max_length=12, choices=PolicyLine.choices)
    number = models.CharField(max_length=40)
    premium = models.DecimalField(max_digits=14, decimal_places=2)
    vehicle_tax = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    commission_rate = models.DecimalField(max_digits=7, decimal_places=4)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.ACTIVE)
    issued_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refund_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-issued_at", "line"]
        constraints = [
            models.UniqueConstraint(fields=["insurer", "number"], name="policy_number_unique"),
            models.UniqueConstraint(fields=["quote", "line"], name="policy_one_per_line"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="policy_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True)
                | (Q(refund_amount__gte=0) & Q(refund_amount__lte=models.F("premium"))),
                name="policy_refund_within_premium",
            ),
            models.CheckConstraint(
                condition=~Q(line="ctpl") | Q(commission_rate__lte=MAX_CTPL_COMMISSION),
                name="policy_ctpl_commission_max_4pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()} {self.number}"


class PaymentMethod(models.TextChoices):
    WECHAT = "wechat", "微信支付"
    ALIPAY = "alipay", "支付宝"
    CARD = "card", "银行卡"
    TRANSFER = "transfer", "对公转账"
    CASH = "cash", "现金"


class Payment(models.Model):
    """Premium received for an issued quote (recorded by the agent or finance)."""

    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=60, blank=True, default="")
    paid_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.quote_id} {self.amount}"
