"""Commission rules in combination (issue 17), with hand-computed figures. The chain, seller first:
专员 (seller), 组长, 主管, 经理, 总监 (top); tests/commissions/conftest.py builds it."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader

from accounts.services import user_create
from catalog.services import pack_issue, pack_save, product_save
from commissions.engine import entries_for_orders, entries_for_policies, period_for
from commissions.exports import statement_pdf, yuan
from commissions.models import Entry, Period, Rule, Statement, VolumeTier
from commissions.services import campaign_create, process_events, settlement_run_execute, settlement_start
from core.errors import ValidationFailed
from core.events import emit
from mall.models import Order, OrderItem
from network.models import NetworkPath
from network.services import customer_referrer_ensure, distributor_move
from quotes.models import Policy
from tests.commissions.conftest import make_plan, on, sell
from tests.commissions.test_engine import DIFFERENTIAL, PER_LEVEL

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
IN_NOVEMBER = date(2026, 11, 25)


def _settle(day: date) -> Period:
    period = Period.objects.get(year=day.year, month=day.month)
    run = settlement_start(actor=None, period=period, today=date(2026, 12, 31))
    assert settlement_run_execute(run.pk).status == "done"
    return Period.objects.get(pk=period.pk)


def _cancel(policy: Policy, refund: str, day: date) -> None:
    """What quotes.services does on 退保: the policy row, then the event the ledger reads."""
    at = on(day)
    Policy.objects.filter(pk=policy.pk).update(
        status="cancelled", refund_amount=Decimal(refund), cancelled_at=at
    )
    emit("policy.cancelled", object_type="policy", object_id=policy.pk,
         payload={"number": policy.number, "premium": format(policy.premium, "f"), "refund_amount": refund,
                  "cancelled_at": at.isoformat(), "reason": "客户退保"})  # fmt: skip
    process_events(today=IN_NOVEMBER)


def _bonus(**filters) -> list[tuple[int, str]]:
    rows = Entry.objects.filter(kind="volume_bonus", **filters).select_related("period").order_by("id")
    return [(e.period.month, format(e.amount, "f")) for e in rows]


# ---- 通算 by line and the 交强险 4% cap ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["cross_level", "same_level"])
def test_a_commercial_only_bonus_leaves_ctpl_premium_out_in_either_mode(chain, mode) -> None:
    """October: 商业险 1,000 + 1,500 and 交强险 950. A tier on 商业险 only, ≥ 2,000 → 1%:
    2,500 × 1% = 25.00 (counting the 交强险 too would have paid 3,450 × 1% = 34.50, i.e. 1% on
    交强险 on top of the plan's full 4%). The seller's month: 80 + 120 + 9.50 + 25 = 234.50."""
    with schema_context("datang"):
        plan = make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL], mode=mode,
                         volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("2000"),
                                        "rate": Decimal("0.01")}])  # fmt: skip
        sales = [
            sell(chain.seller, at=on(date(2026, 10, 3))),
            sell(chain.seller, premium="1500.00", at=on(date(2026, 10, 9))),
            sell(chain.seller, line="ctpl", premium="950.00", rate="0.04", at=on(date(2026, 10, 20))),
        ]
        entries_for_policies(plan=plan, policy_ids=[p.pk for p in sales], today=IN_NOVEMBER)
        october = _settle(OCTOBER)
        bonus = Entry.objects.get(kind="volume_bonus")
        assert (bonus.basis, bonus.amount, bonus.fact_key) == (
            Decimal("2500.00"),
            Decimal("25.00"),
            "commercial",
        )
        assert bonus.formula == "通算（商业险）：本月 2 单保单，合计 2500.00 ≥ 门槛 2000.00，× 1% = 25.00"
        seller = Statement.objects.get(period=october, distributor=chain.seller)
        assert seller.totals == {"commission": "209.50", "volume_bonus": "25.00"}
        # Cross-level the tenant pays the seller; same-level the 组长 passes it down.
        assert seller.counterparties == [
            {"distributor_id": None if mode == "cross_level" else chain.levels[1].pk,
             "name": "公司" if mode == "cross_level" else "佣金组长3", "receive": "234.50", "pay": "0.00"}
        ]  # fmt: skip


def test_a_bonus_on_ctpl_on_top_of_a_full_4_percent_plan_is_refused(chain) -> None:
    """The plan pays a chain 4% on 交强险 (总监's cumulative rate): any bonus on 交强险 is over."""
    with schema_context("datang"):
        with pytest.raises(ValidationFailed) as refused:
            make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL],
                      volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("1000"), "rate": Decimal("0.01")},
                                    {"lines": ["ctpl"], "threshold": Decimal("1000"), "rate": Decimal("0.02")}])  # fmt: skip
        assert refused.value.fields == {
            "volume_tiers.1.rate": [
                "交强险整条链合计 方案 4% + 通算奖励 2% = 6%，超过保费的 4%（交强险手续费上限）"
            ]
        }
        with pytest.raises(ValidationFailed) as overlapping:  # one premium earns one bonus at most
            make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL],
                      volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("1000"), "rate": Decimal("0.01")},
                                    {"lines": ["commercial", "goods"], "threshold": Decimal("900"),
                                     "rate": Decimal("0.01")}])  # fmt: skip
        assert list(overlapping.value.fields) == ["volume_tiers.1.lines"]


