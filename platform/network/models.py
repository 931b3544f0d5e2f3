"""The distribution network (分销体系) of one tenant: tiers, distributors and their relations.

Relations are kept twice: ``Distributor.parent`` (the current parent) and ``NetworkPath``, a closure
table with validity periods. Every (ancestor, descendant) pair that ever held carries the time it
started and (once a move ended it) the time it stopped, so the upline "as it stood" at any moment
is one indexed query, and moves only affect business written after them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Tier(models.Model):
    """A level of the organisation, e.g. 区域经理 (rank 1) > 团队长 (2) > 代理人 (3)."""

    name = models.CharField(max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the top of the organisation")
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rank"]
        constraints = [models.CheckConstraint(condition=Q(rank__gte=1), name="tier_rank_positive")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class DistributorKind(models.TextChoices):
    AGENT = "agent", "代理人"
    CUSTOMER = "customer", "车主推荐人"


class DistributorStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACTIVE = "active", "正常"
    INACTIVE = "inactive", "已停用"


class Distributor(models.Model):
    """Someone who sells (an agent) or refers (a customer). Insurance commission only ever goes to
    agents with a practice registration number; customers earn on goods and services only."""

    # indexed by distributor_one_per_user (user), not twice
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=10, choices=DistributorKind.choices)
    name = models.CharField(max_length=60)
    mobile = models.CharField(max_length=11)
    licence_no = models.CharField("执业登记号", max_length=40, blank=True)
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="distributors"
    )
    # indexed by the (parent, status) index, not twice
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", db_index=False
    )
    status = models.CharField(
        max_length=10, choices=DistributorStatus.choices, default=DistributorStatus.ACTIVE
    )
    referral_code = models.CharField(max_length=12, unique=True)
    joined_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], name="distributor_one_per_user"),
            models.UniqueConstraint(fields=["mobile"], name="distributor_unique_mobile"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="distributor_not_own_parent"),
            models.CheckConstraint(
                condition=Q(kind=DistributorKind.CUSTOMER) | (~Q(licence_no="") & Q(tier__isnull=False)),
                name="agent_has_licence_and_tier",
            ),
        ]
        indexes = [models.Index(fields=["parent", "status"]), models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.mobile})"


class NetworkPath(models.Model):
    """Closure table row: ``ancestor`` was ``depth`` levels above ``descendant`` from ``valid_from``
    until ``valid_to`` (NULL: still so). Depth 0 is the node itself. Rows are closed, never deleted."""

    ancestor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="+")
    # indexed by path_upline_idx (descendant, valid_from), not twice
    descendant = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="+", db_index=False)
    depth = models.PositiveSmallIntegerField()
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="path_period_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(depth=0) & Q(ancestor=F("descendant")))
                | (Q(depth__gt=0) & ~Q(ancestor=F("descendant"))),
                name="path_depth_zero_is_self",
            ),
            models.UniqueConstraint(
                fields=["ancestor", "descendant"],
                condition=Q(valid_to__isnull=True),
                name="path_one_open_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["descendant", "valid_from"], name="path_upline_idx"),
            models.Index(
                fields=["ancestor", "depth"], condition=Q(valid_to__isnull=True), name="path_open_subtree_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.ancestor_id} -[{self.depth}]-> {self.descendant_id} from {self.valid_from:%Y-%m-%d %H:%M}"
        )


class Referral(models.Model):
    """Someone who signed up through a customer's referral code (车主推荐). The referrer earns on
    goods and services they buy, never on insurance (see Compliance in DOMAIN.md)."""

    referrer = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="referrals")
    # indexed by referral_one_referrer_per_user (user), not twice
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user"], name="referral_one_referrer_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} referred by {self.referrer_id}"


class NetworkSettings(models.Model):
    """Per-tenant switches of the network (one row)."""

    agent_signup_requires_approval = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"network settings (approval {'on' if self.agent_signup_requires_approval else 'off'})"
