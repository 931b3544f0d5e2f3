"""Plan limits as a declared service: the apps that create agents, customers or files ask here, and
the subscriptions app (which knows the plans) answers.

``subscriptions`` registers its checks when Django starts (``SubscriptionsConfig.ready``), so an app
that has to respect a limit depends on this module only, not on subscriptions, and subscriptions can
depend on tenants without a cycle (tenants checks the storage limit before a branding upload). With no
checks registered nothing is limited, which is also the rule for a tenant without a subscription."""

from typing import Literal, Protocol

PlanLimit = Literal["agents", "customers"]


class LimitChecks(Protocol):
    def plan_limit_check(self, *, limit: PlanLimit, adding: int) -> None: ...

    def storage_limit_check(self, *, schema_name: str, adding_bytes: int) -> None: ...


_checks: LimitChecks | None = None


def limit_checks_register(checks: LimitChecks) -> None:
    """Called once by the app that owns the plans."""
    global _checks
    _checks = checks


def plan_limit_check(*, limit: PlanLimit, adding: int = 1) -> None:
    """Refuse (402 ``plan_limit_reached``, naming the limit and the plan) when adding ``adding`` more
    agents or customers in the current tenant would go past its plan's limit."""
    if _checks is not None:
        _checks.plan_limit_check(limit=limit, adding=adding)


def storage_limit_check(*, schema_name: str, adding_bytes: int) -> None:
    """Refuse an upload (402 ``plan_limit_reached``) that would take the tenant past its plan's storage."""
    if _checks is not None:
        _checks.storage_limit_check(schema_name=schema_name, adding_bytes=adding_bytes)
