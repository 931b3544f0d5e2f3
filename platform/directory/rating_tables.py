"""Rating tables as data: the JSON kept in the database <-> ``CommercialRatingTable``.

One coverage per key, each with its pricing ``form`` and that form's numbers as strings, e.g.
``{"third_party": {"form": "limit_bases", "name": "第三者责任保险", "by_limit": {"100000": "650"}}}``.
Parsing checks everything the rating module checks, and reports the coverage and attribute at fault
as a dotted path (``coverages.third_party.by_limit``), so a table editor can point at it."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from core.jsonable import to_plain
from directory.rating_data import (
    ActualValueRate,
    CommercialRatingTable,
    CoveragePricing,
    FixedBase,
    LimitBases,
    PerSeatRate,
    RateOfCoverage,
)

FORMS: Mapping[str, type] = {
    form.form: form for form in (FixedBase, LimitBases, ActualValueRate, PerSeatRate, RateOfCoverage)
}


class RatingTableInvalid(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, bool | float) or value is None:
        raise RatingTableInvalid(f"应为十进制数字字符串：{value!r}", field=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RatingTableInvalid(f"应为数字：{value!r}", field=field) from None
    if not number.is_finite() or number < 0:
        raise RatingTableInvalid(f"应为非负数：{value!r}", field=field)
    return number


def _pricing(code: str, raw: Any) -> CoveragePricing:
    where = f"coverages.{code}"
    if not isinstance(raw, Mapping):
        raise RatingTableInvalid("应为对象", field=where)
    form = FORMS.get(str(raw.get("form")))
    if form is None:
        raise RatingTableInvalid(
            f"未知的定价方式 {raw.get('form')!r}；可选：{'、'.join(FORMS)}", field=f"{where}.form"
        )
    name = str(raw.get("name") or "").strip()
    if not name:
        raise RatingTableInvalid("请填写险种名称", field=f"{where}.name")
    kwargs: dict[str, Any] = {"name": name}
    if form is FixedBase:
        kwargs["amount"] = _decimal(raw.get("amount"), field=f"{where}.amount")
    elif form is LimitBases:
        by_limit = raw.get("by_limit")
        if not isinstance(by_limit, Mapping) or not by_limit:
            raise RatingTableInvalid("请按限额填写基准保费", field=f"{where}.by_limit")
        kwargs["by_limit"] = {
            _decimal(limit, field=f"{where}.by_limit"): _decimal(amount, field=f"{where}.by_limit.{limit}")
            for limit, amount in by_limit.items()
        }
    elif form is ActualValueRate:
        kwargs["fixed"] = _decimal(raw.get("fixed"), field=f"{where}.fixed")
        kwargs["rate"] = _decimal(raw.get("rate"), field=f"{where}.rate")
    elif form is PerSeatRate:
        kwargs["rate"] = _decimal(raw.get("rate"), field=f"{where}.rate")
    else:
        kwargs["rate"] = _decimal(raw.get("rate"), field=f"{where}.rate")
        kwargs["coverage"] = str(raw.get("coverage") or "")
    pricing: CoveragePricing = form(**kwargs)
    return pricing


def table_from_data(*, insurer: str, name: str, coverages: Any) -> CommercialRatingTable:
    if not isinstance(coverages, Mapping) or not coverages:
        raise RatingTableInvalid("费率表至少应有一个险种", field="coverages")
    parsed = {str(code): _pricing(str(code), raw) for code, raw in coverages.items()}
    try:
        return CommercialRatingTable(insurer=insurer, name=name, coverages=parsed)
    except ValueError as exc:
        raise RatingTableInvalid(str(exc), field="coverages") from None


def table_to_data(table: CommercialRatingTable) -> dict[str, Any]:
    """The JSON form of ``table.coverages`` (what ``table_from_data`` reads back)."""
    data: dict[str, Any] = to_plain(dict(table.coverages))
    for pricing in data.values():
        if "by_limit" in pricing:
            pricing["by_limit"] = {
                format(Decimal(limit).normalize(), "f"): amount
                for limit, amount in pricing["by_limit"].items()
            }
    return data
