"""Plans, campaigns, the outbox consumer that turns sales into entries, manual adjustments, and the
settlement run that closes a month into statements."""

import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from commissions.engine import (
    bulk_work_mem,
    current_open_period,
    entries_for_orders,
    entries_for_policies,
    reverse_order_entries,
    reverse_policy_entries,
    volume_bonus_rows,
    volume_bonus_text,
)
from commissions.models import (
    INSURANCE_LINES,
    MAX_CTPL_RATE,
    Campaign,
    Entry,
    EntryKind,
    Line,
    Period,
    PeriodStatus,
    Plan,
    PlanStatus,
    PromotionBearer,
    RateKind,
    Rule,
    RunStatus,
    Scheme,
    SettlementMode,
    SettlementRun,
    Statement,
    StatementStatus,
    VolumeTier,
    ladder_key,
)
from core.audit_labels import OUTCOME_WORDS
from core.errors import FieldErrors, StateConflict, ValidationFailed
from core.events import consume
from core.models import DomainEvent
from core.money import allocate
from core.services import audit_event_record
from directory.models import Insurer
from mall.models import Order
from network.models import Distributor, NetworkPath, Tier
from quotes.models import Policy

logger = logging.getLogger(__name__)

CONSUMER = "commissions"
SALE_EVENTS = ("policy.issued", "policy.cancelled", "promotion.given", "order.paid", "order.refunded")


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# ---- plans ------------------------------------------------------------------------------------


def _check_rules(scheme: str, rules: list[dict[str, Any]], errors: FieldErrors) -> None:
    tiers = set(Tier.objects.values_list("pk", flat=True))
    insurers = set(Insurer.objects.values_list("pk", flat=True))
    seen: dict[tuple[Any, ...], int] = {}
    for index, rule in enumerate(rules):
        where = f"rules.{index}"
        if rule.get("line") not in Line.values:
            errors.add(f"{where}.line", "业务类型应为交强险、商业险、商品或服务")
        if rule.get("insurer") is not None and rule["insurer"] not in insurers:
            errors.add(f"{where}.insurer", "保险公司不存在")
        rule["referrer"] = bool(rule.get("referrer"))
        if scheme == Scheme.DIFFERENTIAL and rule["referrer"]:
            # 推荐车主 have no tier: their cumulative rate, on goods and services only (insurance
            # commission goes to licensed agents only).
            if rule.get("line") in INSURANCE_LINES:
                errors.add(f"{where}.line", "推荐车主只能在商品、服务上获得奖励，保险佣金只付给持证代理人")
            if rule.get("tier") is not None:
                errors.add(f"{where}.tier", "推荐车主的项目不指定职级")
            rule["tier"], rule["distance"] = None, None
        elif scheme == Scheme.DIFFERENTIAL:
            if rule.get("tier") not in tiers:
                errors.add(f"{where}.tier", "级差方案的每条规则须指定职级")
            rule["distance"] = None
        elif rule["referrer"]:
            errors.add(f"{where}.referrer", "逐级分成按层级分成：推荐车主按其所在层级获得，无需单列")
        else:
            distance = rule.get("distance")
            if distance is None or not 0 <= distance <= 20:
                errors.add(f"{where}.distance", "逐级分成须指定层级（0 为销售本人，1 为上级 …）")
            rule["tier"] = None
        kind = rule.get("rate_kind") or RateKind.PERCENT
        rule["rate_kind"] = kind
        if kind == RateKind.PERCENT:
            rate = rule.get("rate")
            if rate is None or not Decimal(0) <= rate < Decimal(1):
                errors.add(f"{where}.rate", "比例应在 0 到 100% 之间")
        elif kind == RateKind.FIXED:
            if rule.get("line") == Line.CTPL:
                errors.add(f"{where}.rate_kind", "交强险只能按比例分成（以便校验 4% 上限）")
            if rule.get("amount") is None or rule["amount"] < 0:
                errors.add(f"{where}.amount", "固定金额不能为负数")
        else:
            errors.add(f"{where}.rate_kind", "应为比例或固定金额")
        if rule.get("cap") is not None and rule["cap"] < 0:
            errors.add(f"{where}.cap", "封顶金额不能为负数")
        if rule.get("valid_from") and rule.get("valid_to") and rule["valid_from"] > rule["valid_to"]:
            errors.add(f"{where}.valid_to", "结束日期不能早于开始日期")
        key = (rule.get("line"), rule.get("insurer"), rule.get("tier"), rule.get("distance"), rule["referrer"],
               rule.get("valid_from"), rule.get("valid_to"))  # fmt: skip
        if key in seen:
            errors.add(f"{where}", f"与第 {seen[key] + 1} 条规则重复")
        seen.setdefault(key, index)


def max_ctpl_chain_rate(scheme: str, rules: list[dict[str, Any]]) -> tuple[Decimal, int | None]:
    """The most a chain can be paid on 交强险, as a share of its premium, and the rule that reaches
    it. Per level: the sum over distances, an insurer's own rule replacing the general one at its
    distance; differential: the highest cumulative rate. Overlapping validity counts the highest."""
    ctpl = [(i, r) for i, r in enumerate(rules) if r.get("line") == Line.CTPL and r.get("rate") is not None]
    worst, culprit = Decimal(0), None
    for insurer in {r.get("insurer") for _, r in ctpl} | {None}:
        if scheme == Scheme.DIFFERENTIAL:
            candidates = [(i, r) for i, r in ctpl if r.get("insurer") in (insurer, None)]
            total, top = max(((r["rate"], i) for i, r in candidates), default=(Decimal(0), None))
        else:
            total, top, top_rate = Decimal(0), None, Decimal(-1)
            for distance in {r.get("distance") for _, r in ctpl}:
                at = [(i, r) for i, r in ctpl if r.get("distance") == distance]
                own = [(i, r) for i, r in at if insurer is not None and r.get("insurer") == insurer]
                chosen = own or [(i, r) for i, r in at if r.get("insurer") is None]
                if chosen:
                    i, r = max(chosen, key=lambda x: x[1]["rate"])
                    total += r["rate"]
                    if r["rate"] > top_rate:
                        top, top_rate = i, r["rate"]
        if total > worst:
            worst, culprit = total, top
    return worst, culprit


