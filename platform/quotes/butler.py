"""Quotes and policies as 客户管家 activities: which insurer the customer chose, and bought."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Min, Sum

from customers.butler import Activity, activity_source
from directory.models import Insurer
from quotes.models import Policy, Quote


def _short_names() -> dict[int, str]:
    return dict(Insurer.objects.values_list("pk", "short_name"))


@activity_source
def quote_choices() -> Iterable[Activity]:
    """Each quote the customer chose an option on (accepted), with that option's insurer."""
    names = _short_names()
    rows = Quote.objects.filter(chosen_option__isnull=False).values_list(
        "customer_id", "created_at", "chosen_option__insurer_id", "premium"
    )
    for customer_id, created_at, insurer_id, premium in rows:
        yield Activity(
            customer_id=customer_id,
            kind="quote",
            on=created_at.date(),
            insurer=names.get(insurer_id, ""),
            amount=premium,
        )


@activity_source
def policies_bought() -> Iterable[Activity]:
    """One activity per purchase (a quote's 交强险 and 商业险 policies are one purchase)."""
    names = _short_names()
    rows = (
        Policy.objects.values("quote_id", "customer_id", "insurer_id")
        .annotate(on=Min("issued_at"), amount=Sum("premium"))
        .order_by("quote_id")
    )
    for row in rows:
        yield Activity(
            customer_id=row["customer_id"],
            kind="policy",
            on=row["on"].date(),
            insurer=names.get(row["insurer_id"], ""),
            amount=row["amount"] or Decimal("0"),
        )