def test_plan_bonus_and_campaigns_together_stay_within_4_percent_on_ctpl(chain, api) -> None:
    """A plan paying 3% on 交强险 and a 0.5% bonus on it leaves 0.5% for campaigns: 0.5% passes,
    a second campaign of 0.5% at another distance (it pays another person) makes 4.5%: 400."""
    with schema_context("datang"):
        rules = [
            {"line": "ctpl", "distance": 0, "rate": "0.02"},
            {"line": "ctpl", "distance": 1, "rate": "0.01"},
        ]
        make_plan(chain, scheme="per_level", rules=rules,
                  volume_tiers=[{"lines": ["ctpl"], "threshold": Decimal("5000"), "rate": Decimal("0.005")}])  # fmt: skip
        today = timezone.localdate()
        campaign_create(actor=None, name="交强险冲量", lines=["ctpl"], rate=Decimal("0.005"), valid_from=today,
                        valid_to=today)  # fmt: skip
    refused = api("datang_admin").post(
        "/api/v1/commissions/campaigns/",
        {"name": "上级加码", "lines": ["ctpl"], "rate": "0.005", "distance": 1, "valid_from": str(today),
         "valid_to": str(today)},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "invalid", "message": refused.json()["message"],
        "fields": {"rate": ["交强险：现行方案（含通算奖励）最多分 3.5%，加上活动 1% 合计 4.5%，超过 4% 上限"]},
    }  # fmt: skip


def test_the_engine_holds_ctpl_at_4_percent_whatever_was_saved(chain) -> None:
    """Rules and a tier written past the checks (straight into the tables). 交强险 950.00 (the
    insurer pays 4%, the most a policy may carry): the chain gets 38.00 at most: the seller 3% =
    28.50, the parent 2% = 19.00 cut to the 9.50 left. The bonus (1% on 交强险 + 商业险 ≥ 1,000): 商业险 1,000 × 1% = 10.00;
    交强险 950 × 1% = 9.50 has no room left under 4%: 10.00 in all, not 19.50."""
    with schema_context("datang"):
        plan = make_plan(
            chain, scheme="per_level", rules=[{"line": "commercial", "distance": 5, "rate": "0.01"}]
        )
        Rule.objects.create(plan=plan, line="ctpl", distance=0, rate=Decimal("0.03"))
        Rule.objects.create(plan=plan, line="ctpl", distance=1, rate=Decimal("0.02"))
        VolumeTier.objects.create(plan=plan, lines=["commercial", "ctpl"], threshold=Decimal("1000"),
                                  rate=Decimal("0.01"))  # fmt: skip
        ctpl = sell(chain.seller, line="ctpl", premium="950.00", rate="0.04", at=on(date(2026, 10, 8)))
        sell(chain.seller, at=on(date(2026, 10, 9)))
        entries_for_policies(plan=plan, policy_ids=[ctpl.pk], today=IN_NOVEMBER)
        paid = Entry.objects.filter(source_id=ctpl.pk).order_by("level")
        assert [format(e.amount, "f") for e in paid] == ["28.50", "9.50"]
        assert paid[1].formula == "交强险保费 950.00 × 2% = 19.00，本单手续费 38.00 已分完，实得 9.50"
        _settle(OCTOBER)
        bonus = Entry.objects.get(kind="volume_bonus")
        assert (bonus.basis, bonus.amount) == (Decimal("1950.00"), Decimal("10.00"))
        assert bonus.formula.endswith("× 1% = 19.50；其中交强险部分受 4% 上限，仅余 0.00，实得 10.00")


