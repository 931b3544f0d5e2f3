"""A five-level Datang chain for the commission tests (top 总监 … seller 专员), and ``sell`` to
write an issued policy straight into the tables, as the quote flow would have."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from commissions.models import Plan
from commissions.services import plan_save
from customers.models import Customer, Vehicle
from directory.models import Insurer
from network.models import Distributor, NetworkPath
from network.services import agent_create, tier_create
from quotes.models import Policy, Quote, QuoteOption

TIERS = ["佣金总监", "佣金经理", "佣金主管", "佣金组长", "佣金专员"]  # ranks 11 (top) … 15 (seller)
SINCE = datetime(2026, 1, 1, tzinfo=timezone.get_default_timezone())
_serial = count(1)


@dataclass
class Chain:
    levels: list[Distributor]  # the seller first, the top last
    tiers: dict[str, int]  # tier name -> id

    @property
    def seller(self) -> Distributor:
        return self.levels[0]


@pytest.fixture
def chain(datang) -> Chain:
    with schema_context("datang"):
        tiers = {name: tier_create(actor=None, name=name, rank=11 + i).pk for i, name in enumerate(TIERS)}
        parent = None
        levels = []
        for i, name in enumerate(TIERS):
            agent = agent_create(
                actor=None, name=f"{name}{i}", mobile=f"1365557{i:04d}", licence_no=f"C-{i}",
                tier_id=tiers[name], parent_id=parent.pk if parent else None,
            )  # fmt: skip
            levels.append(agent)
            parent = agent
        # The chain has stood since January, so sales dated earlier in the year find it.
        NetworkPath.objects.filter(descendant__in=levels).update(valid_from=SINCE)
        return Chain(levels=list(reversed(levels)), tiers=tiers)


def make_plan(chain: Chain, *, scheme: str, rules: list[dict], mode: str = "cross_level", **extra) -> Plan:
    """Rules name tiers by name (differential) or distances (per level); ``rate`` as a string."""
    for rule in rules:
        if "tier" in rule and isinstance(rule["tier"], str):
            rule["tier"] = chain.tiers[rule["tier"]]
        for key in ("rate", "amount", "cap"):
            if isinstance(rule.get(key), str):
                rule[key] = Decimal(rule[key])
    plan = plan_save(actor=None, name=extra.pop("name", f"方案{next(_serial)}"), scheme=scheme,
                     settlement_mode=mode, rules=rules, **extra)  # fmt: skip
    plan.in_force = True
    plan.save()
    return plan


def sell(
    seller: Distributor,
    *,
    line: str = "commercial",
    premium: str = "1000.00",
    rate: str = "0.25",
    insurer: str = "PICC",
    at: datetime | None = None,
    region: str = "广东",
) -> Policy:
    """An issued policy sold by ``seller`` (call inside the tenant's schema)."""
    n = next(_serial)
    at = at or timezone.now()
    customer = Customer.objects.create(
        name=f"买家{n}", mobile=f"1377{n:07d}", promoter=seller, registered_on=at.date()
    )
    vehicle = Vehicle.objects.create(customer=customer, plate=f"粤B9{n:04d}")
    insurer_row = Insurer.objects.get(code=insurer)
    amount = Decimal(premium)
    quote = Quote.objects.create(
        number=f"QT{n:08d}", customer=customer, vehicle=vehicle, promoter=seller, plate=vehicle.plate,
        status="issued", channel="agent", region=region, vehicle_snapshot={}, history={}, coverages={},
        rated_on=at.date(), valid_until=at.date() + timedelta(days=7), premium=amount,
    )  # fmt: skip
    option = QuoteOption.objects.create(quote=quote, insurer=insurer_row, total=amount)
    return Policy.objects.create(
        quote=quote, option=option, insurer=insurer_row, customer=customer, vehicle=vehicle, promoter=seller,
        line=line, number=f"{insurer}T{n:010d}", premium=amount, commission_rate=Decimal(rate),
        starts_on=at.date() + timedelta(days=1), ends_on=at.date() + timedelta(days=365), issued_at=at,
    )  # fmt: skip


def on(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())
