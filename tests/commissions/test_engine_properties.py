"""For random chains, plans and sales: every amount is positive, the entries of a sale never add up
to more than the commission the tenant received for it, and a full cancellation nets each
beneficiary (and the sale) to exactly zero."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissions.engine import entries_for_policies, reverse_policy_entries
from commissions.models import Entry
from tests.commissions.conftest import TIERS, make_plan, sell

pytestmark = pytest.mark.django_db

rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.3"), places=4)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scheme=st.sampled_from(["per_level", "differential"]),
    level_rates=st.lists(rates, min_size=5, max_size=5),
    seller_index=st.integers(min_value=0, max_value=4),
    premium=money,
    received_rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.4"), places=4),
    caps=st.lists(st.one_of(st.none(), money), min_size=5, max_size=5),
)
def test_entries_never_exceed_what_the_tenant_received_and_reverse_to_zero(
    chain, scheme, level_rates, seller_index, premium, received_rate, caps
) -> None:
    with schema_context("datang"), transaction.atomic():
        if scheme == "per_level":
            rules = [
                {"line": "commercial", "distance": d, "rate": r, "cap": c}
                for d, (r, c) in enumerate(zip(level_rates, caps, strict=True))
            ]
        else:  # tiers from the seller's (专员) up to the top's (总监)
            rules = [
                {"line": "commercial", "tier": name, "rate": r, "cap": c}
                for name, r, c in zip(reversed(TIERS), level_rates, caps, strict=True)
            ]
        plan = make_plan(chain, scheme=scheme, rules=rules)
        seller = chain.levels[seller_index]
        policy = sell(seller, premium=str(premium), rate=str(received_rate))
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        entries = list(Entry.objects.filter(source_id=policy.pk))
        received = (premium * received_rate).quantize(Decimal("0.01"))
        assert all(e.amount > 0 for e in entries)
        assert sum((e.amount for e in entries), Decimal(0)) <= received
        assert len({e.distributor_id for e in entries}) == len(entries) <= 5 - seller_index
        reverse_policy_entries(policy_id=policy.pk, refund_amount=premium, premium=premium, at=timezone.now(),
                               reason="退保")  # fmt: skip
        by_person: dict[int, Decimal] = {}
        for e in Entry.objects.filter(source_id=policy.pk):
            by_person[e.distributor_id] = by_person.get(e.distributor_id, Decimal(0)) + e.amount
        assert set(by_person.values()) <= {Decimal(0)}
        transaction.set_rollback(True)
