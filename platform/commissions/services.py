"""Plans, campaigns, the outbox consumer that turns sales into entries, manual adjustments, and the
settlement run that closes a month into statements."""

import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from commissions.engine import (
    current_open_period,
    entries_for_orders,
    entries_for_policies,
    reverse_order_entries,
    reverse_policy_entries,
)
from commissions.models import (
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
)
from core.audit_labels import OUTCOME_WORDS
from core.errors import FieldErrors, StateConflict, ValidationFailed
from core.events import consume
from core.models import DomainEvent
from core.money import allocate
from core.services import audit_event_record
from directory.models import Insurer
from network.models import Distributor, NetworkPath, Tier

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
        if scheme == Scheme.DIFFERENTIAL:
            if rule.get("tier") not in tiers:
                errors.add(f"{where}.tier", "级差方案的每条规则须指定职级")
            rule["distance"] = None
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
        key = (rule.get("line"), rule.get("insurer"), rule.get("tier"), rule.get("distance"),
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
    thresholds = set()
    for index, tier in enumerate(tiers):
        if tier.get("threshold") is None or tier["threshold"] <= 0:
            errors.add(f"volume_tiers.{index}.threshold", "门槛应大于 0")
        elif tier["threshold"] in thresholds:
            errors.add(f"volume_tiers.{index}.threshold", "门槛重复")
        thresholds.add(tier.get("threshold"))
        if tier.get("rate") is None or not Decimal(0) < tier["rate"] < Decimal("0.5"):
            errors.add(f"volume_tiers.{index}.rate", "奖励比例应在 0 到 50% 之间")


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
) -> Plan:
    """Create or replace a plan with its rules. The 交强险 4% cap over the whole chain is checked
    here. A plan that has paid entries cannot change (copy it instead)."""
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
    _check_volume(list(volume_tiers or []), errors)
    if not errors:
        worst, culprit = max_ctpl_chain_rate(scheme, rules)
        if worst > MAX_CTPL_RATE:
            errors.add(
                f"rules.{culprit}.rate",
                f"交强险整条链分成合计 {_percent(worst)}，超过保费的 4%（交强险手续费上限）",
            )
    errors.raise_if_any()
    if plan is None:
        plan = Plan.objects.create(
            name=name,
            scheme=scheme,
            settlement_mode=settlement_mode,
            promotion_bearer=promotion_bearer,
            created_by=actor,
        )
        action = "commission.plan.create"
    else:
        plan.name, plan.scheme, plan.settlement_mode = name, scheme, settlement_mode
        plan.promotion_bearer = promotion_bearer
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
            plan=plan, threshold=t["threshold"], rate=t["rate"], include_goods=t.get("include_goods", False)
        )
        for t in volume_tiers or []
    )
    audit_event_record(
        actor=actor, action=action, summary=f"返利分成方案「{plan.name}」：{len(rules)} 条规则",
        object_type="commission_plan", object_id=plan.pk,
    )  # fmt: skip
    return plan


@transaction.atomic
def plan_put_in_force(*, actor: User | None, plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.ARCHIVED:
        raise StateConflict("已归档的方案不能启用", code="plan_archived")
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
    if not errors and Line.CTPL in lines:
        plan = Plan.objects.filter(in_force=True).first()
        worst = max_ctpl_chain_rate(plan.scheme, [dict(r) for r in plan.rules.values("line", "insurer", "distance", "rate")])[0] if plan else Decimal(0)  # fmt: skip
        if worst + rate > MAX_CTPL_RATE:
            errors.add(
                "rate", f"交强险：现行方案最多分 {_percent(worst)}，加上活动 {_percent(rate)} 超过 4% 上限"
            )
    errors.raise_if_any()
    campaign = Campaign.objects.create(
        name=data["name"].strip(),
        lines=lines,
        insurer_codes=codes,
        regions=list(data.get("regions") or []),
        rate=rate,
        distance=data.get("distance") or 0,
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
            if event.kind == "promotion.given":
                promotion_charge(
                    policy_id=int(payload["policy_id"]),
                    value=Decimal(payload["value"]),
                    description=str(payload.get("description", "")),
                    plan=plan,
                    today=today,
                )
            elif event.kind == "policy.cancelled":
                reverse_policy_entries(
                    policy_id=int(event.object_id),
                    refund_amount=Decimal(payload["refund_amount"]),
                    premium=Decimal(payload["premium"]),
                    at=datetime.fromisoformat(payload["cancelled_at"]),
                    reason=f"退保 {payload.get('number', '')}：{payload.get('reason', '')}",
                    today=today,
                )
        flush()

    return consume(CONSUMER, handle, limit=limit)


def promotion_charge(
    *, policy_id: int, value: Decimal, description: str, plan: Plan | None, today: date | None = None
) -> list[Entry]:
    """促销活动结算: the actual value of the gift packs or coupons given with a sale, charged as
    the plan says: to the seller; across the chain in proportion to what each earned on the sale
    (to the cent, largest remainder); or borne by the tenant (no entry). Once per sale."""
    if plan is None or plan.promotion_bearer == PromotionBearer.TENANT or value <= 0:
        return []
    earned = list(
        Entry.objects.filter(
            source_type="policy", source_id=policy_id, kind__in=[EntryKind.COMMISSION, EntryKind.CAMPAIGN],
            reverses__isnull=True, amount__gt=0,
        ).order_by("level", "id")
    )  # fmt: skip
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
            )  # fmt: skip
        )
    return Entry.objects.bulk_create(rows, ignore_conflicts=True)


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


