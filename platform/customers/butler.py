"""客户管家: preference tags learnt from what each customer did.

Activities come from sources that each part of the product registers (quotes and policies, mall
orders, service orders); this module turns them into tags with the evidence behind each. Follow-up
records are a source from the start: how the customer likes to be contacted.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from django.db import transaction
from django.utils import timezone

from customers.models import Customer, FollowUp, Preference


@dataclass(frozen=True)
class Activity:
    customer_id: int
    kind: str  # "quote", "policy", "purchase", "service", "contact"
    on: date
    insurer: str = ""
    category: str = ""
    amount: Decimal = Decimal("0")


@dataclass(frozen=True)
class Tag:
    key: str
    label: str
    evidence: str
    weight: Decimal


ActivitySource = Callable[[], Iterable[Activity]]
ACTIVITY_SOURCES: list[ActivitySource] = []


def activity_source(source: ActivitySource) -> ActivitySource:
    """Register a source of activities (a decorator)."""
    ACTIVITY_SOURCES.append(source)
    return source


@activity_source
def follow_up_activities() -> Iterable[Activity]:
    for customer_id, channel, created_at in FollowUp.objects.values_list(
        "customer_id", "channel", "created_at"
    ):
        yield Activity(customer_id=customer_id, kind="contact", on=created_at.date(), category=channel)


CHANNEL_LABELS = {"phone": "电话", "wechat": "微信", "visit": "面谈", "sms": "短信"}


def preferences_from(activities: Iterable[Activity]) -> list[Tag]:
    """Tags for one customer's activities. Thresholds: a habit needs two occurrences and, for a
    choice among several, at least half of the occurrences."""
    by_kind: dict[str, list[Activity]] = defaultdict(list)
    for activity in activities:
        by_kind[activity.kind].append(activity)
    tags: list[Tag] = []

    bought = by_kind["policy"] or by_kind["quote"]
    insurers = Counter(a.insurer for a in bought if a.insurer)
    if insurers:
        insurer, n = insurers.most_common(1)[0]
        total = sum(insurers.values())
        if n >= 2 and n * 2 >= total:
            source = "投保" if by_kind["policy"] else "报价选择"
            tags.append(
                Tag(
                    f"insurer:{insurer}",
                    f"偏好{insurer}",
                    f"{total} 次{source}中 {n} 次为{insurer}",
                    Decimal(n) / total,
                )
            )

    for category, n in Counter(a.category for a in by_kind["purchase"] if a.category).most_common():
        if n >= 2:
            tags.append(Tag(f"buys:{category}", f"常购{category}", f"购买{category} {n} 次", Decimal(n)))

    services = sorted(a.on for a in by_kind["service"])
    if len(services) >= 2:
        gaps = [(b - a).days for a, b in zip(services, services[1:], strict=False)]
        months = max(1, round(median(gaps) / 30.4))
        tags.append(
            Tag(
                "service:cadence",
                f"约每{months}个月保养",
                f"{len(services)} 次到店，间隔中位数 {median(gaps):.0f} 天",
                Decimal(len(services)),
            )
        )

    spend = sum((a.amount for a in by_kind["purchase"] + by_kind["service"]), Decimal("0"))
    if spend >= Decimal("5000"):
        tags.append(Tag("value:high", "高消费客户", f"商品与服务消费合计 {spend:.2f} 元", spend / 1000))

    channels = Counter(a.category for a in by_kind["contact"] if a.category in CHANNEL_LABELS)
    if channels:
        channel, n = channels.most_common(1)[0]
        if n >= 2 and n * 2 > sum(channels.values()):
            label = CHANNEL_LABELS[channel]
            tags.append(
                Tag(
                    f"contact:{channel}",
                    f"偏好{label}沟通",
                    f"{sum(channels.values())} 次跟进中 {n} 次用{label}",
                    Decimal(n),
                )
            )
    return tags


@transaction.atomic
def preferences_recompute() -> int:
    """Replace every customer's tags with fresh ones from all sources. Returns the number of tags."""
    per_customer: dict[int, list[Activity]] = defaultdict(list)
    for source in ACTIVITY_SOURCES:
        for activity in source():
            per_customer[activity.customer_id].append(activity)
    now = timezone.now()
    rows = [
        Preference(
            customer_id=customer_id,
            key=t.key,
            label=t.label,
            evidence=t.evidence,
            weight=round(t.weight, 2),
            computed_at=now,
        )
        for customer_id, activities in per_customer.items()
        for t in preferences_from(activities)
    ]
    existing = set(Customer.objects.filter(pk__in=per_customer).values_list("pk", flat=True))
    Preference.objects.all().delete()
    Preference.objects.bulk_create([r for r in rows if r.customer_id in existing])
    return len(rows)
