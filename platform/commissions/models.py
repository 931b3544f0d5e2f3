"""Commission plans (返利分成方案), the append-only ledger and its settlement (费用结算).

A sale (an issued policy) pays every beneficiary of the seller's upline *as it stood at sale time*,
by the rules of the plan in force, never more in total than the commission the tenant received for
it. A cancellation adds entries reversing the originals at their original rates. Entries are never
updated or deleted: their state (pending, confirmed, settled) follows from their period and their
statement. Every amount keeps its basis, rate, rule and the arithmetic that produced it."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.models import CurrentTxid
from directory.models import Insurer
from network.models import Distributor, Tier

MAX_CTPL_RATE = Decimal("0.04")


class Scheme(models.TextChoices):
    DIFFERENTIAL = "differential", "级差"
    PER_LEVEL = "per_level", "逐级分成"


class SettlementMode(models.TextChoices):
    SAME_LEVEL = "same_level", "同级结算"
    CROSS_LEVEL = "cross_level", "跨级结算"


class Line(models.TextChoices):
    CTPL = "ctpl", "交强险"
    COMMERCIAL = "commercial", "商业险"
    GOODS = "goods", "商品"
    SERVICES = "services", "服务"


INSURANCE_LINES = (Line.CTPL, Line.COMMERCIAL)


class RateKind(models.TextChoices):
    PERCENT = "percent", "比例"
    FIXED = "fixed", "固定金额"


class PromotionBearer(models.TextChoices):
    SELLER = "seller", "销售人员承担"
    CHAIN = "chain", "链上按分成比例分担"
    SHARES = "shares", "按固定比例逐级分担"
    TENANT = "tenant", "公司承担"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "启用"
    ARCHIVED = "archived", "已归档"


class Plan(models.Model):
    """返利分成方案. One plan is in force at a time; a plan that has paid anything is archived, never
    deleted, so every entry keeps pointing at the rules that produced it."""

    name = models.CharField(max_length=60, unique=True)
    scheme = models.CharField(max_length=16, choices=Scheme.choices)
    settlement_mode = models.CharField(max_length=16, choices=SettlementMode.choices)
    in_force = models.BooleanField(default=False)
    # 促销活动结算: who pays for the gift packs or coupons given with a sale (their actual value).
    promotion_bearer = models.CharField(
        max_length=8, choices=PromotionBearer.choices, default=PromotionBearer.TENANT
    )
    # With promotion_bearer "shares": the percent of the cost each level bears, the seller first
    # (50, 30, 20: the seller half, the parent 30%, the grandparent 20%); they add up to 100.
    promotion_shares = ArrayField(
        models.DecimalField(max_digits=5, decimal_places=2), default=list, blank=True, db_default=[]
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-in_force", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=Q(in_force=True), name="plan_one_in_force"
            ),
            models.CheckConstraint(
                condition=~(Q(in_force=True) & Q(status="archived")), name="plan_archived_not_in_force"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """项目: what one beneficiary earns on one business line. Differential plans name a tier (its
    cumulative rate) or, for goods and services only, ``referrer``: the cumulative rate of a
    referring customer (推荐车主, who has no tier); per-level plans a distance from the seller (0 the
    seller, 1 the parent …). An insurer-specific rule wins over the line's general one."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules")
    line = models.CharField(max_length=12, choices=Line.choices)
    insurer = models.ForeignKey(
        Insurer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    distance = models.PositiveSmallIntegerField(null=True, blank=True)
    referrer = models.BooleanField(default=False, db_default=False, help_text="推荐车主 (differential)")
    rate_kind = models.CharField(max_length=8, choices=RateKind.choices, default=RateKind.PERCENT)
    rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    cap = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, help_text="per sale")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["line", "distance", "tier__rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier__isnull=False) | Q(distance__isnull=False) | Q(referrer=True),
                name="rule_names_tier_or_distance",
            ),
            models.CheckConstraint(
                condition=Q(referrer=False) | Q(line__in=["goods", "services"]),
                name="rule_referrer_goods_services_only",
            ),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="rule_rate_range"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rule_amount_positive"),
            models.CheckConstraint(
                condition=~Q(line="ctpl") | Q(rate_kind="percent"), name="rule_ctpl_by_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.line} {self.tier_id or self.distance}"


class Campaign(models.Model):
    """活动手续费: an extra rate for sales within the dates, on chosen lines, insurers and regions
    (empty: all), paid to the beneficiary ``distance`` levels above the seller (0: the seller)."""

    name = models.CharField(max_length=60)
    lines = ArrayField(models.CharField(max_length=12), default=list)
    insurer_codes = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    rate = models.DecimalField(max_digits=7, decimal_places=4)
    distance = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField()
    valid_to = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="campaign_dates"),
            models.CheckConstraint(condition=Q(rate__gt=0) & Q(rate__lt=1), name="campaign_rate_range"),
        ]

    def __str__(self) -> str:
        return self.name