def _progress(run: SettlementRun, progress: int, step: str) -> None:
    SettlementRun.objects.filter(pk=run.pk).update(progress=progress, step=step)


def _volume_bonuses(period: Period, plan: Plan) -> int:
    tiers = list(plan.volume_tiers.order_by("-threshold"))
    if not tiers:
        return 0
    start, end = period_bounds(period)
    # Insurance counts for licensed agents only; a tier with include_goods adds the seller's paid
    # mall orders (net of refunds) to the same basis.
    sql = """
    WITH ins AS (
        SELECT p.promoter_id AS seller_id, SUM(p.premium) AS amount, count(*) AS n
        FROM quotes_policy p JOIN network_distributor d ON d.id = p.promoter_id AND d.kind = 'agent'
        WHERE p.status = 'active' AND (p.issued_at AT TIME ZONE %(tz)s)::date >= %(start)s
          AND (p.issued_at AT TIME ZONE %(tz)s)::date < %(end)s
        GROUP BY p.promoter_id
    ),
    goods AS (
        SELECT o.promoter_id AS seller_id, SUM(o.total - o.refunded) AS amount, count(*) AS n
        FROM mall_order o
        WHERE o.promoter_id IS NOT NULL AND o.status IN ('paid', 'fulfilled', 'partially_refunded')
          AND (o.paid_at AT TIME ZONE %(tz)s)::date >= %(start)s AND (o.paid_at AT TIME ZONE %(tz)s)::date < %(end)s
        GROUP BY o.promoter_id
    ),
    sold AS (
        SELECT COALESCE(i.seller_id, g.seller_id) AS seller_id, COALESCE(i.amount, 0) AS ins,
               COALESCE(g.amount, 0) AS goods, COALESCE(i.n, 0) AS n_ins, COALESCE(g.n, 0) AS n_goods
        FROM ins i FULL JOIN goods g ON g.seller_id = i.seller_id
    ),
    reached AS (
        SELECT DISTINCT ON (s.seller_id) s.*, t.threshold, t.rate, t.include_goods,
               s.ins + CASE WHEN t.include_goods THEN s.goods ELSE 0 END AS basis
        FROM sold s JOIN commissions_volumetier t ON t.plan_id = %(plan)s
             AND s.ins + CASE WHEN t.include_goods THEN s.goods ELSE 0 END >= t.threshold
        ORDER BY s.seller_id, t.threshold DESC
    )
    INSERT INTO commissions_entry (period_id, distributor_id, kind, source_type, source_id, source_number, line,
        insurer_code, seller_id, level, plan_id, basis, rate, amount, formula, path, sale_at, reason, created_at)
    SELECT %(period)s, r.seller_id, 'volume_bonus', 'period', %(period)s, %(label)s, '', '', r.seller_id, 0,
           %(plan)s, r.basis, r.rate, round(r.basis * r.rate, 2),
           CASE WHEN r.include_goods
                THEN format('通算：本月 %%s 单保费 %%s + %%s 笔商城订单 %%s = %%s ≥ 门槛 %%s，× %%s%%%% = %%s',
                            r.n_ins, r.ins, r.n_goods, r.goods, r.basis, r.threshold, trim_scale(r.rate * 100),
                            round(r.basis * r.rate, 2))
                ELSE format('通算：本月 %%s 单保费 %%s ≥ 门槛 %%s，× %%s%%%% = %%s', r.n_ins, r.basis, r.threshold,
                            trim_scale(r.rate * 100), round(r.basis * r.rate, 2)) END,
           ARRAY(SELECT up.ancestor_id FROM network_networkpath up WHERE up.descendant_id = r.seller_id
                 AND up.valid_to IS NULL ORDER BY up.depth DESC),
           now(), '', now()
    FROM reached r
    WHERE r.basis > 0
    ON CONFLICT (source_type, source_id, distributor_id, kind)
        WHERE (reverses_id IS NULL AND NOT (kind = 'adjustment')) DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tz": settings.TIME_ZONE, "start": start, "end": end, "plan": plan.pk,
                             "period": period.pk, "label": str(period)})  # fmt: skip
        return cursor.rowcount


def statement_rows(period: Period, mode: str) -> list[Statement]:
    """One statement per person in any entry's chain. Same-level: each receives everything paid
    down their chain from the level above (the tenant for the top) and passes on to the level below
    what is not theirs. Cross-level: the tenant pays each their own."""
    sql = """
    SELECT x.node, e.path[x.i - 1] AS up, e.path[x.i + 1] AS down, e.kind, x.node = e.distributor_id AS own,
           SUM(e.amount)
    FROM commissions_entry e CROSS JOIN LATERAL unnest(e.path) WITH ORDINALITY AS x(node, i)
    WHERE e.period_id = %s
    GROUP BY 1, 2, 3, 4, 5
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk])
        rows = cursor.fetchall()
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    flows: dict[int, dict[tuple[str, Any], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for node, up, down, kind, own, amount in rows:
        if own:
            totals[node][kind] += amount
        if mode == SettlementMode.SAME_LEVEL:
            flows[node][("receive", up)] += amount
            if not own:
                flows[node][("pay", down)] += amount
        elif own:
            flows[node][("receive", None)] += amount
    names = dict(Distributor.objects.filter(pk__in=list(flows)).values_list("pk", "name"))
    others = {k[1] for f in flows.values() for k in f if k[1] is not None}
    names.update(Distributor.objects.filter(pk__in=others).values_list("pk", "name"))
    statements = []
    for node, flow in flows.items():
        parties: dict[Any, dict[str, Any]] = {}
        for (direction, other), amount in flow.items():
            party = parties.setdefault(
                other, {"distributor_id": other, "name": names.get(other, "公司") if other else "公司",
                        "receive": Decimal("0.00"), "pay": Decimal("0.00")},
            )  # fmt: skip
            party[direction] += amount
        earned = sum(totals[node].values(), Decimal(0))
        receivable = sum((p["receive"] for p in parties.values()), Decimal(0))
        payable = sum((p["pay"] for p in parties.values()), Decimal(0))
        statements.append(
            Statement(
                period=period,
                distributor_id=node,
                settlement_mode=mode,
                totals={k: format(v, "f") for k, v in sorted(totals[node].items())},
                earned=earned,
                receivable=receivable,
                payable=payable,
                counterparties=[
                    {**p, "receive": format(p["receive"], "f"), "pay": format(p["pay"], "f")}
                    for p in sorted(
                        parties.values(),
                        key=lambda p: (p["distributor_id"] is not None, p["distributor_id"] or 0),
                    )
                ],  # fmt: skip
            )
        )
    return statements


def settlement_run_execute(run_id: int) -> SettlementRun:
    """The settlement task: volume bonuses, statements, then the month is closed. Every step is
    idempotent, so a redelivered or restarted run creates nothing twice."""
    run = SettlementRun.objects.select_related("period").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=5, step="读取事件")
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
            Statement.objects.bulk_create(statement_rows(period, mode), ignore_conflicts=True)
            Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED, closed_at=timezone.now())
            count = Statement.objects.filter(period=period).count()
            SettlementRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, progress=100, step="完成", statements=count, finished_at=timezone.now()
            )
    except Exception as exc:  # the run shows the failure; the period can be closed again
        logger.exception("settlement run %s failed", run_id)
        SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000])
    run.refresh_from_db()
    return run


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
