"""The tenant admin's 工作台 figures in one read: premium by month and line, renewal rate, commission
cost ratio and open repairs, over the twelve months ending with the current one.

Definitions (the console shows them under each figure):
- premium: policies in force (退保 ones left out) by the month they were issued, per line;
- renewal rate: of the policies in force whose term ended in the window (ends_on from the window's
  first day to today), the share whose car got a later policy of the same line (renewed here);
- commission cost ratio: every ledger entry dated in the window (commissions, bonuses, adjustments,
  reversals included) over the window's premium;
- open repairs: the tenant's service orders not yet finished (申请 … 施工中), by state.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from quotes.models import Policy, PolicyLine, PolicyStatus

OPEN_REPAIR_STATES = ["requested", "accepted", "quoted", "approved", "in_progress"]


def window_months(today: date) -> list[str]:
    """The twelve months ending with today's, oldest first, as YYYY-MM."""
    out = []
    year, month = today.year, today.month
    for _ in range(12):
        out.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def tenant_dashboard(*, tenant_id: int, today: date | None = None) -> dict[str, Any]:
    """Call inside the tenant's schema; ``tenant_id`` scopes the shared service orders."""
    from aftersales.models import OrderState, ServiceOrder
    from commissions.models import Entry

    today = today or timezone.localdate()
    months = window_months(today)
    first = date(int(months[0][:4]), int(months[0][5:]), 1)
    tz = timezone.get_current_timezone()
    in_force = Policy.objects.filter(status=PolicyStatus.ACTIVE)

    sold = in_force.filter(issued_at__date__gte=first, issued_at__date__lte=today)
    cells: dict[tuple[str, str], Decimal] = {}
    for row in (
        sold.annotate(m=TruncMonth("issued_at", tzinfo=tz)).values("m", "line").annotate(total=Sum("premium"))
    ):
        cells[(row["m"].strftime("%Y-%m"), row["line"])] = row["total"]
    lines = [{"line": value, "label": str(label)} for value, label in PolicyLine.choices]
    by_month = [
        {
            "month": m,
            "by_line": {line["line"]: str(cells.get((m, line["line"]), Decimal("0.00"))) for line in lines},
            "total": str(
                sum((cells.get((m, line["line"]), Decimal("0")) for line in lines), Decimal("0.00"))
            ),
        }
        for m in months
    ]
    premium = sum(cells.values(), Decimal("0.00"))

    later = Policy.objects.filter(
        vehicle_id=OuterRef("vehicle_id"), line=OuterRef("line"), starts_on__gt=OuterRef("starts_on")
    )
    ended = in_force.filter(ends_on__gte=first, ends_on__lte=today)
    due, renewed = ended.count(), ended.filter(Exists(later)).count()

    commission = Entry.objects.filter(sale_at__date__gte=first, sale_at__date__lte=today).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0.00")

    repairs = (
        ServiceOrder.objects.filter(tenant_id=tenant_id, state__in=OPEN_REPAIR_STATES)
        .values("state")
        .annotate(n=Count("id"))
    )
    by_state = {r["state"]: r["n"] for r in repairs}
    labels = dict(OrderState.choices)
    return {
        "from_month": months[0],
        "to_month": months[-1],
        "lines": lines,
        "premium_by_month": by_month,
        "premium_total": str(premium),
        "renewal": {
            "due": due,
            "renewed": renewed,
            "rate": str((Decimal(renewed) / due).quantize(Decimal("0.0001"))) if due else None,
        },
        "commission": {
            "total": str(commission),
            "ratio": str((commission / premium).quantize(Decimal("0.0001"))) if premium else None,
        },
        "open_repairs": {
            "total": sum(by_state.values()),
            "by_state": [
                {"state": s, "label": str(labels[s]), "count": by_state.get(s, 0)} for s in OPEN_REPAIR_STATES
            ],
        },
    }
