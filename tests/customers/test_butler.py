"""客户管家: tags learnt from what the customer did, with the evidence behind each."""

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from customers.butler import Activity, preferences_from, preferences_recompute
from customers.models import Preference
from customers.services import customer_create, follow_up_record
from tests.conftest import person


def a(kind: str, on: str, **kw) -> Activity:
    return Activity(customer_id=1, kind=kind, on=date.fromisoformat(on), **kw)


def test_an_insurer_chosen_in_most_policies_becomes_a_preference() -> None:
    tags = preferences_from(
        [
            a("policy", "2024-03-01", insurer="平安"),
            a("policy", "2025-03-01", insurer="平安"),
            a("policy", "2026-03-01", insurer="人保"),
        ]
    )
    assert [(t.key, t.label, t.evidence) for t in tags] == [
        ("insurer:平安", "偏好平安", "3 次投保中 2 次为平安")
    ]
    assert tags[0].weight == Decimal(2) / 3
    # One policy is not a habit; a split without a majority is not a preference either.
    assert preferences_from([a("policy", "2026-01-01", insurer="平安")]) == []
    assert (
        preferences_from(
            [a("quote", "2026-01-01", insurer="平安"), a("quote", "2026-01-02", insurer="人保")] * 1
        )
        == []
    )


def test_purchases_service_cadence_and_spend() -> None:
    tags = {
        t.key: t
        for t in preferences_from(
            [
                a("purchase", "2026-01-05", category="机油", amount=Decimal("399")),
                a("purchase", "2026-07-05", category="机油", amount=Decimal("399")),
                a("purchase", "2026-02-01", category="贴膜", amount=Decimal("2800")),
                a("service", "2025-01-10", amount=Decimal("600")),
                a("service", "2025-07-12", amount=Decimal("650")),
                a("service", "2026-01-09", amount=Decimal("700")),
            ]
        )
    }
    assert tags["buys:机油"].label == "常购机油" and "贴膜" not in str(list(tags))
    assert tags["service:cadence"].label == "约每6个月保养"
    assert tags["service:cadence"].evidence == "3 次到店，间隔中位数 182 天"
    assert tags["value:high"].evidence == "商品与服务消费合计 5548.00 元"


@pytest.mark.django_db
def test_recompute_learns_the_contact_channel_from_follow_ups_and_replaces_old_tags(datang) -> None:
    with schema_context("datang"):
        customer = customer_create(actor=None, name="褚九", mobile="13800138009")
        admin = person("datang_admin")
        for channel in ("wechat", "wechat", "phone"):
            follow_up_record(actor=admin, customer=customer, channel=channel, content="沟通续保")
        assert preferences_recompute() == 1
        tag = Preference.objects.get(customer=customer)
        assert (tag.label, tag.evidence) == ("偏好微信沟通", "3 次跟进中 2 次用微信")
        follow_up_record(actor=admin, customer=customer, channel="phone", content="电话回访")
        follow_up_record(actor=admin, customer=customer, channel="phone", content="电话回访")
        preferences_recompute()
        assert list(Preference.objects.filter(customer=customer).values_list("label", flat=True)) == [
            "偏好电话沟通"
        ]
    with schema_context("bowei"):
        assert Preference.objects.count() == 0
