"""Plan limits, checked where agents and customers are created (and before an Excel import) and
before an upload. The other apps call them through ``core.limits`` (the declared service);
``SubscriptionsConfig.ready`` registers ``LIMIT_CHECKS`` there.

A tenant without a subscription (created by the platform admin or the demo seed) has no limits."""

from pathlib import Path

from django.conf import settings
from django.db import connection

from core.errors import DomainError
from customers.models import Customer
from network.models import Distributor, DistributorKind
from subscriptions.models import Subscription

LIMIT_LABELS = {"agents": "代理人数", "customers": "客户数", "storage_mb": "存储空间（MB）"}


class PlanLimitReached(DomainError):
    status_code = 402
    default_code = "plan_limit_reached"
    default_message = "已达到当前套餐的上限，请升级套餐"


def _usage(limit: str) -> int:
    if limit == "agents":
        return Distributor.objects.filter(kind=DistributorKind.AGENT).count()
    return Customer.objects.count()


def plan_limit_check(*, limit: str, adding: int = 1) -> None:
    """Refuse (402 ``plan_limit_reached``, naming the limit and the plan) when adding ``adding``
    more agents or customers in the current tenant would go past its plan's limit."""
    schema = getattr(connection, "schema_name", "public")
    if schema == "public" or adding <= 0:
        return
    sub = Subscription.objects.select_related("plan").filter(tenant__schema_name=schema).first()
    if sub is None:
        return
    cap = int(getattr(sub.plan, f"max_{limit}"))
    if not cap:
        return
    used = _usage(limit)
    if used + adding > cap:
        label = LIMIT_LABELS[limit]
        raise PlanLimitReached(
            f"已达到套餐“{sub.plan.name}”的{label}上限 {cap}（当前 {used}，本次新增 {adding}），请升级套餐后再试",
            fields={"limit": [limit], "plan": [sub.plan.code]},
        )


def media_bytes(schema_name: str) -> int:
    """The bytes of the files a tenant uploaded (product images, branding, attachments): everything
    under ``tenants/<schema>/`` in the media storage."""
    root = Path(settings.MEDIA_ROOT) / "tenants" / schema_name
    return sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) if root.is_dir() else 0


def database_bytes(schema_name: str) -> int:
    """The tenant schema's tables and indexes, from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND c.relkind IN ('r', 'm')""",
            [schema_name],
        )
        return int(cursor.fetchone()[0])


def storage_limit_check(*, schema_name: str, adding_bytes: int) -> None:
    """Refuse an upload (402 ``plan_limit_reached``, naming the storage limit and the plan) that would
    take the tenant past its plan's storage: its database plus its files plus this upload."""
    sub = Subscription.objects.select_related("plan").filter(tenant__schema_name=schema_name).first()
    cap_mb = int(sub.plan.max_storage_mb) if sub is not None else 0
    if not cap_mb:
        return
    used = database_bytes(schema_name) + media_bytes(schema_name)
    if used + adding_bytes > cap_mb * 1024 * 1024:
        mb = 1024 * 1024
        raise PlanLimitReached(
            f"已达到套餐“{sub.plan.name}”的{LIMIT_LABELS['storage_mb']}上限 {cap_mb}（当前约 {used / mb:.1f} MB，"  # type: ignore[union-attr]
            f"本次上传 {adding_bytes / mb:.1f} MB），请升级套餐或删除不用的文件",
            fields={"limit": ["storage_mb"], "plan": [sub.plan.code]},  # type: ignore[union-attr]
        )


class _LimitChecks:
    """The checks above, as ``core.limits.LimitChecks``."""

    def plan_limit_check(self, *, limit: str, adding: int) -> None:
        plan_limit_check(limit=limit, adding=adding)

    def storage_limit_check(self, *, schema_name: str, adding_bytes: int) -> None:
        storage_limit_check(schema_name=schema_name, adding_bytes=adding_bytes)


LIMIT_CHECKS = _LimitChecks()