# ---- 通算 after a 退保 in a closed month ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["cross_level", "same_level"])
def test_a_cancellation_after_closing_reverses_the_bonus_it_helped_earn(chain, mode) -> None:
    """October, 商业险 1,000 + 1,500 + 3,000 = 5,500 and 交强险 950; tiers on 商业险: ≥ 2,000 1%,
    ≥ 5,000 2%. October's bonus: 5,500 × 2% = 110.00. In November (October closed):
    - the 交强险 is surrendered: not in the ladder, the bonus stands (nothing written);
    - the 3,000 is surrendered in full: 2,500 ≥ 2,000 → 1% = 25.00; reversal 25 − 110 = −85.00;
    - the 1,500 is surrendered half (750 refunded): 1,750 < 2,000 → 0; reversal −25.00.
    Both reversals are in November, point at October's bonus at its 2%, and net it to zero."""
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL], mode=mode,
                         volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("2000"), "rate": Decimal("0.01")},
                                       {"lines": ["commercial"], "threshold": Decimal("5000"), "rate": Decimal("0.02")}])  # fmt: skip
        small, mid, big = (sell(chain.seller, premium=p, at=on(date(2026, 10, d)))
                           for p, d in (("1000.00", 3), ("1500.00", 9), ("3000.00", 15)))  # fmt: skip
        ctpl = sell(chain.seller, line="ctpl", premium="950.00", rate="0.04", at=on(date(2026, 10, 20)))
        entries_for_policies(plan=plan, policy_ids=[small.pk, mid.pk, big.pk, ctpl.pk], today=IN_NOVEMBER)
        _settle(OCTOBER)
        assert _bonus() == [(10, "110.00")]
        original = Entry.objects.get(kind="volume_bonus")

        _cancel(ctpl, "950.00", date(2026, 11, 10))
        assert _bonus() == [(10, "110.00")]
        _cancel(big, "3000.00", date(2026, 11, 12))
        assert _bonus() == [(10, "110.00"), (11, "-85.00")]
        _cancel(mid, "750.00", date(2026, 11, 14))
        assert _bonus() == [(10, "110.00"), (11, "-85.00"), (11, "-25.00")]
        reversals = Entry.objects.filter(kind="volume_bonus", reverses=original).order_by("id")
        assert [(e.rate, e.reversal_key) for e in reversals] == [
            (Decimal("0.0200"), f"cancel:{big.pk}"), (Decimal("0.0200"), f"cancel:{mid.pk}"),
        ]  # fmt: skip
        assert reversals[0].formula == (
            f"通算冲回（退保 {big.number}）：重算（商业险）：本月 2 单保单，合计 2500.00 ≥ 门槛 2000.00，× 1% = 25.00；"
            "已得 110.00，差额 -85.00"
        )
        assert reversals[1].formula == (
            f"通算冲回（退保 {mid.number}）：重算：2026-10 业绩不再达到最低门槛，奖励 0.00；已得 25.00，差额 -25.00"
        )
        # The same cancellation read again writes nothing.
        emit("policy.cancelled", object_type="policy", object_id=big.pk,
             payload={"number": big.number, "premium": "3000.00", "refund_amount": "3000.00",
                      "cancelled_at": on(date(2026, 11, 12)).isoformat()})  # fmt: skip
        process_events(today=IN_NOVEMBER)
        assert len(_bonus()) == 3
        # November's statement carries the reversals, paid the way the plan settles.
        november = _settle(date(2026, 11, 1))
        seller = Statement.objects.get(period=november, distributor=chain.seller)
        assert seller.totals["volume_bonus"] == "-110.00"
        # 退保 commission reversals: −(3000 × 8%) − (1500 × 8% × 0.5) = −240 − 60 = −300.00
        assert seller.totals["commission"] == "-300.00"
        payer = None if mode == "cross_level" else chain.levels[1].pk
        assert [(p["distributor_id"], p["receive"]) for p in seller.counterparties] == [(payer, "-410.00")]


