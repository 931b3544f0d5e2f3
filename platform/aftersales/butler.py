"""Service orders as 客户管家 activities: when the customer's car was serviced and what it cost
(runs in a tenant's schema; the orders are shared rows filtered on the tenant)."""

from collections.abc import Iterable
from decimal import Decimal

from aftersales.models import OrderState, ServiceOrder
from core.tenancy import current_tenant_id
from customers.butler import Activity, activity_source

DONE = (OrderState.COMPLETED, OrderState.SETTLED, OrderState.REVIEWED)


@activity_source
def service_visits() -> Iterable[Activity]:
    rows = ServiceOrder.objects.filter(tenant_id=current_tenant_id(), state__in=DONE).values_list(
        "customer_id", "created_at", "service", "settled_amount"
    )
    for customer_id, created_at, service, total in rows:
        yield Activity(customer_id=customer_id, kind="service", on=created_at.date(), category=service,
                       amount=total or Decimal("0"))  # fmt: skip
