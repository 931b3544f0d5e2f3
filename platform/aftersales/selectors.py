"""Who sees which service orders. A shop sees its own; on a tenant's host, the owner sees theirs,
an agent their (and their downline's) customers', the tenant's admins all of the tenant's; an
insurer's staff see the orders that are its claims. Purchase prices: the shop and the insurer only
(``sees_purchase_prices``)."""

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from aftersales.models import ServiceItem, ServiceOrder
from aftersales.services import APPROVED_ITEM

TENANT_WIDE_ROLES = {"tenant_admin", "finance"}

# Who is shown the purchase prices (采购价, 采购成本) of an order's items: the shop (its own) and
# the insurer (its claims, to control claim cost). The owner, the agent and the tenant's staff
# follow items, sale prices and progress only (DOMAIN: "Nobody else sees them").
PURCHASE_PRICE_VIEWERS = frozenset({"shop", "insurer"})
PURCHASE_PRICE_ORDER_FIELDS = ("cost_total",)
PURCHASE_PRICE_ITEM_FIELDS = ("unit_cost", "cost_amount")


def sees_purchase_prices(viewer: str) -> bool:
    """``viewer`` is who the response is for: owner, staff (agent / tenant admin / finance), shop
    or insurer."""
    return viewer in PURCHASE_PRICE_VIEWERS


def orders_for_tenant_user(*, user: User, roles: set[str], tenant_id: int) -> QuerySet[ServiceOrder]:
    """On a tenant's host (the connection is on its schema, so the customer scope applies)."""
    from customers.selectors import customers_visible

    orders = ServiceOrder.objects.filter(tenant_id=tenant_id)
    if roles & TENANT_WIDE_ROLES:
        return orders
    if "agent" in roles:
        # The customer ids first, then the orders: a list, not a subquery. The orders are a public
        # table and the customers the tenant's own; on a Citus cluster one query joining the two
        # makes Citus copy the public tables (every tenant's orders and items) to the tenant's worker
        # as subqueries, where with_totals' GROUP BY the order's id no longer covers its other
        # columns and fails (docs/scaling.md, "Public and tenant tables in one query").
        mine = list(customers_visible(user=user, roles={"agent"}).values_list("pk", flat=True))
        return orders.filter(customer_id__in=mine)
    if "owner" in roles:
        return orders.filter(owner=user)
    return orders.none()


def orders_for_shop(*, shop_id: int) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(shop_id=shop_id)


def claims_for_insurer(*, insurer_id: int) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(insurer_id=insurer_id)


def with_totals(orders: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    money: DecimalField = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal("0.00"), output_field=money)
    return (
        orders.select_related("shop", "insurer")
        .annotate(
            quoted_total=Coalesce(Sum("items__amount"), zero),
            cost_total=Coalesce(Sum("items__cost_amount"), zero),
            item_count=Count("items"),
        )
        .order_by("-created_at", "-id")
    )


def claim_cost_stats(*, insurer_id: int) -> dict[str, Any]:
    """Claim cost control for an insurer: per shop, what its claims cost (approved items, sale and
    purchase); per part and shop, the average purchase price against the average over every shop
    that repaired this insurer's claims — where a shop buys dearer than the others shows."""
    items = ServiceItem.objects.filter(APPROVED_ITEM, order__insurer_id=insurer_id)
    per_shop = list(
        items.values(shop_id=F("order__shop_id"), shop_name=F("order__shop__name"))
        .annotate(
            orders=Count("order", distinct=True),
            amount=Sum("amount"),
            cost=Sum("cost_amount"),
        )
        .order_by("-amount", "shop_id")
    )
    parts = items.filter(kind="part")
    overall = {
        row["name"]: row["avg_cost"]
        for row in parts.values("name").annotate(avg_cost=Sum("cost_amount") / Sum("quantity"))
    }
    per_part = []
    for row in (
        parts.values("name", shop_id=F("order__shop_id"), shop_name=F("order__shop__name"))
        .annotate(quantity=Sum("quantity"), cost=Sum("cost_amount"), avg_unit=Avg("unit_cost"))
        .order_by("name", "shop_id")
    ):
        shop_avg = (row["cost"] / row["quantity"]).quantize(Decimal("0.01"))
        all_avg = Decimal(overall[row["name"]]).quantize(Decimal("0.01"))
        per_part.append(
            {
                "name": row["name"],
                "shop_id": row["shop_id"],
                "shop_name": row["shop_name"],
                "quantity": row["quantity"],
                "cost": row["cost"],
                "shop_avg_unit_cost": shop_avg,
                "all_shops_avg_unit_cost": all_avg,
                "vs_average_pct": ((shop_avg - all_avg) / all_avg * 100).quantize(Decimal("0.1"))
                if all_avg
                else Decimal("0.0"),
            }
        )
    return {"shops": per_shop, "parts": per_part}
