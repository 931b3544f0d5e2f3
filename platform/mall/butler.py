"""Mall purchases as 客户管家 activities: what the customer buys, and how much they spend."""

from collections.abc import Iterable

from customers.butler import Activity, activity_source
from mall.models import OrderItem, OrderStatus

BOUGHT = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED)


@activity_source
def mall_purchases() -> Iterable[Activity]:
    rows = OrderItem.objects.filter(order__status__in=BOUGHT, order__paid_at__isnull=False).values_list(
        "order__customer_id", "order__paid_at", "name", "amount"
    )
    for customer_id, paid_at, name, amount in rows:
        if paid_at is not None:
            yield Activity(
                customer_id=customer_id, kind="purchase", on=paid_at.date(), category=name, amount=amount
            )
