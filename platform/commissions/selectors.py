"""Reads of the ledger: an agent's income (每一分利益可见), statements, and performance (业绩)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from commissions.models import Entry, Period, PeriodStatus, Rule, Statement, StatementStatus
from network.models import NetworkPath
from quotes.models import Policy

RATE_KIND_TEXT = {"percent": "比例", "fixed": "固定金额"}


def entries_with_state(rows: QuerySet[Entry]) -> QuerySet[Entry]:
    return rows.select_related(
        "period", "rule__tier", "rule__plan", "rule__insurer", "campaign", "distributor"
    )


def statement_status_by(entries: list[Entry]) -> dict[tuple[int, int], str]:
    keys = {(e.period_id, e.distributor_id) for e in entries}
    if not keys:
        return {}
    periods = {k[0] for k in keys}
    people = {k[1] for k in keys}
    rows = Statement.objects.filter(period_id__in=periods, distributor_id__in=people)
    return {(s.period_id, s.distributor_id): s.status for s in rows}


def entry_state(entry: Entry, statuses: dict[tuple[int, int], str]) -> str:
    """pending (month open) -> confirmed (month closed) -> settled (its statement paid)."""
    if entry.period.status != PeriodStatus.CLOSED:
        return "pending"
    paid = statuses.get((entry.period_id, entry.distributor_id)) == StatementStatus.PAID
    return "settled" if paid else "confirmed"


def rule_text(rule: Rule | None) -> str:
    if rule is None:
        return ""
    who = (
        f"职级「{rule.tier.name}」累计"
        if rule.tier
        else "推荐车主累计"
        if rule.referrer
        else ("销售本人" if rule.distance == 0 else f"上 {rule.distance} 级")
    )
    what = (
        f"{rule.rate * 100:.2f}".rstrip("0").rstrip(".") + "%"
        if rule.rate_kind == "percent"
        else f"{rule.amount} 元"
    )
    insurer = f"·{rule.insurer.short_name}" if rule.insurer else ""
    cap = f"，单笔封顶 {rule.cap}" if rule.cap is not None else ""
    return f"{rule.plan.name}：{rule.get_line_display()}{insurer} {who} {what}{cap}"


def income_summary(*, distributor_id: int) -> list[dict[str, Any]]:
    """By month, newest first: totals per kind, the month's state and the statement's."""
    rows = (
        Entry.objects.filter(distributor_id=distributor_id)
        .values("period_id", "kind")
        .annotate(total=Sum("amount"), count=Count("id"))
    )
    by_period: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"totals": {}, "count": 0, "total": Decimal(0)}
    )
    for row in rows:
        item = by_period[row["period_id"]]
        item["totals"][row["kind"]] = row["total"]
        item["count"] += row["count"]
        item["total"] += row["total"]
    periods = {p.pk: p for p in Period.objects.filter(pk__in=list(by_period))}
    statements = {
        s.period_id: s
        for s in Statement.objects.filter(distributor_id=distributor_id, period_id__in=list(by_period))
    }
    result = []
    for pk, item in by_period.items():
        period = periods[pk]
        statement = statements.get(pk)
        result.append(
            {
                "period": period,
                "totals": item["totals"],
                "total": item["total"],
                "count": item["count"],
                "statement_id": statement.pk if statement else None,
                "statement_status": statement.status if statement else None,
            }
        )
    return sorted(result, key=lambda r: (r["period"].year, r["period"].month), reverse=True)


def performance(*, distributor_ids: list[int] | None, start: date, end: date) -> list[dict[str, Any]]:
    """业绩: per seller and month, policies, premium and the commission they earned themselves."""
    policies = Policy.objects.filter(
        issued_at__date__gte=start, issued_at__date__lt=end, promoter__isnull=False
    )
    entries = Entry.objects.filter(sale_at__date__gte=start, sale_at__date__lt=end)
    if distributor_ids is not None:
        policies = policies.filter(promoter_id__in=distributor_ids)
        entries = entries.filter(distributor_id__in=distributor_ids)
    rows: dict[tuple[int, str], dict[str, Any]] = {}

    def row(pk: int, month: str, name: str) -> dict[str, Any]:
        return rows.setdefault(
            (pk, month),
            {"distributor_id": pk, "name": name, "month": month, "policies": 0,
             "premium": Decimal("0.00"), "commission": Decimal("0.00")},
        )  # fmt: skip

    for p in (
        policies.annotate(month=TruncMonth("issued_at"))
        .values("promoter_id", "promoter__name", "month")
        .annotate(n=Count("id", filter=Q(status="active")), premium=Sum("premium", filter=Q(status="active")))
    ):
        r = row(p["promoter_id"], p["month"].strftime("%Y-%m"), p["promoter__name"])
        r["policies"], r["premium"] = p["n"], p["premium"] or Decimal("0.00")
    for e in (
        entries.annotate(month=TruncMonth("sale_at"))
        .values("distributor_id", "distributor__name", "month")
        .annotate(total=Sum("amount"))
    ):
        row(e["distributor_id"], e["month"].strftime("%Y-%m"), e["distributor__name"])["commission"] = e[
            "total"
        ]
    return sorted(rows.values(), key=lambda r: (r["month"], -r["premium"]))


def team_ids(distributor_id: int) -> list[int]:
    return list(
        NetworkPath.objects.filter(ancestor_id=distributor_id, valid_to__isnull=True).values_list(
            "descendant_id", flat=True
        )
    )
