"""A shop's quality score (技术及服务双重质量考核), from the platform's technical inspections and the
owners' reviews of finished service orders.

The formula, all on a 0–100 scale, rounded half-up to one decimal:

- ``technical_score``: the mean of the shop's last ``RECENT_INSPECTIONS`` (3) inspection scores
  (newest by date); older inspections no longer count. ``None`` without any inspection.
- ``service_score``: 20 × the mean, over every review of the shop, of the review's two star
  ratings (technical and service, 1–5 each) — so an all-5-star shop has 100, all-3-star 60.
  ``None`` without any review.
- ``score``: ``TECHNICAL_WEIGHT`` (0.6) × technical + ``SERVICE_WEIGHT`` (0.4) × service when both
  exist; the one that exists when only one does; ``None`` when neither does.

``shop_scores`` computes every requested shop in one SQL statement. Reviews are the after-sales
app's ``Review`` rows; while that model is not installed, the review part is simply absent."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import FieldErrors
from core.services import audit_event_record
from directory.models import Shop, ShopInspection

RECENT_INSPECTIONS = 3
TECHNICAL_WEIGHT = Decimal("0.6")
SERVICE_WEIGHT = Decimal("0.4")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class ShopScore:
    score: Decimal | None
    technical_score: Decimal | None
    service_score: Decimal | None
    review_count: int
    inspection_count: int


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def combine(technical: Decimal | None, service: Decimal | None) -> Decimal | None:
    if technical is not None and service is not None:
        return _round(TECHNICAL_WEIGHT * technical + SERVICE_WEIGHT * service)
    return _round(technical if technical is not None else service)


def _review_table() -> str | None:
    try:
        model = apps.get_model("aftersales", "Review")
    except LookupError:  # the after-sales app (or its Review) is not installed yet
        return None
    return str(model._meta.db_table)


def shop_scores(shop_ids: Iterable[int]) -> dict[int, ShopScore]:
    """Every shop in ``shop_ids`` (a shop without data gets ``None`` scores), in one query."""
    ids = sorted({int(pk) for pk in shop_ids})
    if not ids:
        return {}
    reviews = _review_table()
    review_cte = (
        f"""reviewed AS (
            SELECT shop_id, avg((technical + service) / 2.0) * 20 AS stars, count(*) AS n
            FROM public."{reviews}" WHERE shop_id = ANY(%(ids)s) GROUP BY shop_id)"""
        if reviews
        else "reviewed AS (SELECT NULL::bigint AS shop_id, NULL::numeric AS stars, 0::bigint AS n)"
    )
    sql = f"""
        WITH ranked AS (
            SELECT shop_id, technical_score,
                   row_number() OVER (PARTITION BY shop_id ORDER BY inspected_on DESC, id DESC) AS rn,
                   count(*) OVER (PARTITION BY shop_id) AS total
            FROM public.directory_shopinspection WHERE shop_id = ANY(%(ids)s)),
        inspected AS (
            SELECT shop_id, avg(technical_score) AS technical, max(total) AS total
            FROM ranked WHERE rn <= %(recent)s GROUP BY shop_id),
        {review_cte}
        SELECT s.id, i.technical, r.stars, coalesce(r.n, 0), coalesce(i.total, 0)
        FROM unnest(%(ids)s::bigint[]) AS s(id)
        LEFT JOIN inspected i ON i.shop_id = s.id
        LEFT JOIN reviewed r ON r.shop_id = s.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "recent": RECENT_INSPECTIONS})
        rows = cursor.fetchall()
    scores = {}
    for shop_id, technical, stars, reviews_n, inspections_n in rows:
        technical_score = _round(technical)
        service_score = _round(stars)
        scores[int(shop_id)] = ShopScore(
            score=combine(technical_score, service_score),
            technical_score=technical_score,
            service_score=service_score,
            review_count=int(reviews_n),
            inspection_count=int(inspections_n),
        )
    return scores


@transaction.atomic
def shop_inspection_record(
    *,
    actor: User | None,
    shop: Shop,
    inspected_on: date | None,
    inspector: str,
    technical_score: int | None,
    notes: str = "",
) -> ShopInspection:
    """The platform records one technical inspection (技术考核) of ``shop``."""
    errors = FieldErrors()
    if inspected_on is None:
        errors.add("inspected_on", "请填写考核日期")
    elif inspected_on > timezone.localdate():
        errors.add("inspected_on", "考核日期不能晚于今天")
    inspector = (inspector or "").strip()
    if not inspector:
        errors.add("inspector", "请填写考核人")
    if technical_score is None or not 0 <= technical_score <= 100:
        errors.add("technical_score", "技术分应在 0 到 100 之间")
    if len(notes or "") > 500:
        errors.add("notes", "最多 500 个字符")
    errors.raise_if_any()
    assert inspected_on is not None and technical_score is not None
    inspection = ShopInspection.objects.create(
        shop=shop, inspected_on=inspected_on, inspector=inspector[:60], technical_score=technical_score,
        notes=(notes or "").strip(), created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    audit_event_record(actor=actor, action="shop.inspection", object_type="shop", object_id=shop.pk,
                       summary=f"{shop.name} {inspected_on} 技术分 {technical_score}")  # fmt: skip
    return inspection
