"""Reads of quotes and policies. Who sees what follows the customers: tenant admins and finance
see every quote; an agent the quotes of customers promoted by them or their downline; an owner
their own."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from core.validators import normalize_plate
from customers.models import Customer
from customers.selectors import customer_scope
from quotes.models import Policy, Quote, QuoteChannel, QuoteOption, QuoteStatus

STAFF_ROLES = {"tenant_admin", "finance", "agent"}


def quotes_visible(*, user: User, roles: set[str]) -> QuerySet[Quote]:
    """An owner sees their own quotes once an agent has sent them (and those they made themselves),
    never an agent's draft still at 平台已报价."""
    rows = Quote.objects.filter(customer__in=Customer.objects.filter(customer_scope(user=user, roles=roles)))
    if not roles & STAFF_ROLES:
        rows = rows.exclude(Q(status=QuoteStatus.PLATFORM_QUOTED) & ~Q(channel=QuoteChannel.OWNER))
    return rows


def policies_visible(*, user: User, roles: set[str]) -> QuerySet[Policy]:
    return Policy.objects.filter(customer__in=Customer.objects.filter(customer_scope(user=user, roles=roles)))


def with_policies(rows: QuerySet[Quote]) -> QuerySet[Quote]:
    return rows.select_related("customer", "promoter", "vehicle", "chosen_option__insurer").prefetch_related(
        Prefetch("policies", queryset=Policy.objects.order_by("line"))
    )


def with_detail(rows: QuerySet[Quote]) -> QuerySet[Quote]:
    return with_policies(rows).prefetch_related(
        Prefetch(
            "options",
            queryset=QuoteOption.objects.select_related("insurer").order_by("rank", "insurer__sort"),
        ),
        "events",
    )


def quotes_for_list(
    *,
    user: User,
    roles: set[str],
    status: str = "",
    plate: str = "",
    customer: str = "",
    customer_id: int | None = None,
    vehicle_id: int | None = None,
    promoter: str = "",
    number: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
) -> QuerySet[Quote]:
    """报价管理: quote no, policy nos, customer, plate, status, promoter, premium, time. ``customer``
    matches the name or mobile; ``number`` a quote or policy number."""
    rows = quotes_visible(user=user, roles=roles)
    if status:
        rows = rows.filter(status__in=status.split(","))
    if plate:
        rows = rows.filter(plate__contains=normalize_plate(plate))
    if customer:
        rows = rows.filter(Q(customer__name__icontains=customer) | Q(customer__mobile__contains=customer))
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if vehicle_id:
        rows = rows.filter(vehicle_id=vehicle_id)
    if promoter:
        rows = rows.filter(Q(promoter__name__icontains=promoter) | Q(promoter__mobile__contains=promoter))
    if number:
        rows = rows.filter(
            Q(number__icontains=number)
            | Q(pk__in=Policy.objects.filter(number__icontains=number).values("quote_id"))
        )
    if created_from:
        rows = rows.filter(created_at__date__gte=created_from)
    if created_to:
        rows = rows.filter(created_at__date__lte=created_to)
    return with_policies(rows).order_by("-created_at", "-id")


def price_history(*, user: User, roles: set[str], customer_id: int) -> QuerySet[QuoteOption]:
    """价格管理: every insurer's price for one customer over time, newest first."""
    return (
        QuoteOption.objects.filter(
            quote__in=quotes_visible(user=user, roles=roles).filter(customer_id=customer_id), available=True
        )
        .select_related("insurer", "quote")
        .order_by("-quote__created_at", "rank")
    )
