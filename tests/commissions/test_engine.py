"""The commission engine with hand-computed numbers. The chain, seller first: 专员 (seller), 组长,
主管, 经理, 总监 (top). Unless a test says otherwise a sale is 商业险 1,000.00 on which the insurer
pays the tenant 25% (250.00 to share)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import user_create
from commissions import engine
from commissions.engine import entries_for_policies, reverse_policy_entries
from commissions.models import Entry, Period, Statement
from commissions.services import (
    adjustment_create,
    campaign_create,
    process_events,
    settlement_run_execute,
    settlement_start,
)
from core.errors import ValidationFailed
from core.events import emit
from network.models import NetworkPath
from network.services import customer_referrer_ensure, distributor_move
from tests.commissions.conftest import make_plan, on, sell

pytestmark = pytest.mark.django_db

DIFFERENTIAL = [  # cumulative rates by tier
    {"line": "commercial", "tier": "佣金专员", "rate": "0.08"},
    {"line": "commercial", "tier": "佣金组长", "rate": "0.10"},
    {"line": "commercial", "tier": "佣金主管", "rate": "0.15"},
    {"line": "commercial", "tier": "佣金经理", "rate": "0.18"},
    {"line": "commercial", "tier": "佣金总监", "rate": "0.20"},
    {"line": "ctpl", "tier": "佣金专员", "rate": "0.01"},
    {"line": "ctpl", "tier": "佣金组长", "rate": "0.015"},
    {"line": "ctpl", "tier": "佣金主管", "rate": "0.02"},
    {"line": "ctpl", "tier": "佣金经理", "rate": "0.03"},
    {"line": "ctpl", "tier": "佣金总监", "rate": "0.04"},
]
PER_LEVEL = [  # seller 8%, then 4%, 2%, 1%, 0.5% up the chain
    {"line": "commercial", "distance": d, "rate": r}
    for d, r in enumerate(["0.08", "0.04", "0.02", "0.01", "0.005"])
]


def amounts(policy) -> list[tuple[str, str]]:
    rows = Entry.objects.filter(source_id=policy.pk, reverses__isnull=True).order_by("level")
    return [(e.distributor.name, format(e.amount, "f")) for e in rows.select_related("distributor")]


def test_differential_each_level_earns_its_rate_above_the_one_below(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL])
        commercial = sell(chain.seller)
        ctpl = sell(chain.seller, line="ctpl", premium="950.00", rate="0.04")
        assert entries_for_policies(plan=plan, policy_ids=[commercial.pk, ctpl.pk]) == 10
        # 1000 × 8%, × (10−8)%, × (15−10)%, × (18−15)%, × (20−18)%
        assert amounts(commercial) == [
            ("佣金专员4", "80.00"), ("佣金组长3", "20.00"), ("佣金主管2", "50.00"), ("佣金经理1", "30.00"),
            ("佣金总监0", "20.00"),
        ]  # fmt: skip
        # 交强险 950 × 1%, 0.5%, 0.5%, 1%, 1% = 38.00: all of the tenant's 4%.
        assert amounts(ctpl) == [
            ("佣金专员4", "9.50"), ("佣金组长3", "4.75"), ("佣金主管2", "4.75"), ("佣金经理1", "9.50"),
            ("佣金总监0", "9.50"),
        ]  # fmt: skip
        manager = Entry.objects.get(source_id=commercial.pk, level=3)
        assert manager.formula == "商业险保费 1000.00 × (18% − 15%) = 30.00"
        assert (manager.basis, manager.rate) == (Decimal("1000.00"), Decimal("0.0300"))
        assert manager.path == [d.pk for d in reversed(chain.levels[3:])]  # top first, the manager last
        # Processing the same sales again writes nothing.
        assert entries_for_policies(plan=plan, policy_ids=[commercial.pk, ctpl.pk]) == 0


def test_a_sale_priced_meanwhile_by_another_transaction_gets_nothing_new(chain, monkeypatch) -> None:
    """The engine inserts plainly when the sales have no entries yet; a duplicate met anyway (the
    check said new, another transaction priced the sale in between) falls back to ON CONFLICT."""
    with schema_context("datang"):
        plan = make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL])
        policy, later = sell(chain.seller), sell(chain.seller, premium="1500.00")
        assert entries_for_policies(plan=plan, policy_ids=[policy.pk]) == 5
        monkeypatch.setattr(engine, "_any_priced", lambda *args: False)
        # Both again: the plain INSERT meets policy's entries, the retry writes later's five only.
        assert entries_for_policies(plan=plan, policy_ids=[policy.pk, later.pk]) == 5
        assert amounts(policy) == [
            ("佣金专员4", "80.00"), ("佣金组长3", "20.00"), ("佣金主管2", "50.00"), ("佣金经理1", "30.00"),
            ("佣金总监0", "20.00"),
        ]  # fmt: skip
        assert [a for _, a in amounts(later)] == ["120.00", "30.00", "75.00", "45.00", "30.00"]


def test_per_level_share_over_five_levels(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL])
        policy = sell(chain.seller, premium="751.17")
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        # 751.17 × 8% = 60.0936, × 4% = 30.0468, × 2% = 15.0234, × 1% = 7.5117, × 0.5% = 3.75585
        assert [a for _, a in amounts(policy)] == ["60.09", "30.05", "15.02", "7.51", "3.76"]
        assert Entry.objects.get(source_id=policy.pk, level=0).formula == "商业险保费 751.17 × 8% = 60.09"


def test_the_chain_never_gets_more_than_the_tenant_received(chain) -> None:
    with schema_context("datang"):
        rules = [
            {"line": "commercial", "distance": 0, "rate": "0.20"},
            {"line": "commercial", "distance": 1, "rate": "0.10"},
            {"line": "commercial", "distance": 2, "rate": "0.02"},
        ]
        plan = make_plan(chain, scheme="per_level", rules=rules)
        policy = sell(chain.seller)  # 250.00 received
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        assert [a for _, a in amounts(policy)] == ["200.00", "50.00"]  # the parent gets what is left
        assert (
            "本单手续费 250.00 已分完，实得 50.00" in Entry.objects.get(source_id=policy.pk, level=1).formula
        )


def test_a_rules_cap_and_an_insurers_own_rule(chain) -> None:
    with schema_context("datang"):
        picc = __import__("directory.models", fromlist=["Insurer"]).Insurer.objects.get(code="PICC").pk
        rules = [
            {"line": "commercial", "distance": 0, "rate": "0.10", "cap": "60"},
            {"line": "commercial", "distance": 0, "rate": "0.12", "insurer": picc},
            {"line": "commercial", "distance": 1, "rate": "0.03"},
        ]
        plan = make_plan(chain, scheme="per_level", rules=rules)
        pingan, picc_sale = sell(chain.seller, insurer="PINGAN"), sell(chain.seller, insurer="PICC")
        entries_for_policies(plan=plan, policy_ids=[pingan.pk, picc_sale.pk])
        assert [a for _, a in amounts(pingan)] == ["60.00", "30.00"]  # 100.00 capped at 60
        assert [a for _, a in amounts(picc_sale)] == ["120.00", "30.00"]  # PICC's own 12%, no cap


@pytest.mark.parametrize(
    ("scheme", "rules", "message"),
    [
        ("per_level", [{"line": "ctpl", "distance": 0, "rate": "0.03"}, {"line": "ctpl", "distance": 1, "rate": "0.015"}],
         "4.5%"),
        ("differential", [{"line": "ctpl", "tier": "佣金专员", "rate": "0.02"}, {"line": "ctpl", "tier": "佣金总监", "rate": "0.045"}],
         "4.5%"),
    ],
)  # fmt: skip
def test_a_plan_paying_more_than_4_percent_on_ctpl_is_refused(chain, scheme, rules, message) -> None:
    with schema_context("datang"):
        with pytest.raises(ValidationFailed) as refused:
            make_plan(chain, scheme=scheme, rules=rules)
        (field, messages), *_ = refused.value.fields.items()
        assert field.startswith("rules.") and field.endswith(".rate") and message in messages[0]


def _settle(day: date) -> Period:
    period = Period.objects.get(year=day.year, month=day.month)
    run = settlement_start(actor=None, period=period, today=date(2026, 12, 31))
    assert settlement_run_execute(run.pk).status == "done"
    return Period.objects.get(pk=period.pk)


def statements(period: Period) -> dict[str, tuple[str, str, str]]:
    rows = Statement.objects.filter(period=period).select_related("distributor")
    return {
        s.distributor.name: (format(s.earned, "f"), format(s.receivable, "f"), format(s.payable, "f"))
        for s in rows
    }


@pytest.mark.parametrize("mode", ["cross_level", "same_level"])
def test_same_and_cross_level_settlement_same_earnings_different_payers(chain, mode) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL], mode=mode)
        day = date(2026, 10, 12)
        entries_for_policies(
            plan=plan, policy_ids=[sell(chain.seller, at=on(day)).pk], today=date(2026, 11, 25)
        )
        period = _settle(day)
        got = statements(period)
        if mode == "cross_level":  # the tenant pays everyone their own
            assert got == {
                "佣金专员4": ("80.00", "80.00", "0.00"), "佣金组长3": ("20.00", "20.00", "0.00"),
                "佣金主管2": ("50.00", "50.00", "0.00"), "佣金经理1": ("30.00", "30.00", "0.00"),
                "佣金总监0": ("20.00", "20.00", "0.00"),
            }  # fmt: skip
        else:  # the tenant pays the top 200; each level keeps its own and passes the rest down
            assert got == {
                "佣金总监0": ("20.00", "200.00", "180.00"), "佣金经理1": ("30.00", "180.00", "150.00"),
                "佣金主管2": ("50.00", "150.00", "100.00"), "佣金组长3": ("20.00", "100.00", "80.00"),
                "佣金专员4": ("80.00", "80.00", "0.00"),
            }  # fmt: skip
            seller = Statement.objects.get(period=period, distributor=chain.seller)
            assert seller.counterparties == [
                {"distributor_id": chain.levels[1].pk, "name": "佣金组长3", "receive": "80.00", "pay": "0.00"}
            ]
        # Running the settlement again changes nothing.
        count = Statement.objects.count()
        run = settlement_start(actor=None, period=period, today=date(2026, 12, 31))
        settlement_run_execute(run.pk)
        assert Statement.objects.count() == count and period.status == "closed"


def test_a_referring_customer_earns_nothing_on_insurance_and_the_share_stays_with_the_tenant(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL])
        owner = user_create(mobile="13655579001", name="推荐车主", password=None)
        referrer = customer_referrer_ensure(user=owner)
        distributor_move(actor=None, distributor_id=referrer.pk, new_parent_id=chain.seller.pk)
        NetworkPath.objects.filter(descendant=referrer).update(valid_from=on(date(2026, 1, 1)))
        policy = sell(referrer)
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        # The referrer's 8% stays with the tenant; the agents above are paid their own levels.
        assert amounts(policy) == [
            ("佣金专员4", "40.00"), ("佣金组长3", "20.00"), ("佣金主管2", "10.00"), ("佣金经理1", "5.00"),
        ]  # fmt: skip


def test_a_campaign_on_top_of_the_plan(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL])
        today = timezone.localdate()
        campaign_create(actor=None, name="双十一人保加码", lines=["commercial"], insurer_codes=["PICC"],
                        regions=["广东"], rate=Decimal("0.02"), valid_from=today, valid_to=today)  # fmt: skip
        picc, pingan = sell(chain.seller), sell(chain.seller, insurer="PINGAN")
        entries_for_policies(plan=plan, policy_ids=[picc.pk, pingan.pk])
        extra = Entry.objects.get(source_id=picc.pk, kind="campaign")
        assert (extra.distributor_id, extra.amount) == (chain.seller.pk, Decimal("20.00"))
        assert extra.formula == "活动「双十一人保加码」：商业险保费 1000.00 × 2% = 20.00"
        assert not Entry.objects.filter(source_id=pingan.pk, kind="campaign").exists()
        with pytest.raises(ValidationFailed) as refused:  # 交强险: the plan pays none, 5% alone is over 4%
            campaign_create(actor=None, name="超限", lines=["ctpl"], rate=Decimal("0.05"), valid_from=today,
                            valid_to=today)  # fmt: skip
        assert "rate" in refused.value.fields


def test_a_volume_bonus_applies_to_the_whole_month_once_crossed(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL],
                         volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("2000"), "rate": Decimal("0.01")},
                                       {"lines": ["commercial"], "threshold": Decimal("5000"), "rate": Decimal("0.02")}])  # fmt: skip
        early, late = (
            sell(chain.seller, at=on(date(2026, 10, 3))),
            sell(chain.seller, premium="1500.00", at=on(date(2026, 10, 20))),
        )
        entries_for_policies(plan=plan, policy_ids=[early.pk, late.pk], today=date(2026, 11, 25))
        period = _settle(date(2026, 10, 1))
        bonus = Entry.objects.get(kind="volume_bonus", period=period)
        # 1000 + 1500 = 2500 ≥ 2000: 1% on all of it, the sale before the threshold included.
        assert (bonus.distributor_id, bonus.basis, bonus.amount) == (
            chain.seller.pk,
            Decimal("2500.00"),
            Decimal("25.00"),
        )
        assert Statement.objects.get(period=period, distributor=chain.seller).totals == {
            "commission": "200.00", "volume_bonus": "25.00",
        }  # fmt: skip


def test_a_cancellation_after_the_month_closed_reverses_in_the_open_month(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL])
        policy = sell(chain.seller, at=on(date(2026, 10, 12)))
        entries_for_policies(plan=plan, policy_ids=[policy.pk], today=date(2026, 11, 25))
        october = _settle(date(2026, 10, 1))
        reverse_policy_entries(policy_id=policy.pk, refund_amount=Decimal("1000.00"), premium=Decimal("1000.00"),
                               at=on(date(2026, 11, 20)), reason="退保", today=date(2026, 11, 25))  # fmt: skip
        reversals = Entry.objects.filter(source_id=policy.pk, reverses__isnull=False)
        assert {e.period.month for e in reversals} == {11}  # October is closed
        assert sorted(e.amount for e in reversals) == [
            Decimal(v) for v in ("-80.00", "-50.00", "-30.00", "-20.00", "-20.00")
        ]
        total = sum(e.amount for e in Entry.objects.filter(source_id=policy.pk))
        assert total == 0
        assert Statement.objects.filter(period=october).count() == 5  # the closed month is untouched
        # A second cancellation event reverses nothing more.
        assert reverse_policy_entries(policy_id=policy.pk, refund_amount=Decimal("1000.00"), premium=Decimal("1000.00"),
                                      at=on(date(2026, 11, 21)), reason="重复", today=date(2026, 11, 25)) == 0  # fmt: skip


def test_a_partial_refund_claws_back_the_refunded_share(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL])
        policy = sell(chain.seller)
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        reverse_policy_entries(policy_id=policy.pk, refund_amount=Decimal("250.00"), premium=Decimal("1000.00"),
                               at=timezone.now(), reason="退保")  # fmt: skip
        seller = Entry.objects.get(source_id=policy.pk, distributor=chain.seller, reverses__isnull=False)
        assert (seller.amount, seller.formula) == (
            Decimal("-20.00"),
            "退保冲回：原 80.00 × 退费比例 0.25 = -20.00",
        )


def test_an_agent_moved_mid_month_pays_the_new_upline_only_for_later_sales(chain) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL])
        before = sell(chain.seller, at=on(date(2026, 10, 5)))
        # The seller moves under the 主管 (skipping the 组长) on the 15th.
        distributor_move(actor=None, distributor_id=chain.seller.pk, new_parent_id=chain.levels[2].pk,
                         at=on(date(2026, 10, 15)))  # fmt: skip
        after = sell(chain.seller, at=on(date(2026, 10, 20)))
        entries_for_policies(plan=plan, policy_ids=[before.pk, after.pk], today=date(2026, 11, 25))
        assert [n for n, _ in amounts(before)] == [
            "佣金专员4",
            "佣金组长3",
            "佣金主管2",
            "佣金经理1",
            "佣金总监0",
        ]
        assert amounts(after) == [
            ("佣金专员4", "80.00"), ("佣金主管2", "40.00"), ("佣金经理1", "20.00"), ("佣金总监0", "10.00"),
        ]  # fmt: skip


def test_a_manual_adjustment_needs_a_reason(chain) -> None:
    with schema_context("datang"):
        with pytest.raises(ValidationFailed) as refused:
            adjustment_create(actor=None, distributor=chain.seller, amount=Decimal("50"), reason=" ")
        assert "reason" in refused.value.fields
        entry = adjustment_create(
            actor=None, distributor=chain.seller, amount=Decimal("-12.50"), reason="重复结算扣回"
        )
        assert (entry.kind, entry.amount, entry.path[-1]) == (
            "adjustment",
            Decimal("-12.50"),
            chain.seller.pk,
        )


@pytest.mark.parametrize(
    ("bearer", "expected"),
    [
        ("seller", {"佣金专员4": "-58.00"}),
        # the chain's 200.00 split 80/20/50/30/20: 58 × 0.4, 0.1, 0.25, 0.15, 0.1
        ("chain", {"佣金专员4": "-23.20", "佣金组长3": "-5.80", "佣金主管2": "-14.50", "佣金经理1": "-8.70",
                   "佣金总监0": "-5.80"}),
        ("tenant", {}),
    ],
)  # fmt: skip
def test_a_promotion_given_with_a_sale_is_charged_as_the_plan_says(chain, bearer, expected) -> None:
    """A gift pack worth 58.00 (机油 + 洗车) given with a 商业险 sale."""
    with schema_context("datang"):
        plan = make_plan(
            chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL], promotion_bearer=bearer
        )
        policy = sell(chain.seller)
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        emit("promotion.given", object_type="policy", object_id=policy.pk,
             payload={"policy_id": policy.pk, "value": "58.00", "description": "续保礼包"})  # fmt: skip
        process_events()
        process_events()  # consumed once
        charged = Entry.objects.filter(source_id=policy.pk, kind="promotion").select_related("distributor")
        assert {e.distributor.name: format(e.amount, "f") for e in charged} == expected
        if bearer == "seller":
            assert charged.get().formula == "促销「续保礼包」实际价值 58.00，由销售人员承担：-58.00"