def test_a_mall_refund_after_closing_reverses_a_goods_bonus(chain) -> None:
    """A goods-and-services ladder ≥ 300.00 → 2%. October: an order of 机油 2 × 108.00 + 洗车 200.00 =
    416.00, bonus 416 × 2% = 8.32. In November (October closed) 216.00 is refunded: the lines keep
    (416 − 216) / 416 of their amounts, 103.85 + 96.15 = 200.00 < 300: the bonus goes, −8.32."""
    with schema_context("datang"):
        make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL],
                  volume_tiers=[{"lines": ["goods", "services"], "threshold": Decimal("300"), "rate": Decimal("0.02")}])  # fmt: skip
        customer = sell(chain.seller, at=on(date(2026, 10, 2))).customer
        order = Order.objects.create(number="MO0002", customer=customer, promoter=chain.seller, status="paid",
                                     total=Decimal("416.00"), reserved_until=on(date(2026, 10, 5)),
                                     paid_at=on(date(2026, 10, 5)))  # fmt: skip
        oil = product_save(actor=None, name="机油", kind="goods", market_price=Decimal("128"),
                           actual_price=Decimal("108"), stock=5)  # fmt: skip
        wash = product_save(actor=None, name="精洗", kind="service", market_price=Decimal("260"),
                            actual_price=Decimal("200"))  # fmt: skip
        OrderItem.objects.create(order=order, product=oil, name="机油", kind="goods", quantity=2,
                                 unit_price=Decimal("108.00"), amount=Decimal("216.00"))  # fmt: skip
        OrderItem.objects.create(order=order, product=wash, name="精洗", kind="service", quantity=1,
                                 unit_price=Decimal("200.00"), amount=Decimal("200.00"))  # fmt: skip
        period_for(OCTOBER)
        _settle(OCTOBER)
        assert _bonus() == [(10, "8.32")]
        Order.objects.filter(pk=order.pk).update(refunded=Decimal("216.00"), status="partially_refunded")
        emit("order.refunded", object_type="order", object_id=order.pk,
             payload={"amount": "216.00", "refunded": "216.00", "total": "416.00"})  # fmt: skip
        process_events(today=IN_NOVEMBER)
        assert _bonus() == [(10, "8.32"), (11, "-8.32")]


def test_a_cancellation_in_an_open_month_needs_no_reversal(chain) -> None:
    """Cancelled before the close, the premium is simply not counted: 1,000 + 1,500 − 1,500 refunded
    = 1,000 < 2,000: no bonus at all (and no reversal)."""
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL],
                         volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("2000"), "rate": Decimal("0.01")}])  # fmt: skip
        first, second = (
            sell(chain.seller, at=on(date(2026, 10, 3))),
            sell(chain.seller, premium="1500.00", at=on(date(2026, 10, 9))),
        )
        entries_for_policies(plan=plan, policy_ids=[first.pk, second.pk], today=IN_NOVEMBER)
        _cancel(second, "1500.00", date(2026, 10, 28))
        _settle(OCTOBER)
        assert _bonus() == []


# ---- two gift packs with one policy -------------------------------------------------------------


def test_two_gift_packs_given_with_one_policy_are_both_charged(chain) -> None:
    """Two packs given with one 商业险 sale, 续保礼包 58.00 (机油 38 + 洗车 20) and 洗车礼包 20.00;
    the seller bears promotions: −58.00 and −20.00 (the second was dropped as a 'duplicate'
    before: same policy, person and kind). Read again: nothing more."""
    with schema_context("datang"):
        plan = make_plan(chain, scheme="differential", rules=[dict(r) for r in DIFFERENTIAL],
                         promotion_bearer="seller")  # fmt: skip
        policy = sell(chain.seller)
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        oil = product_save(actor=None, name="机油", kind="goods", market_price=Decimal("48"),
                           actual_price=Decimal("38"), stock=10)  # fmt: skip
        wash = product_save(actor=None, name="洗车", kind="service", market_price=Decimal("30"),
                            actual_price=Decimal("20"))  # fmt: skip
        pack = pack_save(actor=None, name="续保礼包", expires_on=date(2027, 12, 31), redeem_mode="whole",
                         items=[{"product": oil.pk, "quantity": 1}, {"product": wash.pk, "quantity": 1}])  # fmt: skip
        wash_pack = pack_save(actor=None, name="洗车礼包", expires_on=date(2027, 12, 31), redeem_mode="whole",
                              items=[{"product": wash.pk, "quantity": 1}])  # fmt: skip
        first = pack_issue(actor=None, pack=pack, customer=policy.customer, policy=policy)
        second = pack_issue(actor=None, pack=wash_pack, customer=policy.customer, policy=policy)
        process_events()
        process_events()
        charged = Entry.objects.filter(source_id=policy.pk, kind="promotion").order_by("id")
        assert [(e.distributor_id, e.amount, e.fact_key) for e in charged] == [
            (chain.seller.pk, Decimal("-58.00"), f"pack:{first.pk}"),
            (chain.seller.pk, Decimal("-20.00"), f"pack:{second.pk}"),
        ]