def _check_volume(tiers: list[dict[str, Any]], errors: FieldErrors) -> None:
    """通算 tiers: each names the lines (and optionally insurers) whose business counts and earns.
    Tiers with the same lines and insurers are one ladder; two ladders may not count the same
    business (one premium earns one bonus at most). Normalises lines and insurers (sorted)."""
    known = set(Insurer.objects.values_list("code", flat=True))
    ladders: dict[str, int] = {}
    thresholds: set[tuple[str, Any]] = set()
    for index, tier in enumerate(tiers):
        where = f"volume_tiers.{index}"
        lines = sorted(set(tier.get("lines") or []))
        codes = sorted({str(c).strip().upper() for c in tier.get("insurer_codes") or [] if str(c).strip()})
        tier["lines"], tier["insurer_codes"] = lines, codes
        if not lines or set(lines) - set(Line.values):
            errors.add(f"{where}.lines", "请选择计入通算的业务（交强险、商业险、商品、服务）")
        if set(codes) - known:
            errors.add(f"{where}.insurer_codes", f"未知的保险公司：{', '.join(sorted(set(codes) - known))}")
        elif codes and not set(lines) & set(INSURANCE_LINES):
            errors.add(f"{where}.insurer_codes", "只有交强险、商业险按保险公司区分")
        key = ladder_key(lines, codes)
        threshold = tier.get("threshold")
        if threshold is None or threshold <= 0:
            errors.add(f"{where}.threshold", "门槛应大于 0")
        elif (key, threshold) in thresholds:
            errors.add(f"{where}.threshold", "同一组业务的门槛重复")
        thresholds.add((key, threshold))
        if tier.get("rate") is None or not Decimal(0) < tier["rate"] < Decimal("0.5"):
            errors.add(f"{where}.rate", "奖励比例应在 0 到 50% 之间")
        for other_key, other in ladders.items():
            if other_key == key:
                continue
            mine = tiers[other]
            if set(mine["lines"]) & set(lines) and (
                not codes or not mine["insurer_codes"] or set(codes) & set(mine["insurer_codes"])
            ):
                errors.add(f"{where}.lines", f"与第 {other + 1} 档计入的业务重叠：同一笔业务只能计入一组通算")
                break
        ladders.setdefault(key, index)


def max_ctpl_bonus_rate(tiers: list[dict[str, Any]]) -> tuple[Decimal, int | None]:
    """The highest 通算 rate paid on 交强险 premium, and its tier (ladders never overlap, so one
    交强险 policy earns one ladder's bonus at most)."""
    return max(
        (
            (t["rate"], i)
            for i, t in enumerate(tiers)
            if Line.CTPL in (t.get("lines") or []) and t.get("rate")
        ),
        default=(Decimal(0), None),
    )


def max_ctpl_campaign_rate(campaigns: list[dict[str, Any]]) -> Decimal:
    """What campaigns can add on 交强险 over a chain: campaigns do not stack for one beneficiary,
    but campaigns at different distances pay different people on the same sale, so the highest
    rate at each distance, summed."""
    best: dict[int, Decimal] = {}
    for c in campaigns:
        if Line.CTPL in c["lines"]:
            best[c["distance"]] = max(best.get(c["distance"], Decimal(0)), c["rate"])
    return sum(best.values(), Decimal(0))