class VolumeTier(models.Model):
    """通算: when a seller's business in the period on ``lines`` (and ``insurer_codes``, empty: all;
    insurers filter insurance lines only) reaches ``threshold``, ``rate`` more on that same
    business for the whole period. Tiers with the same lines and insurers form one ladder (the
    highest tier reached applies); two ladders never count the same business."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="volume_tiers")
    lines = ArrayField(models.CharField(max_length=12), default=list)
    insurer_codes = ArrayField(models.CharField(max_length=12), default=list, blank=True, db_default=[])
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    rate = models.DecimalField(max_digits=7, decimal_places=4)

    class Meta:
        ordering = ["lines", "insurer_codes", "threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "lines", "insurer_codes", "threshold"], name="volume_tier_unique"
            ),
            models.CheckConstraint(condition=~Q(lines=[]), name="volume_tier_has_lines"),
        ]

    def __str__(self) -> str:
        return f"≥{self.threshold} +{self.rate}"

    @property
    def ladder(self) -> str:
        """The ladder's key (also the bonus entries' ``fact_key``): "commercial,ctpl|PICC"."""
        return ladder_key(self.lines, self.insurer_codes)


def ladder_key(lines: list[str], insurer_codes: list[str]) -> str:
    return ",".join(sorted(lines)) + ("|" + ",".join(sorted(insurer_codes)) if insurer_codes else "")


class PeriodStatus(models.TextChoices):
    OPEN = "open", "未结算"
    CLOSING = "closing", "结算中"
    CLOSED = "closed", "已结算"


class Period(models.Model):
    """A settlement month. Entries land in the month of their sale while it is open, else in the
    current open month."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="period_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="period_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class EntryKind(models.TextChoices):
    COMMISSION = "commission", "佣金"
    CAMPAIGN = "campaign", "活动手续费"
    PROMOTION = "promotion", "促销结算"
    VOLUME_BONUS = "volume_bonus", "通算奖励"
    ADJUSTMENT = "adjustment", "手工调整"


