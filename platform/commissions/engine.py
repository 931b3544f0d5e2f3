"""The commission engine, set-based: one SQL statement prices every beneficiary of every sale in a
batch (one policy as it is issued, or a whole book in the benchmark), so the arithmetic lives in
one place and scales.

For each issued policy with a seller, the seller's upline as it stood at ``issued_at`` (the closure
table with validity periods) is joined with the plan's rules:

* **per-level share** (逐级分成): the rule for the beneficiary's distance from the seller;
* **differential** (级差): the rule for the beneficiary's tier is a cumulative rate; a level earns
  its rate minus the highest rate below it in the chain (never less than 0).

Referring customers (not licensed) earn nothing on insurance: their share stays with the tenant, but
in a differential chain their rate still counts as "below" for the levels above them. A rule's cap
limits one beneficiary's amount on one sale. Walking up from the seller, the running total never
exceeds the commission the tenant received for the sale (premium × the insurer's rate): the level
that crosses it gets the remainder, the ones above nothing. Amounts round half-up to the cent.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from commissions.models import MAX_CTPL_RATE, Campaign, Line, Period, PeriodStatus, Plan, Scheme, ladder_key
from core.citus import inserted_rows, unique_violation

LINE_NAMES = dict(Line.choices)

LINE_LABELS_SQL = """CASE s.line WHEN 'ctpl' THEN '交强险保费' WHEN 'commercial' THEN '商业险保费'
    WHEN 'goods' THEN '商品金额' ELSE '服务金额' END"""

ENTRY_COLUMNS = (
    "period_id, distributor_id, kind, source_type, source_id, source_number, line, insurer_code, seller_id, "
    "level, plan_id, rule_id, campaign_id, basis, rate, amount, formula, path, sale_at, reverses_id, reason, "
    "created_by_id, created_at"
)
# A sale pays one beneficiary one commission (and one campaign) entry: the same sale read again is
# the duplicate this skips (fact_key is '' for these kinds).
ON_CONFLICT_ONCE = (
    "ON CONFLICT (source_type, source_id, distributor_id, kind, fact_key) "
    "WHERE (reverses_id IS NULL AND NOT (kind = 'adjustment')) DO NOTHING"
)


ON_CONFLICT_REVERSED = "ON CONFLICT (reverses_id, reversal_key) WHERE (reverses_id IS NOT NULL) DO NOTHING"


def _sales_sql(source_type: str, ids_filter: str) -> str:
    """The ``sale`` CTE: one row per sale with the same columns whatever it is. A policy's basis
    is its premium and the tenant received premium × the insurer's rate; an order line's basis and
    ceiling are its amount (the tenant's own goods and services)."""
    if source_type == "policy":
        return f"""
    sale AS (
        SELECT p.id, p.number, p.line, i.code AS insurer_code, p.insurer_id, p.premium AS basis,
               CASE WHEN p.line = 'ctpl'
                    THEN LEAST(round(p.premium * p.commission_rate, 2), round(p.premium * {MAX_CTPL_RATE}, 2))
                    ELSE round(p.premium * p.commission_rate, 2) END AS received,
               CASE WHEN p.line = 'ctpl' AND round(p.premium * {MAX_CTPL_RATE}, 2)
                         < round(p.premium * p.commission_rate, 2)
                    THEN '交强险 4%% 上限' ELSE '本单手续费' END AS ceiling,
               p.issued_at, p.promoter_id AS seller_id,
               q.region, (p.issued_at AT TIME ZONE %(tz)s)::date AS sale_day
        FROM quotes_policy p
        JOIN quotes_quote q ON q.id = p.quote_id
        JOIN directory_insurer i ON i.id = p.insurer_id
        WHERE p.promoter_id IS NOT NULL AND {ids_filter.replace("{id}", "p.id")}
    )"""
    return f"""
    sale AS (
        SELECT oi.id, o.number, CASE oi.kind WHEN 'goods' THEN 'goods' ELSE 'services' END AS line,
               ''::varchar AS insurer_code, NULL::bigint AS insurer_id, oi.amount AS basis, oi.amount AS received,
               '本单金额' AS ceiling, o.paid_at AS issued_at, o.promoter_id AS seller_id, ''::varchar AS region,
               (o.paid_at AT TIME ZONE %(tz)s)::date AS sale_day
        FROM mall_orderitem oi
        JOIN mall_order o ON o.id = oi.order_id
        WHERE o.promoter_id IS NOT NULL AND o.paid_at IS NOT NULL AND {ids_filter.replace("{id}", "o.id")}
    )"""


def _period_join(day: str) -> str:
    return f"""LEFT JOIN commissions_period pr ON pr.year = extract(year FROM {day})
        AND pr.month = extract(month FROM {day}) AND pr.status = 'open'"""


def period_for(day: date) -> Period:
    period, _ = Period.objects.get_or_create(year=day.year, month=day.month)
    return period


def current_open_period(today: date | None = None) -> Period:
    """Where late entries go: this month's period, or the first open month after it."""
    day = today or timezone.localdate()
    year, month = day.year, day.month
    while True:
        period = period_for(date(year, month, 1))
        if period.status == PeriodStatus.OPEN:
            return period
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _ensure_periods(sales: str, params: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH {sales}
                INSERT INTO commissions_period (year, month, status)
                SELECT DISTINCT extract(year FROM sale_day)::int, extract(month FROM sale_day)::int, 'open'
                FROM sale
                ON CONFLICT (year, month) DO NOTHING""",
            params,
        )


# What a statement over a whole month may sort and hash in memory: the engine's window functions
# sort every (sale, beneficiary) row by sale and level, and the settlement groups every entry; at
# PostgreSQL's default 4 MB a month of 1,000,000 entries sorted 115 MB on disk (issue 20). Set for
# the statement's transaction only (SET LOCAL), in the worker that runs it.
BULK_WORK_MEM = "256MB"


def bulk_work_mem(cursor: Any) -> None:
    """Raise work_mem to BULK_WORK_MEM until the current transaction ends."""
    cursor.execute("SELECT set_config('work_mem', %s, true)", [BULK_WORK_MEM])


def _filter(ids: list[int] | None) -> tuple[str, dict[str, Any]]:
    if ids is None:
        return "TRUE", {}
    return "{id} = ANY(%(ids)s)", {"ids": list(ids)}


def entries_for_policies(*, plan: Plan, policy_ids: list[int] | None, today: date | None = None) -> int:
    """Write the commission (and campaign) entries of the given issued policies (all when None)."""
    return entries_for_sales(source_type="policy", plan=plan, ids=policy_ids, today=today)


def entries_for_orders(*, plan: Plan, order_ids: list[int], today: date | None = None) -> int:
    """The entries of paid mall orders, one sale per order line (goods or services)."""
    return entries_for_sales(source_type="order_item", plan=plan, ids=order_ids, today=today)


def entries_for_sales(
    *, source_type: str, plan: Plan, ids: list[int] | None, today: date | None = None
) -> int:
    """Write the commission (and campaign) entries of the given sales (``ids`` are policies, or
    orders for ``order_item``; all when None). Idempotent: a sale already priced gets nothing new.
    Returns the number of entries written."""
    ids_filter, params = _filter(ids)
    params = {
        **params,
        "tz": settings.TIME_ZONE,
        "plan_id": plan.pk,
        "fallback": current_open_period(today).pk,
        "source_type": source_type,
    }
    sales = _sales_sql(source_type, ids_filter)
    _ensure_periods(sales, params)
    differential = plan.scheme == Scheme.DIFFERENTIAL
    # Differential: a level's tier, or for a referring customer (no tier) the plan's 推荐车主 rule
    # (goods and services only: the engine pays customers nothing on insurance either way).
    match = (
        "(r.tier_id = c.tier_id OR (r.referrer AND c.dkind = 'customer'))"
        if differential
        else "r.distance = c.depth"
    )
    step = "GREATEST(v - prev_v, 0)" if differential else "v"
    percent_text = (
        "format('%%s %%s × (%%s%%%% − %%s%%%%)', label, basis, trim_scale(v * 100), trim_scale(prev_v * 100))"
        if differential
        else "format('%%s %%s × %%s%%%%', label, basis, trim_scale(v * 100))"
    )
    fixed_text = "format('固定 %%s − %%s 元', v, prev_v)" if differential else "format('固定 %%s 元', v)"
    sql = f"""
    WITH {sales},
    dated AS (
        SELECT s.*, COALESCE(pr.id, %(fallback)s) AS period_id FROM sale s {_period_join("s.sale_day")}
    ),
    chain AS (
        SELECT s.*, {LINE_LABELS_SQL} AS label, np.ancestor_id AS beneficiary, np.depth, d.kind AS dkind,
               d.tier_id
        FROM dated s
        JOIN network_networkpath np ON np.descendant_id = s.seller_id AND np.valid_from <= s.issued_at
             AND (np.valid_to IS NULL OR np.valid_to > s.issued_at)
        JOIN network_distributor d ON d.id = np.ancestor_id
    ),
    rated AS (
        SELECT c.*, r.id AS rule_id, r.rate_kind, r.cap,
               CASE WHEN r.rate_kind = 'fixed' THEN r.amount ELSE r.rate END AS v
        FROM chain c
        LEFT JOIN LATERAL (
            SELECT r.* FROM commissions_rule r
            WHERE r.plan_id = %(plan_id)s AND r.line = c.line
              AND (r.insurer_id IS NULL OR r.insurer_id = c.insurer_id)
              AND (r.valid_from IS NULL OR r.valid_from <= c.sale_day)
              AND (r.valid_to IS NULL OR r.valid_to >= c.sale_day)
              AND {match}
            ORDER BY r.insurer_id NULLS LAST, r.id
            LIMIT 1
        ) r ON TRUE
    ),
    stepped AS (
        SELECT rated.*,
               COALESCE(MAX(v) OVER (PARTITION BY id ORDER BY depth DESC
                                     ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) AS prev_v
        FROM rated
    ),
    raw AS (
        SELECT stepped.*, {step} AS eff,
               CASE WHEN rule_id IS NULL OR (dkind = 'customer' AND line IN ('ctpl', 'commercial')) THEN 0
                    WHEN rate_kind = 'fixed' THEN {step}
                    ELSE round(basis * {step}, 2) END AS uncapped
        FROM stepped
    ),
    capped AS (
        SELECT raw.*, LEAST(uncapped, COALESCE(cap, 'Infinity')) AS raw_amount FROM raw
    ),
    paid AS (
        SELECT capped.*,
               GREATEST(0, LEAST(raw_amount, received - COALESCE(SUM(raw_amount) OVER (
                   PARTITION BY id ORDER BY depth DESC ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0)))
                   AS amount,
               array_agg(beneficiary) OVER (PARTITION BY id ORDER BY depth DESC
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS path
        FROM capped
    )
    INSERT INTO commissions_entry ({ENTRY_COLUMNS})
    SELECT period_id, beneficiary, 'commission', %(source_type)s, s.id, number, line, insurer_code,
           seller_id, depth, %(plan_id)s, rule_id, NULL, basis,
           CASE WHEN rate_kind = 'percent' THEN eff END, amount,
           left(CASE WHEN rate_kind = 'fixed' THEN {fixed_text} ELSE {percent_text} END
                || format(' = %%s', uncapped)
                || CASE WHEN raw_amount < uncapped THEN format('，单笔封顶 %%s', raw_amount) ELSE '' END
                || CASE WHEN amount < raw_amount
                        THEN format('，%%s %%s 已分完，实得 %%s', ceiling, received, amount) ELSE '' END, 300),
           path, issued_at, NULL, '', NULL, now()
    FROM paid s
    WHERE amount > 0
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None or len(ids) > 1000:
            bulk_work_mem(cursor)
        written = _insert_new(cursor, sales, sql, params)
        return written + _campaign_entries(sales, params)


def _any_priced(cursor: Any, sales: str, params: dict[str, Any]) -> bool:
    """Has any of the sales (every sale of the source type when not given ids) a commission entry?
    Probes of entry_once_per_source."""
    scope = "TRUE" if "ids" not in params else "e.source_id IN (SELECT id FROM sale)"
    cursor.execute(
        f"""WITH {sales}
            SELECT EXISTS (SELECT 1 FROM commissions_entry e
                           WHERE e.source_type = %(source_type)s AND e.kind = 'commission'
                             AND e.reverses_id IS NULL AND {scope})""",
        params,
    )
    return bool(cursor.fetchone()[0])


def _insert_new(cursor: Any, sales: str, insert_sql: str, params: dict[str, Any]) -> int:
    """Run the commission INSERT: plainly when none of the sales has a commission entry yet (the
    usual case: a sale priced as it happens), else with ON CONFLICT DO NOTHING, which skips what a
    sale already has. ON CONFLICT costs every row a probe of entry_once_per_source before its insert
    and a speculative insertion (issue 20: a month's 1,000,000 entries); a plain INSERT that meets a
    duplicate anyway (another transaction priced the same sale meanwhile) is rolled back to its
    savepoint and run again with ON CONFLICT, so the result is the same either way."""
    if not _any_priced(cursor, sales, params):
        try:
            with transaction.atomic():
                # Without ON CONFLICT the reported count is the rows written, on Citus too (the
                # count it gets wrong is the one that includes skipped conflicts: core.citus).
                cursor.execute(insert_sql, params)
                return int(cursor.rowcount)
        except (IntegrityError, InternalError) as exc:  # InternalError: the same, through Citus
            if not unique_violation(exc, "entry_once_per_source"):
                raise
    return inserted_rows(cursor, f"{insert_sql}\n{ON_CONFLICT_ONCE}", params)


def _campaign_entries(sales: str, params: dict[str, Any]) -> int:
    """活动手续费: the best campaign a sale qualifies for, per beneficiary (campaigns do not stack),
    within what is left of the tenant's commission after the plan's entries."""
    if not Campaign.objects.exists():  # no campaign, nothing to pay (and no sale to read again)
        return 0
    sql = f"""
    WITH {sales},
    spent AS (
        SELECT source_id, SUM(amount) AS total FROM commissions_entry
        WHERE source_type = %(source_type)s AND kind = 'commission' AND reverses_id IS NULL
          AND source_id IN (SELECT id FROM sale)
        GROUP BY source_id
    ),
    offer AS (
        SELECT DISTINCT ON (s.id, np.ancestor_id)
               s.*, {LINE_LABELS_SQL} AS label, c.id AS campaign_id, c.name AS campaign_name, c.rate,
               np.ancestor_id AS beneficiary, np.depth, d.kind AS dkind
        FROM sale s
        JOIN commissions_campaign c ON s.line = ANY(c.lines) AND s.sale_day BETWEEN c.valid_from AND c.valid_to
             AND (cardinality(c.insurer_codes) = 0 OR s.insurer_code = ANY(c.insurer_codes))
             AND (cardinality(c.regions) = 0 OR s.region = ANY(c.regions))
        JOIN network_networkpath np ON np.descendant_id = s.seller_id AND np.depth = c.distance
             AND np.valid_from <= s.issued_at AND (np.valid_to IS NULL OR np.valid_to > s.issued_at)
        JOIN network_distributor d ON d.id = np.ancestor_id
        WHERE NOT (d.kind = 'customer' AND s.line IN ('ctpl', 'commercial'))
        ORDER BY s.id, np.ancestor_id, c.rate DESC, c.id
    ),
    paid AS (
        SELECT o.*, round(o.basis * o.rate, 2) AS uncapped,
               GREATEST(0, LEAST(round(o.basis * o.rate, 2), o.received - COALESCE(sp.total, 0)
                   - COALESCE(SUM(round(o.basis * o.rate, 2)) OVER (PARTITION BY o.id ORDER BY o.depth, o.beneficiary
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS amount
        FROM offer o LEFT JOIN spent sp ON sp.source_id = o.id
    )
    INSERT INTO commissions_entry ({ENTRY_COLUMNS})
    SELECT COALESCE(pr.id, %(fallback)s), beneficiary, 'campaign', %(source_type)s, s.id, number, line, insurer_code,
           seller_id, depth, NULL, NULL, campaign_id, basis, rate, amount,
           left(format('活动「%%s」：%%s %%s × %%s%%%% = %%s', campaign_name, label, basis, trim_scale(rate * 100),
                       uncapped)
                || CASE WHEN amount < uncapped
                        THEN format('，%%s %%s 已分完，实得 %%s', ceiling, received, amount) ELSE '' END, 300),
           ARRAY(SELECT up.ancestor_id FROM network_networkpath up
                 WHERE up.descendant_id = s.beneficiary AND up.valid_from <= s.issued_at
                   AND (up.valid_to IS NULL OR up.valid_to > s.issued_at)
                 ORDER BY up.depth DESC),
           issued_at, NULL, '', NULL, now()
    FROM paid s {_period_join("s.sale_day")}
    WHERE amount > 0
    {ON_CONFLICT_ONCE}
    """
    with connection.cursor() as cursor:
        return inserted_rows(cursor, sql, params)


def reverse_policy_entries(
    *,
    policy_id: int,
    refund_amount: Decimal,
    premium: Decimal,
    at: datetime,
    reason: str,
    today: date | None = None,
) -> int:
    """退保: negative entries for every entry the policy paid, at the original rates, scaled by the
    share of the premium refunded (all of it: the entries and their reversals sum to zero). They go
    in the original period while it is open, else in the current open one. Idempotent."""
    ratio = (refund_amount / premium) if premium else Decimal(1)
    ratio = min(max(ratio, Decimal(0)), Decimal(1))
    params: dict[str, Any] = {
        "policy_id": policy_id,
        "ratio": ratio,
        "ratio_text": format(ratio.quantize(Decimal("0.0001")).normalize(), "f"),
        "at": at,
        "reason": reason[:200],
        "fallback": current_open_period(today).pk,
    }
    sql = f"""
    INSERT INTO commissions_entry ({ENTRY_COLUMNS}, reversal_key)
    SELECT COALESCE(pr.id, %(fallback)s), e.distributor_id, e.kind, e.source_type, e.source_id, e.source_number,
           e.line, e.insurer_code, e.seller_id, e.level, e.plan_id, e.rule_id, e.campaign_id,
           -round(e.basis * %(ratio)s, 2), e.rate, -round(e.amount * %(ratio)s, 2),
           left(format('退保冲回：原 %%s × 退费比例 %%s = -%%s', e.amount, %(ratio_text)s,
                       round(e.amount * %(ratio)s, 2)), 300),
           e.path, %(at)s, e.id, %(reason)s, NULL, now(), 'cancel'
    FROM commissions_entry e
    LEFT JOIN commissions_period pr ON pr.id = e.period_id AND pr.status = 'open'
    WHERE e.source_type = 'policy' AND e.source_id = %(policy_id)s AND e.reverses_id IS NULL
      AND e.kind <> 'adjustment' AND e.amount > 0  -- entry_once_per_source finds them
    {ON_CONFLICT_REVERSED}
    """
    with connection.cursor() as cursor:
        return inserted_rows(cursor, sql, params)


def reverse_order_entries(
    *,
    order_id: int,
    refunded_before: Decimal,
    refunded_after: Decimal,
    total: Decimal,
    event_id: int,
    at: datetime,
    today: date | None = None,
) -> int:
    """A mall refund (full or one of several partial ones): each entry the order paid loses the
    refunded share at its original rate, computed cumulatively (what the refunds so far take back,
    less what earlier refunds took), so partial refunds that add up to the total net each entry to
    exactly zero. Once per refund event."""
    params: dict[str, Any] = {
        "order_id": order_id,
        "before": refunded_before / total,
        "after": min(refunded_after / total, Decimal(1)),
        "refund": format(refunded_after - refunded_before, "f"),
        "total": format(total, "f"),
        "key": f"refund:{event_id}",
        "at": at,
        "fallback": current_open_period(today).pk,
    }
    sql = f"""
    WITH back AS (
        SELECT e.*, round(e.amount * %(after)s, 2) - round(e.amount * %(before)s, 2) AS taken,
               round(e.basis * %(after)s, 2) - round(e.basis * %(before)s, 2) AS basis_taken
        FROM commissions_entry e
        WHERE e.source_type = 'order_item' AND e.reverses_id IS NULL AND e.kind <> 'adjustment' AND e.amount > 0
          AND e.source_id IN (SELECT id FROM mall_orderitem WHERE order_id = %(order_id)s)
    )
    INSERT INTO commissions_entry ({ENTRY_COLUMNS}, reversal_key)
    SELECT COALESCE(pr.id, %(fallback)s), b.distributor_id, b.kind, b.source_type, b.source_id, b.source_number,
           b.line, b.insurer_code, b.seller_id, b.level, b.plan_id, b.rule_id, b.campaign_id, -b.basis_taken, b.rate,
           -b.taken,
           left(format('退款冲回：订单退款 %%s / 合计 %%s，原 %%s 冲回 -%%s', %(refund)s, %(total)s, b.amount, b.taken),
                300),
           b.path, %(at)s, b.id, '订单退款', NULL, now(), %(key)s
    FROM back b
    LEFT JOIN commissions_period pr ON pr.id = b.period_id AND pr.status = 'open'
    WHERE b.taken <> 0
    {ON_CONFLICT_REVERSED}
    """
    with connection.cursor() as cursor:
        return inserted_rows(cursor, sql, params)


# ---- 通算 (volume bonus) ------------------------------------------------------------------------

VOLUME_SQL = f"""
WITH biz AS (
    -- Insurance written by licensed agents in the period, less what 退保 refunded; a 交强险
    -- policy's room: 4%% of that premium less what its chain was paid on it (plan and campaign,
    -- net of reversals).
    SELECT p.promoter_id AS seller_id, p.id AS policy_id, p.line, i.code AS insurer_code,
           p.premium - COALESCE(p.refund_amount, 0) AS amount,
           CASE WHEN p.line = 'ctpl' THEN GREATEST(0, round((p.premium - COALESCE(p.refund_amount, 0))
                                                            * {MAX_CTPL_RATE}, 2) - COALESCE(paid.total, 0))
           END AS ctpl_room
    FROM quotes_policy p
    JOIN directory_insurer i ON i.id = p.insurer_id
    JOIN network_distributor d ON d.id = p.promoter_id AND d.kind = 'agent'
    LEFT JOIN (
        SELECT source_id, SUM(amount) AS total FROM commissions_entry
        WHERE source_type = 'policy' AND kind IN ('commission', 'campaign') GROUP BY source_id
    ) paid ON paid.source_id = p.id
    WHERE (p.issued_at AT TIME ZONE %(tz)s)::date >= %(start)s AND (p.issued_at AT TIME ZONE %(tz)s)::date < %(end)s
      AND (%(seller)s::bigint IS NULL OR p.promoter_id = %(seller)s::bigint)
      AND p.premium - COALESCE(p.refund_amount, 0) > 0
    UNION ALL
    -- Mall order lines paid in the period, less their share of the order's refunds.
    SELECT o.promoter_id, NULL, CASE oi.kind WHEN 'goods' THEN 'goods' ELSE 'services' END, '',
           round(oi.amount * (o.total - o.refunded) / NULLIF(o.total, 0), 2), NULL
    FROM mall_orderitem oi JOIN mall_order o ON o.id = oi.order_id
    WHERE o.promoter_id IS NOT NULL AND o.paid_at IS NOT NULL
      AND (o.paid_at AT TIME ZONE %(tz)s)::date >= %(start)s AND (o.paid_at AT TIME ZONE %(tz)s)::date < %(end)s
      AND (%(seller)s::bigint IS NULL OR o.promoter_id = %(seller)s::bigint)
      AND o.total > o.refunded
),
ladder AS (SELECT DISTINCT lines, insurer_codes FROM commissions_volumetier WHERE plan_id = %(plan)s),
counted AS (
    SELECT b.seller_id, l.lines, l.insurer_codes, SUM(b.amount) AS basis,
           COALESCE(SUM(b.amount) FILTER (WHERE b.line = 'ctpl'), 0) AS ctpl_basis,
           COALESCE(SUM(b.ctpl_room), 0) AS ctpl_room,
           count(b.policy_id) AS policies, count(*) - count(b.policy_id) AS order_lines
    FROM biz b JOIN ladder l ON b.line = ANY(l.lines)
         AND (b.line NOT IN ('ctpl', 'commercial') OR cardinality(l.insurer_codes) = 0
              OR b.insurer_code = ANY(l.insurer_codes))
    GROUP BY b.seller_id, l.lines, l.insurer_codes
)
SELECT DISTINCT ON (c.seller_id, c.lines, c.insurer_codes)
       c.seller_id, c.lines, c.insurer_codes, c.basis, c.ctpl_basis, c.ctpl_room, c.policies, c.order_lines,
       t.threshold, t.rate
FROM counted c JOIN commissions_volumetier t ON t.plan_id = %(plan)s AND t.lines = c.lines
     AND t.insurer_codes = c.insurer_codes AND c.basis >= t.threshold
WHERE c.basis > 0
ORDER BY c.seller_id, c.lines, c.insurer_codes, t.threshold DESC
"""


def volume_bonus_rows(
    *, plan_id: int, start: date, end: date, seller_id: int | None = None
) -> list[dict[str, Any]]:
    """通算 as the period's business stands now: per seller and ladder (the tiers with the same lines
    and insurers), the highest tier reached and its bonus on the ladder's whole business in the
    period. 退保 and refunds known so far are left out of the basis. The bonus on 交强险 premium is
    held within the policies' room under the 4% cap (plan, campaign and bonus together)."""
    params: dict[str, Any] = {
        "tz": settings.TIME_ZONE, "start": start, "end": end, "plan": plan_id, "seller": seller_id,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(VOLUME_SQL, params)
        columns = [c.name for c in cursor.description or []]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    cent = Decimal("0.01")
    for row in rows:
        row["ctpl_room"] = Decimal(row["ctpl_room"]).quantize(cent)
        rate, basis, ctpl = row["rate"], row["basis"], row["ctpl_basis"]
        uncapped = (basis * rate).quantize(cent, ROUND_HALF_UP)
        on_ctpl = (ctpl * rate).quantize(cent, ROUND_HALF_UP)
        row["uncapped"] = uncapped
        row["capped"] = ctpl > 0 and on_ctpl > row["ctpl_room"]
        row["amount"] = (
            ((basis - ctpl) * rate).quantize(cent, ROUND_HALF_UP) + row["ctpl_room"]
            if row["capped"]
            else uncapped
        )
        row["ladder"] = ladder_key(row["lines"], row["insurer_codes"])
    return rows


def volume_bonus_text(row: dict[str, Any], *, prefix: str = "通算") -> str:
    """ "通算（交强险、商业险）：本月 3 单保费 + 1 笔商城订单 2500.00 ≥ 门槛 2000.00，× 1% = 25.00"."""
    lines = "、".join(LINE_NAMES.get(x, x) for x in row["lines"])
    insurers = f"·{'/'.join(row['insurer_codes'])}" if row["insurer_codes"] else ""
    counts = [f"{row['policies']} 单保单"] if row["policies"] else []
    counts += [f"{row['order_lines']} 项商城商品/服务"] if row["order_lines"] else []
    text = (
        f"{prefix}（{lines}{insurers}）：本月 {' + '.join(counts)}，合计 {row['basis']} ≥ 门槛 {row['threshold']}，"
        f"× {(row['rate'] * 100).normalize():f}% = {row['uncapped']}"
    )
    if row["capped"]:
        text += f"；其中交强险部分受 4% 上限，仅余 {row['ctpl_room']}，实得 {row['amount']}"
    return text