def _live_campaigns(*, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    """Campaigns still running or to come (overlapping [start, end] when given)."""
    rows = Campaign.objects.filter(valid_to__gte=start or timezone.localdate())
    if end is not None:
        rows = rows.filter(valid_from__lte=end)
    return [dict(c) for c in rows.values("lines", "distance", "rate")]


def _ctpl_parts(plan_rate: Decimal, bonus_rate: Decimal, campaign_rate: Decimal) -> str:
    parts = [f"方案 {_percent(plan_rate)}"]
    if bonus_rate:
        parts.append(f"通算奖励 {_percent(bonus_rate)}")
    if campaign_rate:
        parts.append(f"活动 {_percent(campaign_rate)}")
    total = plan_rate + bonus_rate + campaign_rate
    return f"交强险整条链合计 {' + '.join(parts)} = {_percent(total)}，超过保费的 4%（交强险手续费上限）"


def _check_shares(bearer: str, shares: list[Decimal], errors: FieldErrors) -> list[Decimal]:
    """按固定比例逐级分担: percents by level, the seller first, adding up to exactly 100."""
    if bearer != PromotionBearer.SHARES:
        return []
    if not shares:
        errors.add("promotion_shares", "请填写各级分担比例（销售本人、上 1 级 …），合计 100%")
        return []
    if len(shares) > 20:
        errors.add("promotion_shares", "最多 20 级")
    for index, share in enumerate(shares):
        if share is None or not Decimal(0) <= share <= Decimal(100):
            errors.add(f"promotion_shares.{index}", "比例应在 0 到 100% 之间")
    if all(x is not None for x in shares) and sum(shares, Decimal(0)) != 100:
        errors.add(
            "promotion_shares", f"各级分担比例合计应为 100%，现为 {_percent(sum(shares, Decimal(0)) / 100)}"
        )
    return shares


def _plan_used(plan: Plan) -> bool:
    return Entry.objects.filter(plan=plan).exists()


@transaction.atomic
def plan_save(
    *,
    actor: User | None,
    plan: Plan | None = None,
    name: str,
    scheme: str,
    settlement_mode: str,
    rules: list[dict[str, Any]],
    volume_tiers: list[dict[str, Any]] | None = None,
    promotion_bearer: str = PromotionBearer.TENANT,
    promotion_shares: list[Decimal] | None = None,
) -> Plan:
    """Create or replace a plan with its rules. The 交强险 4% cap over the whole chain is checked
    here, over the plan's rules, its 通算 tiers and the campaigns running or to come together.
    A plan that has paid entries cannot change (copy it instead)."""
    if plan is not None:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if _plan_used(plan):
            raise StateConflict("该方案已产生佣金，不能修改；请另建方案后切换", code="plan_in_use")
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", "请填写方案名称")
    elif Plan.objects.filter(name=name).exclude(pk=plan.pk if plan else 0).exists():
        errors.add("name", "方案名称已存在")
    if scheme not in Scheme.values:
        errors.add("scheme", "分成方式应为级差或逐级分成")
    if settlement_mode not in SettlementMode.values:
        errors.add("settlement_mode", "结算方式应为同级结算或跨级结算")
    if promotion_bearer not in PromotionBearer.values:
        errors.add("promotion_bearer", "促销成本应由销售人员、分成链或公司承担")
    if not rules:
        errors.add("rules", "至少需要一条规则")
    rules = [dict(r) for r in rules]
    _check_rules(scheme, rules, errors)
    volume_tiers = [dict(t) for t in volume_tiers or []]
    _check_volume(volume_tiers, errors)
    shares = _check_shares(promotion_bearer, list(promotion_shares or []), errors)
    if not errors:
        worst, culprit = max_ctpl_chain_rate(scheme, rules)
        bonus, bonus_tier = max_ctpl_bonus_rate(volume_tiers)
        campaigns = max_ctpl_campaign_rate(_live_campaigns())
        if worst > MAX_CTPL_RATE:
            errors.add(f"rules.{culprit}.rate", _ctpl_parts(worst, Decimal(0), Decimal(0)))
        elif worst + bonus + campaigns > MAX_CTPL_RATE:
            field = f"volume_tiers.{bonus_tier}.rate" if bonus_tier is not None else f"rules.{culprit}.rate"
            errors.add(field, _ctpl_parts(worst, bonus, campaigns))
    errors.raise_if_any()
    if plan is None:
        plan = Plan.objects.create(
            name=name,
            scheme=scheme,
            settlement_mode=settlement_mode,
            promotion_bearer=promotion_bearer,
            promotion_shares=shares,
            created_by=actor,
        )
        action = "commission.plan.create"
    else:
        plan.name, plan.scheme, plan.settlement_mode = name, scheme, settlement_mode
        plan.promotion_bearer, plan.promotion_shares = promotion_bearer, shares
        plan.save()
        plan.rules.all().delete()
        plan.volume_tiers.all().delete()
        action = "commission.plan.update"
    Rule.objects.bulk_create(
        Rule(
            plan=plan,
            line=r["line"],
            insurer_id=r.get("insurer"),
            tier_id=r.get("tier"),
            distance=r.get("distance"),
            referrer=r["referrer"],
            rate_kind=r["rate_kind"],
            rate=r.get("rate") or Decimal(0),
            amount=r.get("amount") or Decimal(0),
            cap=r.get("cap"),
            valid_from=r.get("valid_from"),
            valid_to=r.get("valid_to"),
        )
        for r in rules
    )
    VolumeTier.objects.bulk_create(
        VolumeTier(
            plan=plan,
            lines=t["lines"],
            insurer_codes=t["insurer_codes"],
            threshold=t["threshold"],
            rate=t["rate"],
        )
        for t in volume_tiers
    )
    audit_event_record(
        actor=actor, action=action, summary=f"返利分成方案「{plan.name}」：{len(rules)} 条规则",
        object_type="commission_plan", object_id=plan.pk,
    )  # fmt: skip
    return plan


def plan_ctpl_rate(plan: Plan) -> Decimal:
    """The most ``plan`` can pay a chain on 交强险 premium: its rules and its 通算 bonus."""
    rules = [dict(r) for r in plan.rules.values("line", "insurer", "distance", "rate")]
    tiers = [dict(t) for t in plan.volume_tiers.values("lines", "rate")]
    return max_ctpl_chain_rate(plan.scheme, rules)[0] + max_ctpl_bonus_rate(tiers)[0]


@transaction.atomic
def plan_put_in_force(*, actor: User | None, plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.ARCHIVED:
        raise StateConflict("已归档的方案不能启用", code="plan_archived")
    worst = plan_ctpl_rate(plan)
    campaigns = max_ctpl_campaign_rate(_live_campaigns())
    if worst + campaigns > MAX_CTPL_RATE:
        raise ValidationFailed(
            f"交强险：方案（含通算奖励）最多 {_percent(worst)}，加上进行中的活动 {_percent(campaigns)} 超过 4% 上限",
            fields={"plan": [f"与进行中的交强险活动合计超过 4%（{_percent(worst + campaigns)}）"]},
        )
    Plan.objects.filter(in_force=True).exclude(pk=plan.pk).update(in_force=False)
    plan.in_force = True
    plan.save(update_fields=["in_force", "updated_at"])
    audit_event_record(actor=actor, action="commission.plan.in_force", summary=f"启用返利分成方案「{plan.name}」",
                       object_type="commission_plan", object_id=plan.pk)  # fmt: skip
    return plan


@transaction.atomic
def plan_remove(*, actor: User | None, plan: Plan) -> str:
    """Delete a plan that never paid anything; archive one that did. Returns "deleted" or "archived"."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if _plan_used(plan):
        plan.status, plan.in_force = PlanStatus.ARCHIVED, False
        plan.save(update_fields=["status", "in_force", "updated_at"])
        outcome = "archived"
    else:
        name = plan.name
        plan.delete()
        outcome = "deleted"
        plan.name = name
    audit_event_record(actor=actor, action=f"commission.plan.{outcome}", summary=f"返利分成方案「{plan.name}」{OUTCOME_WORDS[outcome]}",
                       object_type="commission_plan", object_id=plan.pk or "")  # fmt: skip
    return outcome


@transaction.atomic
def campaign_create(*, actor: User | None, **data: Any) -> Campaign:
    errors = FieldErrors()
    if not (data.get("name") or "").strip():
        errors.add("name", "请填写活动名称")
    lines = list(data.get("lines") or [])
    if not lines or set(lines) - set(Line.values):
        errors.add("lines", "请选择业务类型")
    rate = Decimal(data.get("rate") or 0)
    if not Decimal(0) < rate < Decimal(1):
        errors.add("rate", "活动比例应在 0 到 100% 之间")
    if data.get("valid_from") and data.get("valid_to") and data["valid_from"] > data["valid_to"]:
        errors.add("valid_to", "结束日期不能早于开始日期")
    codes = list(data.get("insurer_codes") or [])
    unknown = set(codes) - set(Insurer.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown:
        errors.add("insurer_codes", f"未知的保险公司：{', '.join(sorted(unknown))}")
    distance = data.get("distance") or 0
    if not errors and Line.CTPL in lines:
        # The plan in force (rules and 通算 bonus) plus every 交强险 campaign overlapping this one's
        # dates, this one included, may not pay a chain more than 4% of the premium.
        plan = Plan.objects.filter(in_force=True).first()
        worst = plan_ctpl_rate(plan) if plan else Decimal(0)
        others = _live_campaigns(start=data.get("valid_from"), end=data.get("valid_to"))
        campaigns = max_ctpl_campaign_rate([*others, {"lines": lines, "distance": distance, "rate": rate}])
        if worst + campaigns > MAX_CTPL_RATE:
            errors.add(
                "rate",
                f"交强险：现行方案（含通算奖励）最多分 {_percent(worst)}，加上活动 {_percent(campaigns)}"
                f" 合计 {_percent(worst + campaigns)}，超过 4% 上限",
            )
    errors.raise_if_any()
    campaign = Campaign.objects.create(
        name=data["name"].strip(),
        lines=lines,
        insurer_codes=codes,
        regions=list(data.get("regions") or []),
        rate=rate,
        distance=distance,
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
    )
    audit_event_record(actor=actor, action="commission.campaign.create",
                       summary=f"活动「{campaign.name}」 +{_percent(rate)}", object_type="campaign", object_id=campaign.pk)  # fmt: skip
    return campaign


# ---- the outbox consumer ----------------------------------------------------------------------


def process_events(*, limit: int = 500, today: date | None = None) -> int:
    """Read new sale events from the outbox (``core.DomainEvent``) after this consumer's cursor and
    write their entries. Safe to call from anywhere at any time: the cursor row is locked, and the
    writes are idempotent. Returns the number of events consumed."""

    def handle(events: list[DomainEvent]) -> None:
        plan = Plan.objects.filter(in_force=True).first()
        issued: list[int] = []
        paid: list[int] = []

        def flush() -> None:
            if plan is not None and issued:
                entries_for_policies(plan=plan, policy_ids=list(issued), today=today)
            if plan is not None and paid:
                entries_for_orders(plan=plan, order_ids=list(paid), today=today)
            issued.clear()
            paid.clear()

        for event in events:
            payload = event.payload
            if event.kind == "policy.issued":
                issued.append(int(event.object_id))
                continue
            if event.kind == "order.paid":
                paid.append(int(event.object_id))
                continue
            flush()
            if event.kind == "order.refunded":
                after = Decimal(payload["refunded"])
                reverse_order_entries(
                    order_id=int(event.object_id),
                    refunded_before=after - Decimal(payload["amount"]),
                    refunded_after=after,
                    total=Decimal(payload["total"]),
                    event_id=event.pk,
                    at=event.occurred_at,
                    today=today,
                )
                order = (
                    Order.objects.filter(pk=int(event.object_id))
                    .values("paid_at", "promoter_id", "number")
                    .first()
                )
                if order is not None and order["paid_at"] is not None:
                    _bonus_after_closing(
                        day=timezone.localtime(order["paid_at"]).date(), seller_id=order["promoter_id"],
                        key=f"refund:{event.pk}", why=f"订单退款 {order['number']}", at=event.occurred_at, today=today,
                    )  # fmt: skip
            if event.kind == "promotion.given":
                # One charge per gift given: the issued pack when the event names it (two packs with
                # one policy are two charges), else the event itself.
                pack = payload.get("issued_pack_id")
                promotion_charge(
                    policy_id=int(payload["policy_id"]),
                    value=Decimal(payload["value"]),
                    description=str(payload.get("description", "")),
                    plan=plan,
                    fact=f"pack:{pack}" if pack else f"event:{event.pk}",
                    today=today,
                )
            elif event.kind == "policy.cancelled":
                at = datetime.fromisoformat(payload["cancelled_at"])
                reverse_policy_entries(
                    policy_id=int(event.object_id),
                    refund_amount=Decimal(payload["refund_amount"]),
                    premium=Decimal(payload["premium"]),
                    at=at,
                    reason=f"退保 {payload.get('number', '')}：{payload.get('reason', '')}",
                    today=today,
                )
                sold = (
                    Policy.objects.filter(pk=int(event.object_id)).values("issued_at", "promoter_id").first()
                )
                if sold is not None and sold["issued_at"] is not None:
                    _bonus_after_closing(
                        day=timezone.localtime(sold["issued_at"]).date(), seller_id=sold["promoter_id"],
                        key=f"cancel:{event.object_id}", why=f"退保 {payload.get('number', '')}", at=at, today=today,
                    )  # fmt: skip
        flush()

    return consume(CONSUMER, handle, limit=limit)


def promotion_charge(
    *,
    policy_id: int,
    value: Decimal,
    description: str,
    plan: Plan | None,
    fact: str,
    today: date | None = None,
) -> list[Entry]:
    """促销活动结算: the actual value of a gift pack or coupon given with a sale, charged as the plan
    says: to the seller; across the chain in proportion to what each earned on the sale; by the
    plan's fixed per-level shares (50/30/20 …); or borne by the tenant (no entry). Splits are to the
    cent by largest remainder (``core.money.allocate``: the odd cent goes to the largest remainder,
    on a tie to the level nearest the seller). ``fact`` names what was given ("pack:<issued pack
    id>"): each gift is charged once, two gifts with one policy twice."""
    if plan is None or plan.promotion_bearer == PromotionBearer.TENANT or value <= 0:
        return []
    if Entry.objects.filter(
        source_type="policy",
        source_id=policy_id,
        kind=EntryKind.PROMOTION,
        fact_key=fact,
        reverses__isnull=True,
    ).exists():
        return []  # this gift was charged already (the same event read again)
    earned = list(
        Entry.objects.filter(
            source_type="policy", source_id=policy_id, kind__in=[EntryKind.COMMISSION, EntryKind.CAMPAIGN],
            reverses__isnull=True, amount__gt=0,
        ).order_by("level", "id")
    )  # fmt: skip
    if plan.promotion_bearer == PromotionBearer.SHARES:
        return _promotion_by_shares(policy_id, value, description, plan, fact, today)
    if not earned:
        return []
    sale = earned[0]
    shares: dict[int, Decimal] = {}
    paths: dict[int, list[int]] = {}
    for entry in earned:
        shares[entry.distributor_id] = shares.get(entry.distributor_id, Decimal(0)) + entry.amount
        paths[entry.distributor_id] = entry.path
    if plan.promotion_bearer == PromotionBearer.SELLER and sale.seller_id is not None:
        charges = {sale.seller_id: value}
        paths.setdefault(sale.seller_id, _current_path(sale.seller_id))
        how = "由销售人员承担"
    else:
        people = list(shares)
        parts = allocate(value, [shares[p] for p in people])
        charges = dict(zip(people, parts, strict=True))
        how = "按本单分成比例分担"
    total = sum(shares.values(), Decimal(0))
    period = current_open_period(today)
    rows = []
    for person, amount in charges.items():
        if amount == 0:
            continue
        share = (
            f"（本单所得 {shares.get(person, Decimal(0))} / {total}）"
            if plan.promotion_bearer == PromotionBearer.CHAIN
            else ""
        )
        rows.append(
            Entry(
                period=period,
                distributor_id=person,
                kind=EntryKind.PROMOTION,
                source_type="policy",
                source_id=policy_id,
                source_number=sale.source_number,
                line=sale.line,
                insurer_code=sale.insurer_code,
                seller_id=sale.seller_id,
                level=0,
                plan=plan,
                basis=value,
                amount=-amount,
                formula=f"促销「{description}」实际价值 {value}，{how}{share}：-{amount}"[:300],
                path=paths.get(person) or [person],
                sale_at=sale.sale_at,
                reason=description[:200],
                fact_key=fact,
            )  # fmt: skip
        )
    return Entry.objects.bulk_create(rows)


def _promotion_by_shares(
    policy_id: int, value: Decimal, description: str, plan: Plan, fact: str, today: date | None
) -> list[Entry]:
    """Fixed per-level shares of the cost over the seller's upline as it stood at the sale. A level
    the chain does not reach, or held by a referring customer (who earns nothing on insurance),
    leaves its share with the tenant."""
    policy = Policy.objects.select_related("insurer").filter(pk=policy_id).first()
    if policy is None or policy.promoter_id is None:
        return []
    shares = list(plan.promotion_shares)
    parts = allocate(value, shares) if sum(shares, Decimal(0)) > 0 else []
    ups = {
        p.depth: p
        for p in NetworkPath.objects.select_related("ancestor").filter(
            descendant_id=policy.promoter_id, valid_from__lte=policy.issued_at
        ).exclude(valid_to__lte=policy.issued_at)
    }  # fmt: skip
    period = current_open_period(today)
    rows = []
    for level, (share, amount) in enumerate(zip(shares, parts, strict=True)):
        up = ups.get(level)
        if amount == 0 or up is None or up.ancestor.kind != "agent":
            continue
        path = [p.ancestor_id for p in NetworkPath.objects.filter(
            descendant_id=up.ancestor_id, valid_from__lte=policy.issued_at
        ).exclude(valid_to__lte=policy.issued_at).order_by("-depth")]  # fmt: skip
        who = "销售本人" if level == 0 else f"上 {level} 级"
        rows.append(
            Entry(
                period=period,
                distributor_id=up.ancestor_id,
                kind=EntryKind.PROMOTION,
                source_type="policy",
                source_id=policy_id,
                source_number=policy.number,
                line=policy.line,
                insurer_code=policy.insurer.code,
                seller_id=policy.promoter_id,
                level=level,
                plan=plan,
                basis=value,
                rate=share / 100,
                amount=-amount,
                formula=f"促销「{description}」实际价值 {value}，按固定比例逐级分担：{who} {_percent(share / 100)} = -{amount}"[
                    :300
                ],
                path=path or [up.ancestor_id],
                sale_at=policy.issued_at,
                reason=description[:200],
                fact_key=fact,
            )  # fmt: skip
        )
    return Entry.objects.bulk_create(rows)


def _current_path(distributor_id: int) -> list[int]:
    ups = NetworkPath.objects.filter(descendant_id=distributor_id, valid_to__isnull=True).order_by("-depth")
    return list(ups.values_list("ancestor_id", flat=True)) or [distributor_id]


@transaction.atomic
def adjustment_create(*, actor: User | None, distributor: Distributor, amount: Decimal, reason: str) -> Entry:
    errors = FieldErrors()
    if amount == 0:
        errors.add("amount", "调整金额不能为 0")
    if not (reason or "").strip():
        errors.add("reason", "手工调整须填写原因")
    errors.raise_if_any()
    now = timezone.now()
    entry = Entry.objects.create(
        period=current_open_period(),
        distributor=distributor,
        kind=EntryKind.ADJUSTMENT,
        source_type="manual",
        basis=amount,
        amount=amount,
        formula=f"手工调整 {amount}：{reason.strip()}"[:300],
        path=_current_path(distributor.pk),
        sale_at=now,
        reason=reason.strip()[:200],
        created_by=actor,
    )
    audit_event_record(actor=actor, action="commission.adjustment", summary=f"{distributor.name} 调整 {amount}：{reason}",
                       object_type="commission_entry", object_id=entry.pk)  # fmt: skip
    return entry


# ---- settlement -------------------------------------------------------------------------------


def period_bounds(period: Period) -> tuple[date, date]:
    start = date(period.year, period.month, 1)
    end = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return start, end


@transaction.atomic
def settlement_start(*, actor: User | None, period: Period, today: date | None = None) -> SettlementRun:
    """Finance closes a month: the run is queued (the task does the work). Starting it again returns
    the same run; a failed run can be restarted."""
    today = today or timezone.localdate()
    period = Period.objects.select_for_update().get(pk=period.pk)
    if (period.year, period.month) > (today.year, today.month):
        raise ValidationFailed(fields={"period": ["不能结算未来的月份"]})
    run = SettlementRun.objects.filter(period=period).first()
    if run is not None and run.status != RunStatus.FAILED:
        return run
    if run is None:
        run = SettlementRun.objects.create(period=period, started_by=actor)
    else:
        run.status, run.error, run.progress = RunStatus.QUEUED, "", 0
        run.save()
    period.status = PeriodStatus.CLOSING
    period.save(update_fields=["status"])
    audit_event_record(actor=actor, action="commission.period.close", summary=f"结算 {period}",
                       object_type="commission_period", object_id=period.pk)  # fmt: skip
    return run


@transaction.atomic
def settlement_close(*, actor: User | None, period: Period) -> SettlementRun:
    """Finance closes a month from the console: ``settlement_start``, and the run's task queued once
    the transaction commits (a run already going or done is answered as it is, nothing queued)."""
    from commissions import tasks  # the tasks module imports this one

    run = settlement_start(actor=actor, period=period)
    if run.status == RunStatus.QUEUED:
        run_id = run.pk
        transaction.on_commit(lambda: tasks.settlement_run_task.delay(run_id))
    return run


def _progress(run: SettlementRun, progress: int, step: str) -> None:
    SettlementRun.objects.filter(pk=run.pk).update(progress=progress, step=step)


def _paths_now(people: list[int]) -> dict[int, list[int]]:
    paths: dict[int, list[int]] = defaultdict(list)
    ups = NetworkPath.objects.filter(descendant_id__in=people, valid_to__isnull=True).order_by(
        "descendant_id", "-depth"
    )
    for descendant, ancestor in ups.values_list("descendant_id", "ancestor_id"):
        paths[descendant].append(ancestor)
    return paths


def _volume_bonuses(period: Period, plan: Plan) -> int:
    """通算 at the month's close: one entry per seller and ladder reached (``fact_key`` the ladder).
    A restarted run writes only what is missing."""
    start, end = period_bounds(period)
    rows = volume_bonus_rows(plan_id=plan.pk, start=start, end=end)
    done = set(
        Entry.objects.filter(
            kind=EntryKind.VOLUME_BONUS, source_type="period", source_id=period.pk, reverses__isnull=True
        ).values_list("distributor_id", "fact_key")
    )  # fmt: skip
    rows = [r for r in rows if r["amount"] > 0 and (r["seller_id"], r["ladder"]) not in done]
    paths = _paths_now([r["seller_id"] for r in rows])
    now = timezone.now()
    Entry.objects.bulk_create(
        Entry(
            period=period,
            distributor_id=r["seller_id"],
            kind=EntryKind.VOLUME_BONUS,
            source_type="period",
            source_id=period.pk,
            source_number=str(period),
            seller_id=r["seller_id"],
            level=0,
            plan=plan,
            basis=r["basis"],
            rate=r["rate"],
            amount=r["amount"],
            formula=volume_bonus_text(r)[:300],
            path=paths.get(r["seller_id"]) or [r["seller_id"]],
            sale_at=now,
            fact_key=r["ladder"],
        )  # fmt: skip
        for r in rows
    )
    return len(rows)


def volume_bonus_recompute(
    *, period: Period, seller_id: int, key: str, why: str, at: datetime, today: date | None = None
) -> list[Entry]:
    """A 退保 (or a refund) after ``period`` closed: its 通算 bonuses are recomputed by the tiers of
    the plan that paid them (the original rates), without the business taken back; each
    difference is a reversal of the original bonus in the current open period. Once per ``key``
    (the cancellation or refund); a recompute that changes nothing writes nothing."""
    originals = list(
        Entry.objects.filter(
            kind=EntryKind.VOLUME_BONUS, source_type="period", source_id=period.pk, distributor_id=seller_id,
            reverses__isnull=True,
        ).select_related("plan")
    )  # fmt: skip
    if not originals:
        return []
    start, end = period_bounds(period)
    open_period = current_open_period(today)
    rows = []
    for original in originals:
        if original.plan_id is None or original.reversals.filter(reversal_key=key).exists():
            continue
        now = {
            r["ladder"]: r for r in volume_bonus_rows(plan_id=original.plan_id, start=start, end=end, seller_id=seller_id)
        }.get(original.fact_key)  # fmt: skip
        net = original.amount + sum((r.amount for r in original.reversals.all()), Decimal(0))
        then_basis = original.basis + sum((r.basis for r in original.reversals.all()), Decimal(0))
        amount = now["amount"] if now else Decimal("0.00")
        basis = now["basis"] if now else None
        difference = amount - net
        if difference == 0:
            continue
        after = (
            volume_bonus_text(now, prefix="重算")
            if now
            else f"重算：{period} 业绩不再达到最低门槛，奖励 0.00"
        )
        rows.append(
            Entry(
                period=open_period,
                distributor_id=seller_id,
                kind=EntryKind.VOLUME_BONUS,
                source_type="period",
                source_id=period.pk,
                source_number=str(period),
                seller_id=seller_id,
                level=0,
                plan_id=original.plan_id,
                basis=(basis if basis is not None else Decimal(0)) - then_basis,
                rate=original.rate,
                amount=difference,
                formula=f"通算冲回（{why}）：{after}；已得 {net}，差额 {difference}"[:300],
                path=original.path,
                sale_at=at,
                reverses=original,
                reversal_key=key,
                reason=why[:200],
                fact_key=original.fact_key,
            )  # fmt: skip
        )
    return Entry.objects.bulk_create(rows)


def _bonus_after_closing(
    *, day: date, seller_id: int | None, key: str, why: str, at: datetime, today: date | None
) -> None:
    """Business of ``day`` taken back: if its month is closed, recompute the seller's bonus there."""
    if seller_id is None:
        return
    period = Period.objects.filter(year=day.year, month=day.month, status=PeriodStatus.CLOSED).first()
    if period is not None:
        volume_bonus_recompute(period=period, seller_id=seller_id, key=key, why=why, at=at, today=today)


def _statements_sql(mode: str) -> str:
    """The month's statements in one ``INSERT … SELECT`` (issue 20: the sums were walked in Python
    and sent back as 10,000 JSON rows). One statement per person in any entry's chain. Same-level:
    each receives everything paid down their chain from the level above (the tenant for the top)
    and passes on to the level below what is not theirs. Cross-level: the tenant pays each their
    own. The month's entries are summed per chain, kind and beneficiary first (one row per chain
    where a chain has thousands of entries), and only those sums walked node by node. Amounts are
    exact decimals, so summing in SQL gives the cents summing in Python gave; the JSON keeps the
    same shape and text ("80.00", the tenant as 公司 first, then the people by id)."""
    if mode == SettlementMode.SAME_LEVEL:
        flows = """SELECT node, up AS other, amount AS receive, 0.00 AS pay FROM walk
            UNION ALL
            SELECT node, down, 0.00, amount FROM walk WHERE NOT own"""
    else:
        flows = "SELECT node, NULL::bigint AS other, amount AS receive, 0.00 AS pay FROM walk WHERE own"
    return f"""
    WITH per_chain AS (
        SELECT path, kind, distributor_id, SUM(amount) AS amount
        FROM commissions_entry WHERE period_id = %(period)s
        GROUP BY path, kind, distributor_id
    ),
    walk AS MATERIALIZED (
        SELECT x.node, e.path[x.i - 1] AS up, e.path[x.i + 1] AS down, e.kind, x.node = e.distributor_id AS own,
               e.amount
        FROM per_chain e CROSS JOIN LATERAL unnest(e.path) WITH ORDINALITY AS x(node, i)
    ),
    totals AS (
        SELECT node, jsonb_object_agg(kind, amount::text) AS totals, SUM(amount) AS earned
        FROM (SELECT node, kind, SUM(amount) AS amount FROM walk WHERE own GROUP BY node, kind) k
        GROUP BY node
    ),
    party AS (
        SELECT node, other, SUM(receive) AS receive, SUM(pay) AS pay FROM ({flows}) f GROUP BY node, other
    ),
    statement AS (
        SELECT p.node, SUM(p.receive) AS receivable, SUM(p.pay) AS payable,
               jsonb_agg(jsonb_build_object('distributor_id', p.other, 'name', COALESCE(d.name, '公司'),
                                            'receive', p.receive::text, 'pay', p.pay::text)
                         ORDER BY p.other NULLS FIRST) AS counterparties
        FROM party p LEFT JOIN network_distributor d ON d.id = p.other
        GROUP BY p.node
    )
    INSERT INTO commissions_statement (period_id, distributor_id, settlement_mode, totals, earned, receivable,
                                       payable, counterparties, status)
    SELECT %(period)s, s.node, %(mode)s, COALESCE(t.totals, '{{}}'), COALESCE(t.earned, 0), s.receivable,
           s.payable, s.counterparties, %(status)s
    FROM statement s LEFT JOIN totals t ON t.node = s.node
    ON CONFLICT DO NOTHING
    """


def statements_write(period: Period, mode: str) -> None:
    """Write the period's statements (those already written left as they are: a restarted run)."""
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_work_mem(cursor)
        cursor.execute(
            _statements_sql(mode), {"period": period.pk, "mode": mode, "status": StatementStatus.OPEN}
        )


def settlement_run_execute(run_id: int) -> SettlementRun:
    """The settlement task: volume bonuses, statements, then the month is closed. Every step is
    idempotent, so a redelivered or restarted run creates nothing twice.

    Surviving a crash: the task is acknowledged only when it ends (``acks_late``, and rejected back
    to the queue if its worker dies); while it runs, a thread beats ``heartbeat_at`` and a session
    lock on the run keeps a second delivery from running it at the same time (the lock goes with
    the worker's connection when the worker dies). The beat's watchdog re-queues a run whose
    heartbeat stopped."""
    run = SettlementRun.objects.select_related("period").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    with _run_lock(run.pk) as mine:
        if not mine:  # another worker is on it
            return run
        run.refresh_from_db()
        if run.status == RunStatus.DONE:
            return run
        with _heartbeat(run.pk):
            _settlement_steps(run)
    run.refresh_from_db()
    return run


def _settlement_steps(run: SettlementRun) -> None:
    SettlementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=5, step="读取事件", heartbeat_at=timezone.now()
    )
    try:
        process_events()
        period = run.period
        plan = Plan.objects.filter(in_force=True).first()
        _progress(run, 30, "通算奖励")
        with transaction.atomic():
            if plan is not None:
                _volume_bonuses(period, plan)
        _progress(run, 60, "生成对账单")
        mode = plan.settlement_mode if plan else SettlementMode.CROSS_LEVEL
        with transaction.atomic():
            statements_write(period, mode)
            Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED, closed_at=timezone.now())
            count = Statement.objects.filter(period=period).count()
            SettlementRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, progress=100, step="完成", statements=count, finished_at=timezone.now()
            )
    except Exception as exc:  # the run shows the failure; the period can be closed again
        logger.exception("settlement run %s failed", run.pk)
        SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000])


