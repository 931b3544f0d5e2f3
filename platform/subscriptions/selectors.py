"""Reads: a tenant's usage against its plan, its billing state (trial, dunning, read-only), its
invoices, the setup checklist, and the platform's revenue view."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from core import global_cache
from subscriptions.limits import media_bytes
from subscriptions.models import Invoice, Plan, Signup, Subscription, SubscriptionStatus
from tenants.models import DEFAULT_PRIMARY_COLOR, DEFAULT_SECONDARY_COLOR, Tenant


def tenant_usage(*, schema_name: str) -> dict[str, int]:
    """Agents, customers and the storage (the schema's tables and indexes plus the tenant's uploaded
    files, MB), read from the tenant's schema by name: one statement, no search_path change."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT (SELECT count(*) FROM "{schema_name}".network_distributor WHERE kind = 'agent'),
                       (SELECT count(*) FROM "{schema_name}".customers_customer),
                       (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                          JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = %s AND c.relkind IN ('r', 'm'))""",
            [schema_name],
        )
        agents, customers, size = cursor.fetchone()
    size = int(size) + media_bytes(schema_name)
    return {"agents": int(agents), "customers": int(customers), "storage_mb": size // (1024 * 1024)}


@dataclass(frozen=True)
class BillingState:
    status: str
    status_label: str
    banner: str
    read_only: bool
    grace_ends_at: datetime | None


def subscription_state(sub: Subscription | None, *, now: datetime | None = None) -> BillingState:
    """Where the tenant stands: a lapsed subscription (payment failed, trial over unpaid, cancelled)
    shows a banner, and once the grace period (SUBSCRIPTION_GRACE_DAYS) is over the tenant is
    read-only until it pays. Nothing is ever deleted."""
    if sub is None:
        return BillingState("none", "未开通订阅", "", False, None)
    now = now or timezone.now()
    status, label = sub.status, sub.get_status_display()
    lapsed_since = None
    if status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED):
        lapsed_since = sub.past_due_since or sub.updated_at
    elif status == SubscriptionStatus.TRIALING and sub.trial_ends_at and sub.trial_ends_at <= now:
        lapsed_since, status, label = sub.trial_ends_at, SubscriptionStatus.PAST_DUE, "试用已到期"
    if lapsed_since is None:
        return BillingState(status, label, "", False, None)
    grace_ends = lapsed_since + timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)
    if now >= grace_ends:
        banner = "订阅已逾期且超过宽限期，系统当前为只读模式：数据完好保留，完成付款后立即恢复。"
        return BillingState(status, label, banner, True, grace_ends)
    local = timezone.localtime(grace_ends)
    banner = f"订阅{label}，请在 {local:%Y-%m-%d %H:%M} 前完成付款，逾期后系统将转为只读。"
    return BillingState(status, label, banner, False, grace_ends)


def subscription_of(tenant_id: int) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(tenant_id=tenant_id).first()


def subscription_for_state(tenant_id: int) -> Subscription | None:
    """The subscription with only the fields ``subscription_state`` reads (not its plan): what the
    read-only check of every write reads (issue 20: half the CPU of ``subscription_of``)."""
    fields = ("status", "trial_ends_at", "past_due_since", "updated_at")
    return Subscription.objects.filter(tenant_id=tenant_id).only(*fields).first()


# The read-only check of every write on a tenant's host (``subscriptions.middleware``) reads the
# subscription through the global cache (issue 20: a query on every write), keyed by the tenant's id
# (the public schema's, unique across tenants); dropped whenever the tenant's subscription is saved or
# deleted (``subscriptions.apps``), and short-lived besides. The state is still computed from it at
# each request (the grace period runs out with the clock, not with a write).
SUBSCRIPTION_CACHE_SECONDS = 60


def _subscription_key(tenant_id: int) -> str:
    return f"subscriptions:of-tenant:{tenant_id}"


def subscription_of_cached(tenant_id: int) -> Subscription | None:
    return global_cache.read_through(
        _subscription_key(tenant_id), SUBSCRIPTION_CACHE_SECONDS, lambda: subscription_for_state(tenant_id)
    )


def subscription_forget(tenant_id: int) -> None:
    """The tenant's subscription changed: read it again (now, and after the commit)."""
    global_cache.forget(_subscription_key(tenant_id))


def invoices_for_tenant(*, tenant_id: int) -> Any:
    return Invoice.objects.filter(subscription__tenant_id=tenant_id)


def plans_available() -> Any:
    return Plan.objects.filter(is_active=True)


def mrr_of(sub: Subscription) -> Decimal:
    """Monthly recurring revenue: paying subscriptions only (a trial is not revenue yet)."""
    if sub.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE) and sub.stripe_subscription_id:
        return sub.plan.price_monthly
    return Decimal("0.00")


def platform_revenue() -> dict[str, Any]:
    """Every tenant with its status, plan, usage and MRR, and the total MRR."""
    rows = []
    total = Decimal("0.00")
    subs = {s.tenant_id: s for s in Subscription.objects.select_related("plan")}
    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("created_at", "id")
    for tenant in tenants:
        sub = subs.get(tenant.pk)
        state = subscription_state(sub)
        mrr = mrr_of(sub) if sub else Decimal("0.00")
        total += mrr
        rows.append({
            "tenant_id": tenant.pk, "tenant_name": tenant.name, "schema_name": tenant.schema_name,
            "is_active": tenant.is_active, "status": state.status, "status_label": state.status_label,
            "read_only": state.read_only, "plan": sub.plan if sub else None,
            "trial_ends_at": sub.trial_ends_at if sub else None,
            "usage": tenant_usage(schema_name=tenant.schema_name), "mrr": mrr,
        })  # fmt: skip
    return {"tenants": rows, "total_mrr": total, "paying": sum(1 for r in rows if r["mrr"] > 0)}


def signup_status_of(signup_id: Any) -> Signup | None:
    return Signup.objects.select_related("plan", "tenant").filter(pk=signup_id).first()


def setup_checklist(*, tenant: Tenant) -> list[dict[str, Any]]:
    """The guided setup, from real data: each item is done when the thing exists."""
    from network.models import Distributor, DistributorKind, Tier
    from quotes.models import InsurerTerms
    from tenants.models import Branding

    with schema_context(get_public_schema_name()):
        branding = Branding.objects.filter(tenant=tenant).first()
    branded = bool(
        branding
        and (
            branding.logo_url
            or getattr(branding, "logo", None)
            or branding.primary_color.upper() != DEFAULT_PRIMARY_COLOR
            or branding.secondary_color.upper() != DEFAULT_SECONDARY_COLOR
        )
    )
    with schema_context(tenant.schema_name):
        tiers = Tier.objects.count()
        insurers = InsurerTerms.objects.filter(enabled=True).count()
        agents = Distributor.objects.filter(kind=DistributorKind.AGENT).count()
    return [
        {"key": "branding", "title": "设置品牌（Logo 与主题色）", "done": branded, "count": int(branded),
         "route": "/branding", "hint": "上传 Logo、设置主题色，车主和代理人看到的就是您的品牌"},
        {"key": "tiers", "title": "建立分销层级", "done": tiers > 0, "count": tiers, "route": "/tiers",
         "hint": "如 区域经理 > 团队长 > 代理人"},
        {"key": "insurers", "title": "启用合作保险公司", "done": insurers > 0, "count": insurers,
         "route": "/insurers", "hint": "选择合作的保险公司并设置手续费"},
        {"key": "agents", "title": "添加第一批代理人", "done": agents > 0, "count": agents, "route": "/agents",
         "hint": "逐个添加或用 Excel 批量导入"},
    ]  # fmt: skip
