"""Plan limits, checked where agents and customers are created (and before an Excel import).

A tenant without a subscription (created by the platform admin or the demo seed) has no limits."""

from django.db import connection

from core.errors import DomainError

LIMIT_LABELS = {"agents": "代理人数", "customers": "客户数", "storage_mb": "存储空间（MB）"}


class PlanLimitReached(DomainError):
    status_code = 402
    default_code = "plan_limit_reached"
    default_message = "已达到当前套餐的上限，请升级套餐"


def _usage(limit: str) -> int:
    # Imported here: the tenant apps call this module from their services.
    if limit == "agents":
        from network.models import Distributor, DistributorKind

        return Distributor.objects.filter(kind=DistributorKind.AGENT).count()
    from customers.models import Customer

    return Customer.objects.count()


def plan_limit_check(*, limit: str, adding: int = 1) -> None:
    """Refuse (402 ``plan_limit_reached``, naming the limit and the plan) when adding ``adding``
    more agents or customers in the current tenant would go past its plan's limit."""
    from subscriptions.models import Subscription

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