# ---- promotion cost by fixed per-level shares ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # 500.00 × 50/30/20
        ("500.00", ["-250.00", "-150.00", "-100.00"]),
        # 100.01: 5000.5 / 3000.3 / 2000.2 cents → 5000 / 3000 / 2000 and one cent left, which goes to the
        # largest remainder (.5: the seller)
        ("100.01", ["-50.01", "-30.00", "-20.00"]),
    ],
)
def test_a_promotion_split_by_fixed_per_level_shares(chain, value, expected) -> None:
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL], promotion_bearer="shares",
                         promotion_shares=[Decimal("50"), Decimal("30"), Decimal("20")])  # fmt: skip
        policy = sell(chain.seller)
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        emit("promotion.given", object_type="policy", object_id=policy.pk,
             payload={"policy_id": policy.pk, "issued_pack_id": 1, "value": value, "description": "大礼包"})  # fmt: skip
        process_events()
        charged = Entry.objects.filter(source_id=policy.pk, kind="promotion").order_by("level")
        assert [(e.distributor_id, format(e.amount, "f")) for e in charged] == list(
            zip([d.pk for d in chain.levels[:3]], expected, strict=True)
        )
        assert sum(e.amount for e in charged) == -Decimal(value)
        assert (
            charged[1].formula
            == f"促销「大礼包」实际价值 {value}，按固定比例逐级分担：上 1 级 30% = {expected[1]}"
        )


