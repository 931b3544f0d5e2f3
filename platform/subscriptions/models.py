"""SaaS plans, each tenant's subscription (trial, Stripe Billing, dunning), its invoices, and the
self-service signups that provision tenants. All in the public schema: the platform bills tenants."""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q

from tenants.models import Tenant


class Plan(models.Model):
    """A price per month and the limits that come with it. ``0`` as a limit means unlimited."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=40)
    price_monthly = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="cny")
    max_agents = models.PositiveIntegerField(default=0)
    max_customers = models.PositiveIntegerField(default=0)
    max_storage_mb = models.PositiveIntegerField(default=0)
    trial_days = models.PositiveIntegerField(default=14)
    # The recurring Stripe Price, created on first use (and again when the price changes).
    stripe_price_id = models.CharField(max_length=80, blank=True)
    is_active = models.BooleanField(default=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort", "price_monthly", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price_monthly__gte=0), name="plan_price_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "试用中"
    ACTIVE = "active", "正常"
    PAST_DUE = "past_due", "逾期未付"
    CANCELED = "canceled", "已取消"


class Subscription(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # When payment first failed (or the trial ran out unpaid); the grace period counts from here.
    past_due_since = models.DateTimeField(null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=80, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=80, blank=True, db_index=True)
    # ``created`` of the newest Stripe event applied: an older one arriving late changes nothing.
    last_event_created = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.plan_id} {self.status}"


class Invoice(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=80, unique=True)
    number = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=20)  # Stripe's: draft, open, paid, uncollectible, void
    amount_due = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="cny")
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    last_event_created = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number or self.stripe_invoice_id} {self.status}"


class SignupStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    PROVISIONING = "provisioning", "开通中"
    READY = "ready", "已开通"
    FAILED = "failed", "开通失败"


class Signup(models.Model):
    """A company signing up on the public site, and the background job that provisions its tenant.
    The id is unguessable: the progress page polls it without logging in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The client's idempotency key: posting the same form twice gives the same signup.
    request_id = models.UUIDField(unique=True)
    company_name = models.CharField(max_length=100)
    uscc = models.CharField(max_length=18, db_index=True)
    kind = models.CharField(max_length=20)
    contact_mobile = models.CharField(max_length=11)
    subdomain = models.CharField(max_length=40)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    admin_name = models.CharField(max_length=50)
    # Hashed at once; cleared when the admin account exists.
    admin_password_hash = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=SignupStatus.choices, default=SignupStatus.QUEUED)
    step = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.company_name} {self.subdomain} {self.status}"