class Entry(models.Model):
    """One amount owed to one beneficiary, with everything that explains it. Append-only."""

    # The foreign keys' own indexes are left out where a wider index leads with the column (period,
    # distributor, reverses) or nothing looks rows up by it (seller: distributors are never
    # deleted); campaign and created_by, NULL on almost every row, get partial indexes (Meta).
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="entries", db_index=False)
    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=14, choices=EntryKind.choices)
    source_type = models.CharField(max_length=12, help_text="policy, order, period, manual")
    source_id = models.BigIntegerField(null=True, blank=True)
    source_number = models.CharField(max_length=40, blank=True, default="")
    line = models.CharField(max_length=12, blank=True, default="")
    insurer_code = models.CharField(max_length=12, blank=True, default="")
    seller = models.ForeignKey(
        Distributor, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField(default=0, help_text="levels above the seller")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    basis = models.DecimalField(max_digits=14, decimal_places=2)
    rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    formula = models.CharField(max_length=300)
    # Top of the chain first, the beneficiary last (same-level settlement passes money down it).
    path = ArrayField(models.BigIntegerField(), default=list)
    sale_at = models.DateTimeField()
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    # Which event reversed it: "cancel" (退保, once), "refund:<event id>" (each partial refund once).
    reversal_key = models.CharField(max_length=40, blank=True, default="", db_default="")
    # What tells two entries of one source, beneficiary and kind apart as two facts: the gift pack
    # given ("pack:<issued pack id>": two packs with one policy are two charges), the bonus ladder
    # ("commercial,ctpl|PICC"). Empty where one source pays one beneficiary one entry of a kind.
    fact_key = models.CharField(max_length=60, blank=True, default="", db_default="")
    reason = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sale_at", "-id"]
        constraints = [
            # One entry per fact: sale, beneficiary, kind and what distinguishes facts of one kind
            # (re-processing an event adds nothing; two real facts are two entries).
            models.UniqueConstraint(
                fields=["source_type", "source_id", "distributor", "kind", "fact_key"],
                condition=Q(reverses__isnull=True) & ~Q(kind="adjustment"),
                name="entry_once_per_source",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""), name="entry_adjustment_has_reason"
            ),
            models.UniqueConstraint(
                fields=["reverses", "reversal_key"],
                condition=Q(reverses__isnull=False),
                name="entry_reversed_once_per_event",
            ),
        ]
        # What the queries use (docs/performance.md has each plan): the settlement and a statement's
        # lines by period (and person); 我的收入 by person, newest first; an entry's source through
        # entry_once_per_source (each lookup by source names reverses IS NULL and a kind other than
        # adjustment); reversals through entry_reversed_once_per_event.
        indexes = [
            models.Index(fields=["period", "distributor"]),
            models.Index(fields=["distributor", "-sale_at"]),
            models.Index(fields=["campaign"], condition=Q(campaign__isnull=False), name="entry_campaign_idx"),
            models.Index(
                fields=["created_by"], condition=Q(created_by__isnull=False), name="entry_created_by_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.distributor_id} {self.amount}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "结算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class SettlementRun(models.Model):
    period = models.OneToOneField(Period, on_delete=models.PROTECT, related_name="run")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent")
    step = models.CharField(max_length=60, blank=True, default="")
    statements = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Beaten every few seconds while a worker runs it; a run whose beat stopped (worker killed) is
    # re-queued by the watchdog (commissions.services.settlement_watchdog).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"run {self.period_id} {self.status}"


class StatementStatus(models.TextChoices):
    OPEN = "open", "待支付"
    PAID = "paid", "已支付"


class Statement(models.Model):
    """One distributor's month: what they earned (by kind), and, by the plan's settlement mode, what
    they receive and from whom, and what they pay on to whom."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="statements")
    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="+")
    settlement_mode = models.CharField(max_length=16, choices=SettlementMode.choices)
    totals = models.JSONField(default=dict, help_text="kind -> amount")
    earned = models.DecimalField(max_digits=14, decimal_places=2)
    receivable = models.DecimalField(max_digits=14, decimal_places=2)
    payable = models.DecimalField(max_digits=14, decimal_places=2)
    counterparties = models.JSONField(default=list, help_text="[{distributor_id|null, name, receive, pay}]")
    status = models.CharField(max_length=8, choices=StatementStatus.choices, default=StatementStatus.OPEN)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # The inserting transaction (set by the database): "statement ready" notifications read new
    # statements with core.events.consume_rows, which needs it to miss none that commit late.
    txid = models.BigIntegerField(db_default=CurrentTxid(), editable=False)

    class Meta:
        ordering = ["period", "distributor_id"]
        constraints = [models.UniqueConstraint(fields=["period", "distributor"], name="statement_unique")]

    def __str__(self) -> str:
        return f"{self.period} {self.distributor_id} {self.earned}"