@contextmanager
def _run_lock(run_id: int) -> Iterator[bool]:
    key = f"settlement:{connection.schema_name}:{run_id}"  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        mine = bool(cursor.fetchone()[0])
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


@contextmanager
def _heartbeat(run_id: int) -> Iterator[None]:
    """Beat the run's ``heartbeat_at`` every ``SETTLEMENT_HEARTBEAT_SECONDS`` from a thread (its
    own connection), for as long as the block runs."""
    schema = connection.schema_name  # type: ignore[attr-defined]
    every = float(settings.SETTLEMENT_HEARTBEAT_SECONDS)
    stop = threading.Event()

    def beat() -> None:
        try:
            with schema_context(schema):
                while not stop.wait(every):
                    SettlementRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat at worst re-queues a live run, which the lock turns away
            logger.exception("settlement run %s: heartbeat failed", run_id)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"settlement-heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def settlement_watchdog(*, stale_after: timedelta | None = None, queue: str | None = None) -> list[int]:
    """Re-queue the runs of this tenant whose worker is gone: running (or queued) with no heartbeat
    for ``stale_after`` (default ``SETTLEMENT_STALE_SECONDS``). Re-queuing renews the heartbeat, so
    the next watchdog pass waits for the new task before trying again. Returns the runs re-queued."""
    from commissions.tasks import settlement_run_task

    stale_after = stale_after or timedelta(seconds=settings.SETTLEMENT_STALE_SECONDS)
    cutoff = timezone.now() - stale_after
    stuck = list(
        SettlementRun.objects.filter(status__in=[RunStatus.RUNNING, RunStatus.QUEUED])
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    for run_id in stuck:
        SettlementRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now(), step="重新排队")
        settlement_run_task.apply_async(args=[run_id], queue=queue or None)
        logger.warning("settlement run %s: heartbeat stopped, re-queued", run_id)
    return stuck


@transaction.atomic
def statement_pay(*, actor: User | None, statement: Statement) -> Statement:
    statement = Statement.objects.select_for_update().select_related("period").get(pk=statement.pk)
    if statement.status == StatementStatus.PAID:
        raise StateConflict("对账单已支付", code="statement_paid")
    statement.status, statement.paid_at, statement.paid_by = StatementStatus.PAID, timezone.now(), actor
    statement.save()
    audit_event_record(actor=actor, action="commission.statement.pay",
                       summary=f"{statement.period} 对账单已支付：{statement.distributor_id} {statement.earned}",
                       object_type="commission_statement", object_id=statement.pk)  # fmt: skip
    return statement