def test_fixed_shares_must_add_up_to_100(chain, api) -> None:
    body = {"name": "分担", "scheme": "per_level", "settlement_mode": "cross_level", "promotion_bearer": "shares",
            "promotion_shares": ["50", "30", "10"], "rules": [{"line": "commercial", "distance": 0, "rate": "0.08"}]}  # fmt: skip
    refused = api("datang_admin").post("/api/v1/commissions/plans/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"promotion_shares": ["各级分担比例合计应为 100%，现为 90%"]}
    body["promotion_shares"] = ["50", "30", "20"]
    saved = api("datang_admin").post("/api/v1/commissions/plans/", body, format="json")
    assert saved.status_code == 201 and saved.json()["promotion_shares"] == ["50.00", "30.00", "20.00"]


# ---- referring customers in a differential plan ------------------------------------------------


def _referrer_under_seller(chain):
    owner = user_create(mobile="13655579002", name="推荐车主", password=None)
    referrer = customer_referrer_ensure(user=owner)
    distributor_move(actor=None, distributor_id=referrer.pk, new_parent_id=chain.seller.pk)
    NetworkPath.objects.filter(descendant=referrer).update(valid_from=on(date(2026, 1, 1)))
    return referrer


def test_a_referring_customer_earns_on_goods_under_a_differential_plan_never_on_insurance(chain) -> None:
    """Cumulative goods rates: 推荐车主 3%, 专员 5%, 组长 6%. A 200.00 mall order the referrer brought:
    referrer 6.00, 专员 (5 − 3)% = 4.00, 组长 (6 − 5)% = 2.00. A 商业险 1,000 the referrer brought:
    the referrer nothing; 专员 8% = 80.00 (nothing below him earns), 组长 (10 − 8)% = 20.00 …"""
    with schema_context("datang"):
        rules: list[dict] = [dict(r) for r in DIFFERENTIAL] + [
            {"line": "goods", "referrer": True, "rate": "0.03"},
            {"line": "goods", "tier": "佣金专员", "rate": "0.05"},
            {"line": "goods", "tier": "佣金组长", "rate": "0.06"},
        ]
        plan = make_plan(chain, scheme="differential", rules=rules)
        referrer = _referrer_under_seller(chain)
        policy = sell(referrer)
        order = Order.objects.create(number="MO0001", customer=policy.customer, promoter=referrer, status="paid",
                                     total=Decimal("200.00"), reserved_until=timezone.now(), paid_at=timezone.now())  # fmt: skip
        product = product_save(actor=None, name="轮胎", kind="goods", market_price=Decimal("250"),
                               actual_price=Decimal("200"), stock=5)  # fmt: skip
        OrderItem.objects.create(order=order, product=product, name="轮胎", kind="goods", quantity=1,
                                 unit_price=Decimal("200.00"), amount=Decimal("200.00"))  # fmt: skip
        entries_for_orders(plan=plan, order_ids=[order.pk])
        entries_for_policies(plan=plan, policy_ids=[policy.pk])
        goods = Entry.objects.filter(source_type="order_item").order_by("level")
        assert [(e.distributor_id, format(e.amount, "f")) for e in goods] == [
            (referrer.pk, "6.00"), (chain.seller.pk, "4.00"), (chain.levels[1].pk, "2.00"),
        ]  # fmt: skip
        assert goods[0].formula == "商品金额 200.00 × (3% − 0%) = 6.00"
        insurance = Entry.objects.filter(source_type="policy", source_id=policy.pk).order_by("level")
        assert [format(e.amount, "f") for e in insurance][:2] == ["80.00", "20.00"]
        assert referrer.pk not in {e.distributor_id for e in insurance}


def test_a_referrer_rule_on_insurance_is_refused(chain) -> None:
    with schema_context("datang"):
        rules: list[dict] = [{"line": "commercial", "tier": "佣金专员", "rate": "0.08"},
                             {"line": "commercial", "referrer": True, "rate": "0.02"}]  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            make_plan(chain, scheme="differential", rules=rules)
        assert refused.value.fields == {
            "rules.1.line": ["推荐车主只能在商品、服务上获得奖励，保险佣金只付给持证代理人"]
        }


# ---- the statement PDF --------------------------------------------------------------------------


def test_the_statement_pdf_embeds_a_font_with_every_glyph_and_prints_yuan(chain) -> None:
    """A 商业险 12,345.60 at 25%, per level 8%: the seller 987.65 (12,345.60 × 8% = 987.648), with a
    −1,234.56 adjustment: the seller earns −246.91 in the month."""
    assert (yuan(Decimal("1234.5")), yuan(Decimal("-250")), yuan(Decimal("0"))) == (
        "¥1,234.50",
        "-¥250.00",
        "¥0.00",
    )
    with schema_context("datang"):
        plan = make_plan(chain, scheme="per_level", rules=[dict(r) for r in PER_LEVEL])
        policy = sell(chain.seller, premium="12345.60", at=on(date(2026, 10, 5)))
        entries_for_policies(plan=plan, policy_ids=[policy.pk], today=IN_NOVEMBER)
        Entry.objects.create(period=Period.objects.get(year=2026, month=10), distributor=chain.seller,
                             kind="adjustment", source_type="manual", basis=Decimal("-1234.56"),
                             amount=Decimal("-1234.56"), formula="手工调整 −1234.56：重复结算扣回",
                             path=[chain.seller.pk], sale_at=on(date(2026, 10, 6)), reason="重复结算扣回")  # fmt: skip
        october = _settle(OCTOBER)
        statement = Statement.objects.select_related("distributor", "period").get(
            period=october, distributor=chain.seller
        )
        pdf = statement_pdf(statement, Entry.objects.filter(period=october, distributor=chain.seller),
                            tenant_name="大唐经纪")  # fmt: skip
    reader = PdfReader(BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for printed in ("大唐经纪 · 佣金专员4 · 2026-10 对账单", "¥12,345.60", "¥987.65", "-¥1,234.56", "-¥246.91",
                    "商业险保费 12345.60 × 8% = 987.65", "手工调整 −1234.56：重复结算扣回"):  # fmt: skip
        assert printed in text, printed
    fonts: list[Any] = [
        font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    ]
    # Noto Sans CJK SC, subset and embedded (its TrueType outlines in the file), no STSong-Light;
    # reportlab's canvas always declares Helvetica as its initial font (nothing is drawn with it).
    fonts = [f for f in fonts if f["/BaseFont"] != "/Helvetica"]
    assert fonts and all("NotoSansCJKsc" in str(f["/BaseFont"]) for f in fonts), [
        f["/BaseFont"] for f in fonts
    ]
    assert all("/FontFile2" in f["/FontDescriptor"] for f in fonts)
