"""Car-insurance rating: 交强险, 车船税 and 商业险, priced from public rules and the tenant's tables.

Pure functions over frozen dataclasses: no Django, no database, no clock (``today`` is passed in). A
quote is therefore priced the same way in a view, a Celery task or a test, and can be recomputed
years later from what was stored with it.

Money is Decimal in CNY, rounded half-up to 0.01 (``core.money``). Each formula rounds once, at its
end. Where one amount feeds another (the actual value into the 车损险 基准保费, a 基准保费 into its
line), the rounded amount is the one used, because it is the one shown on the quote: the breakdown
recomputes exactly from what the customer and the agent see.

Input errors raise ``RatingError`` (a ``ValueError``) naming the input (``field``) and a stable
``code`` that clients can switch on; messages are in Chinese, as users read them.

Facts and tables: ``directory.rating_data``; the names it defines are re-exported here, so callers need
only this module.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypedDict

from core.error_codes import ErrorCode
from core.jsonable import to_plain
from core.money import apply_rate, round_cny, to_decimal
from directory.rating_data import (
    ACTUAL_VALUE_FLOOR,
    AUTONOMOUS_PRICING_FACTOR_MAX,
    AUTONOMOUS_PRICING_FACTOR_MIN,
    CTPL_BASE_TABLES,
    CTPL_FLOATING_RATES,
    CTPL_OTHER_REGIONS_SCHEME,
    CTPL_SCHEME_REGIONS,
    DEFAULT_VEHICLE_TAX_TABLES,
    DEPRECIATION_SEAT_BANDS,
    DISPLACEMENT_BANDS,
    MONTHLY_DEPRECIATION,
    NCD_BY_CLAIM_FREE_YEARS,
    NCD_BY_CLAIMS_LAST_YEAR,
    PASSENGER_CAR_MAX_SEATS,
    PASSENGER_USES,
    PROVINCE_OF_CITY,
    REGION_NAME_SUFFIXES,
    REGIONS,
    SAMPLE_FAMILY_CAR_TABLE,
    THIRD_PARTY_LIMITS,
    VEHICLE_TAX_LEGAL_RANGES,
    VEHICLE_USE_NAMES,
    ActualValueRate,
    BandEdge,
    Bands,
    CommercialRatingTable,
    CoverageCode,
    CoveragePricing,
    CtplHistoryClass,
    Energy,
    FixedBase,
    LimitBases,
    Measure,
    PerSeatRate,
    RateOfCoverage,
    VehicleTaxTable,
    VehicleUse,
)

__all__ = [
    "ACTUAL_VALUE_FLOOR",
    "AUTONOMOUS_PRICING_FACTOR_MAX",
    "AUTONOMOUS_PRICING_FACTOR_MIN",
    "DEFAULT_VEHICLE_TAX_TABLES",
    "SAMPLE_FAMILY_CAR_TABLE",
    "THIRD_PARTY_LIMITS",
    "ActualValueRate",
    "ActualValueRating",
    "ClaimHistory",
    "CommercialLine",
    "CommercialRatingTable",
    "CoverageChoice",
    "CoverageCode",
    "CoveragePricing",
    "CoverageSelection",
    "CtplHistoryClass",
    "CtplRating",
    "Energy",
    "FixedBase",
    "HistorySource",
    "LimitBases",
    "PerSeatRate",
    "QuoteRating",
    "RateOfCoverage",
    "RatingError",
    "VehicleDescription",
    "VehicleTaxRating",
    "VehicleTaxTable",
    "VehicleUse",
    "actual_value",
    "autonomous_pricing_factor_check",
    "band_index",
    "commercial_base_premium",
    "commercial_premium",
    "ctpl_base_band",
    "ctpl_base_premium",
    "ctpl_floating_rate",
    "ctpl_floating_scheme",
    "ctpl_premium",
    "full_months_of_age",
    "history_for_rating",
    "monthly_depreciation",
    "ncd_coefficient",
    "rate_quote",
    "region_name",
    "vehicle_tax_amount",
    "vehicle_tax_annual",
    "vehicle_tax_months",
    "vehicle_tax_table_check",
    "vehicle_tax_table_for",
    "vehicle_tax_table_problems",
]

Number = Decimal | int | str


class RatingError(ValueError):
    """Input that cannot be rated. ``field`` names the input, ``code`` is stable for clients."""

    def __init__(self, message: str, *, field: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# --- Inputs --------------------------------------------------------------------------------------


def _optional_decimal(value: Number | None, *, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise RatingError(
            f"{field} 应为十进制数（不接受浮点数）：{value!r}", field=field, code="invalid_number"
        ) from exc


def _positive_int(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RatingError(f"{field} 应为正整数：{value!r}", field=field, code="invalid_count")
    return value


def _vehicle_use(value: VehicleUse | str) -> VehicleUse:
    try:
        return VehicleUse(value)
    except ValueError:
        known = "、".join(f"{use.value}（{name}）" for use, name in VEHICLE_USE_NAMES.items())
        raise RatingError(
            f"未知的车辆使用性质 use={value!r}；可选：{known}", field="use", code="unknown_vehicle_use"
        ) from None


def _energy(value: Energy | str) -> Energy:
    try:
        return Energy(value)
    except ValueError:
        raise RatingError(
            f"未知的能源类型 energy={value!r}；可选：fuel、new_energy", field="energy", code="unknown_energy"
        ) from None


@dataclass(frozen=True, kw_only=True)
class VehicleDescription:
    """What rating needs to know about the vehicle. Which fields are required depends on what is
    rated (seats for a passenger car's 交强险, the purchase date for the 车船税 …); the function that
    needs a missing one says so by name."""

    use: VehicleUse
    seats: int | None = None  # 核定座位数
    tonnage: Decimal | None = None  # 核定载质量, tonnes
    displacement: Decimal | None = None  # 排量, litres
    energy: Energy = Energy.FUEL
    purchase_price: Decimal | None = None  # 新车购置价
    first_registration: date | None = None  # 初次登记日期
    purchase_date: date | None = None  # 购置日期 (invoice): the 车船税 is due from that month

    def __post_init__(self) -> None:
        object.__setattr__(self, "use", _vehicle_use(self.use))
        object.__setattr__(self, "energy", _energy(self.energy))
        if self.seats is not None:
            _positive_int(self.seats, field="seats")
        for name in ("tonnage", "displacement", "purchase_price"):
            value = _optional_decimal(getattr(self, name), field=name)
            if value is not None and value < 0:
                raise RatingError(f"{name} 不能为负数：{value}", field=name, code="negative_number")
            object.__setattr__(self, name, value)


class HistorySource(StrEnum):
    """Where the claim history a quote was rated with comes from (shown in the price explanation)."""

    STATED = "stated"  # as the user stated it, for a car with an earlier policy (or of unknown age)
    NEW_VEHICLE = "new_vehicle"  # no earlier policy and under a year old: rated as new, whatever was stated
    TRANSFERRED = "transferred"  # the user stated that a history carries over to this car (换车承继 …)


@dataclass(frozen=True, kw_only=True)
class ClaimHistory:
    """The two records insurers keep: the 交强险 history class, and for 商业险 (NCD) either the run of
    claim-free years or the number of claims last year (never both). ``source`` says where it came
    from (``history_for_rating``)."""

    ctpl_class: CtplHistoryClass = CtplHistoryClass.NEW
    claim_free_years: int = 0
    claims_last_year: int = 0
    source: HistorySource = HistorySource.STATED

    def __post_init__(self) -> None:
        object.__setattr__(self, "ctpl_class", _ctpl_history_class(self.ctpl_class))
        try:
            object.__setattr__(self, "source", HistorySource(self.source))
        except ValueError:
            raise RatingError(
                f"未知的出险记录来源 {self.source!r}", field="source", code="unknown_history_source"
            ) from None
        ncd_coefficient(claim_free_years=self.claim_free_years, claims_last_year=self.claims_last_year)


def history_for_rating(
    stated: ClaimHistory,
    *,
    first_registration: date | None,
    purchase_date: date | None,
    earlier_policy: bool,
    transferred: bool,
    today: date,
) -> ClaimHistory:
    """The history a car is rated with. A car with no earlier policy that is less than a year old
    (from its first registration, else its purchase) has no record of its own: it is rated as new
    (交强险 not floating, NCD 1.0) whatever was stated, unless the user states that a history carries
    over to it (``transferred``: an NCD transfer from the owner's previous car, or a policy bought
    elsewhere that the record does not show). Any other car is rated with the stated history."""
    if transferred:
        return replace(stated, source=HistorySource.TRANSFERRED)
    since = first_registration or purchase_date
    if not earlier_policy and since is not None and _add_years(since, 1) > today:
        return ClaimHistory(source=HistorySource.NEW_VEHICLE)
    return replace(stated, source=HistorySource.STATED)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, kw_only=True)
class CoverageChoice:
    """One 商业险 coverage the customer chose, with what its pricing form needs: a limit (三者险,
    划痕险 …) or seats and a limit per seat (车上人员责任险)."""

    code: str
    limit: Decimal | None = None
    seats: int | None = None
    limit_per_seat: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", str(self.code))
        object.__setattr__(self, "limit", _optional_decimal(self.limit, field="limit"))
        object.__setattr__(
            self, "limit_per_seat", _optional_decimal(self.limit_per_seat, field="limit_per_seat")
        )
        if self.seats is not None:
            _positive_int(self.seats, field="seats")


@dataclass(frozen=True, kw_only=True)
class CoverageSelection:
    """What the quote covers. The 车船税 is collected with the 交强险, so it is charged only when
    the 交强险 is; ``vehicle_tax=False`` is for a vehicle with a tax-paid or exemption certificate
    (完税/免税证明), or one the tax data does not cover (trucks, buses, motorcycles)."""

    ctpl: bool = True
    vehicle_tax: bool = True
    commercial: tuple[CoverageChoice, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "commercial", tuple(self.commercial))
        codes = [choice.code for choice in self.commercial]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise RatingError(
                f"险种重复：{', '.join(repeated)}", field="commercial", code="coverage_repeated"
            )


# --- Regions and bands ---------------------------------------------------------------------------


def region_name(province: str) -> str:
    """The short name a region is known by ("广东省" -> "广东", "深圳市" -> "深圳"). Unknown names
    are refused rather than priced as "all other regions": a typo must not pass as 广东."""
    name = (province or "").strip()
    for suffix in REGION_NAME_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in REGIONS:
            name = name[: -len(suffix)]
            break
    if name not in REGIONS:
        raise RatingError(
            f"未知的投保地区 province={province!r}：应为省、自治区、直辖市或计划单列市，如 广东、深圳、北京",
            field="province",
            code="unknown_region",
        )
    return name


def band_index(bands: Bands, value: Decimal) -> int:
    """Index of the band ``value`` falls in, with the boundary on the side ``bands.edge`` says."""
    if bands.edge is BandEdge.LOWER_INCLUSIVE:
        return bisect_right(bands.cuts, value)
    return bisect_left(bands.cuts, value)


# --- 交强险 -------------------------------------------------------------------------------------


def _ctpl_history_class(value: CtplHistoryClass | str) -> CtplHistoryClass:
    try:
        return CtplHistoryClass(value)
    except ValueError:
        known = "、".join(item.value for item in CtplHistoryClass)
        raise RatingError(
            f"未知的交强险浮动等级 {value!r}；可选：{known}", field="ctpl_class", code="unknown_ctpl_class"
        ) from None


def _ctpl_band(
    *, use: VehicleUse | str, seats: int | None, tonnage: Number | None, displacement: Number | None
) -> tuple[VehicleUse, int]:
    use = _vehicle_use(use)
    table = CTPL_BASE_TABLES[use]
    measure = table.bands.measure
    name = VEHICLE_USE_NAMES[use]
    if measure is Measure.SEATS:
        if seats is None:
            raise RatingError(
                f"{name}的交强险按座位数定价：请填写 seats", field="seats", code="missing_seats"
            )
        value = Decimal(_positive_int(seats, field="seats"))
    else:
        raw = tonnage if measure is Measure.TONNAGE else displacement
        found = _optional_decimal(raw, field=measure.value)
        if found is None:
            unit = "吨位" if measure is Measure.TONNAGE else "排量"
            raise RatingError(
                f"{name}的交强险按{unit}定价：请填写 {measure.value}",
                field=measure.value,
                code="missing_tonnage" if measure is Measure.TONNAGE else "missing_displacement",
            )
        if found <= 0:
            raise RatingError(
                f"{measure.value} 应大于 0：{found}",
                field=measure.value,
                code="invalid_tonnage" if measure is Measure.TONNAGE else "invalid_displacement",
            )
        value = found
    return use, band_index(table.bands, value)


def ctpl_base_premium(
    *,
    use: VehicleUse | str,
    seats: int | None = None,
    tonnage: Number | None = None,
    displacement: Number | None = None,
) -> Decimal:
    """交强险 基础保费 from the national table (by seats, tonnes or, for motorcycles, litres).

    Seat and tonnage bands include their lower bound and exclude their upper one, as the table's own
    note says (含起点不含终点): "6–10座" is 6 ≤ seats < 10 and "20座以上" is seats ≥ 20; "2–5吨" is
    2 ≤ t < 5. Motorcycle bands include their upper bound: ≤ 0.05 L (50 cc), ≤ 0.25 L, above.
    Only the measure the use is banded by is read; the others may be None.
    """
    use, index = _ctpl_band(use=use, seats=seats, tonnage=tonnage, displacement=displacement)
    return round_cny(CTPL_BASE_TABLES[use].premiums[index])


def ctpl_base_band(
    *,
    use: VehicleUse | str,
    seats: int | None = None,
    tonnage: Number | None = None,
    displacement: Number | None = None,
) -> str:
    """The band's label as the table prints it ("6座以下"), shown next to the base premium."""
    use, index = _ctpl_band(use=use, seats=seats, tonnage=tonnage, displacement=displacement)
    return CTPL_BASE_TABLES[use].bands.labels[index]


def ctpl_floating_scheme(*, province: str) -> int:
    """The 2020 reform's regional scheme (1..5): the named regions of 1–4, every other one 5."""
    region = region_name(province)
    for scheme, regions in CTPL_SCHEME_REGIONS.items():
        if region in regions:
            return scheme
    return CTPL_OTHER_REGIONS_SCHEME


def ctpl_floating_rate(*, province: str, history_class: CtplHistoryClass | str) -> Decimal:
    """The floating rate for the region's scheme and the vehicle's history; a new vehicle floats 0."""
    return CTPL_FLOATING_RATES[ctpl_floating_scheme(province=province)][_ctpl_history_class(history_class)]


def ctpl_premium(*, base_premium: Number, floating_rate: Number) -> Decimal:
    """交强险 premium = base × (1 + floating rate), rounded once."""
    return apply_rate(base_premium, 1 + to_decimal(floating_rate))


# --- 车船税 -------------------------------------------------------------------------------------


def vehicle_tax_table_problems(table: VehicleTaxTable) -> tuple[str, ...]:
    """Every band of the table outside its legal range (both ends allowed), one message each. Empty
    when the table is lawful. Used when the tenant saves a table and again before pricing."""
    problems = []
    for label, amount, (low, high) in zip(
        DISPLACEMENT_BANDS.labels, table.annual_tax, VEHICLE_TAX_LEGAL_RANGES, strict=True
    ):
        if not low <= amount <= high:
            problems.append(f"{label}：{amount} 元不在法定范围 {low}–{high} 元内")
    return tuple(problems)


def vehicle_tax_table_check(table: VehicleTaxTable) -> None:
    """Refuse a table with any band outside the law, naming every such band."""
    problems = vehicle_tax_table_problems(table)
    if problems:
        raise RatingError(
            f"{table.province}车船税税额表超出法定范围：{'；'.join(problems)}",
            field="vehicle_tax_table",
            code="vehicle_tax_out_of_legal_range",
        )


def vehicle_tax_table_for(*, province: str, tenant_table: VehicleTaxTable | None = None) -> VehicleTaxTable:
    """The table to tax with: the tenant's, if it maintains one; else the default for the province
    (a 计划单列市 such as 深圳 uses its province's); else a clear error, never a guess."""
    region = region_name(province)
    tax_province = PROVINCE_OF_CITY.get(region, region)
    if tenant_table is not None:
        try:
            table_region = region_name(tenant_table.province)
        except RatingError as exc:
            raise RatingError(exc.message, field="vehicle_tax_table", code=exc.code) from None
        if table_region not in (region, tax_province):
            raise RatingError(
                f"车船税税额表属于{table_region}，车辆在{region}投保",
                field="vehicle_tax_table",
                code="vehicle_tax_table_wrong_province",
            )
        vehicle_tax_table_check(tenant_table)
        return tenant_table
    default = DEFAULT_VEHICLE_TAX_TABLES.get(tax_province)
    if default is None:
        raise RatingError(
            f"没有{region}的车船税税额表：请先维护该地区的税额表",
            field="vehicle_tax_table",
            code="vehicle_tax_table_missing",
        )
    return default


def vehicle_tax_annual(
    *, table: VehicleTaxTable, displacement: Number | None, energy: Energy | str = Energy.FUEL
) -> Decimal:
    """A passenger car's yearly 车船税: the table's amount for its displacement band; 0 for a
    new-energy vehicle (exempt). Displacement bands include their upper bound, as the law words
    them: ≤ 1.0 L is the first band, 1.0 < L ≤ 1.6 the second, …, above 4.0 L the last."""
    if _energy(energy) is Energy.NEW_ENERGY:
        return round_cny(0)
    litres = _optional_decimal(displacement, field="displacement")
    if litres is None or litres <= 0:
        raise RatingError(
            "燃油车的车船税按排量计：请填写大于 0 的 displacement（升）",
            field="displacement",
            code="missing_displacement",
        )
    vehicle_tax_table_check(table)
    return round_cny(table.annual_tax[band_index(DISPLACEMENT_BANDS, litres)])


def vehicle_tax_months(*, purchase_date: date, tax_year: int) -> int:
    """Months taxed in ``tax_year``: 12, or for a vehicle bought that year the months from its
    purchase month to December inclusive (bought in October: 10, 11, 12 -> 3)."""
    if purchase_date.year > tax_year:
        raise RatingError(
            f"购置日期 {purchase_date} 晚于纳税年度 {tax_year}",
            field="purchase_date",
            code="purchase_date_in_future",
        )
    if purchase_date.year < tax_year:
        return 12
    return 13 - purchase_date.month


def vehicle_tax_amount(*, annual_tax: Number, months: int) -> Decimal:
    """Tax due = annual × months / 12, rounded once."""
    if isinstance(months, bool) or not 1 <= months <= 12:
        raise RatingError(f"计税月数应在 1–12 之间：{months}", field="months", code="invalid_months")
    return round_cny(to_decimal(annual_tax) * months / 12)


# --- 商业险 -------------------------------------------------------------------------------------


def ncd_coefficient(*, claim_free_years: int = 0, claims_last_year: int = 0) -> Decimal:
    """NCD (无赔款优待) coefficient. Claim-free years: 0 (new) 1.0, 1 → 0.8, 2 → 0.7, 3 → 0.6,
    4 or more → 0.5. Claims last year: 1 → 1.0, 2 → 1.25, 3 → 1.5, 4 → 1.75, 5 or more → 2.0.
    A vehicle with claims last year has no claim-free run, so both at once is refused."""
    for name, value in (("claim_free_years", claim_free_years), ("claims_last_year", claims_last_year)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RatingError(f"{name} 应为非负整数：{value!r}", field=name, code="invalid_count")
    if claim_free_years and claims_last_year:
        raise RatingError(
            "上年有出险记录的车辆没有连续不出险年数：claim_free_years 与 claims_last_year 只能填一个",
            field="claims_last_year",
            code="ncd_history_contradictory",
        )
    if claims_last_year:
        return NCD_BY_CLAIMS_LAST_YEAR[min(claims_last_year, max(NCD_BY_CLAIMS_LAST_YEAR))]
    return NCD_BY_CLAIM_FREE_YEARS[min(claim_free_years, max(NCD_BY_CLAIM_FREE_YEARS))]


def autonomous_pricing_factor_check(factor: Number) -> Decimal:
    """The insurer's 自主定价系数 as a Decimal, refused outside the legal range [0.5, 1.5]."""
    value = _optional_decimal(factor, field="autonomous_pricing_factor")
    if value is None or not AUTONOMOUS_PRICING_FACTOR_MIN <= value <= AUTONOMOUS_PRICING_FACTOR_MAX:
        raise RatingError(
            f"自主定价系数应在 {AUTONOMOUS_PRICING_FACTOR_MIN}–{AUTONOMOUS_PRICING_FACTOR_MAX} 之间：{factor}",
            field="autonomous_pricing_factor",
            code="autonomous_pricing_factor_out_of_range",
        )
    return value


def _traffic_violation_factor_check(factor: Number) -> Decimal:
    value = _optional_decimal(factor, field="traffic_violation_factor")
    if value is None or value <= 0:
        raise RatingError(
            f"交通违法系数应大于 0：{factor}",
            field="traffic_violation_factor",
            code="invalid_traffic_violation_factor",
        )
    return value


def commercial_premium(
    *,
    base_premium: Number,
    ncd: Number,
    autonomous_pricing_factor: Number,
    traffic_violation_factor: Number = 1,
) -> Decimal:
    """One coverage's premium = 基准保费 × NCD × 自主定价系数 × 交通违法系数, rounded once."""
    factor = autonomous_pricing_factor_check(autonomous_pricing_factor)
    violation = _traffic_violation_factor_check(traffic_violation_factor)
    return round_cny(to_decimal(base_premium) * to_decimal(ncd) * factor * violation)


def full_months_of_age(*, first_registration: date, on: date) -> int:
    """Whole months from first registration to ``on``; a month counts once its day is reached
    (registered 20 March: one month on 20 April, still none on 19 April)."""
    if on < first_registration:
        raise RatingError(
            f"初次登记日期 {first_registration} 晚于估值日 {on}",
            field="first_registration",
            code="first_registration_in_future",
        )
    months = (on.year - first_registration.year) * 12 + on.month - first_registration.month
    return months - 1 if on.day < first_registration.day else months


def monthly_depreciation(*, use: VehicleUse | str, seats: int | None) -> Decimal:
    """The monthly depreciation rate for the vehicle's use and seats (0.6% for a family car up to
    9 seats). Uses without a rate in the data are refused, not priced with someone else's."""
    use = _vehicle_use(use)
    rates = MONTHLY_DEPRECIATION.get(use)
    if rates is None:
        raise RatingError(
            f"没有{VEHICLE_USE_NAMES[use]}的折旧率，无法计算车损险实际价值",
            field="use",
            code="depreciation_rate_missing",
        )
    if seats is None:
        raise RatingError("折旧率按座位数区分：请填写 seats", field="seats", code="missing_seats")
    return rates[band_index(DEPRECIATION_SEAT_BANDS, Decimal(_positive_int(seats, field="seats")))]


def actual_value(
    *, purchase_price: Number, first_registration: date, on: date, monthly_depreciation: Number
) -> Decimal:
    """车损险 sum insured: the purchase price less ``monthly_depreciation`` per full month of age,
    never below 20% of the price (depreciation is capped at 80%). Rounded to the cent once."""
    price = to_decimal(purchase_price)
    if price <= 0:
        raise RatingError(
            f"新车购置价应大于 0：{price}", field="purchase_price", code="invalid_purchase_price"
        )
    months = full_months_of_age(first_registration=first_registration, on=on)
    remaining = max(1 - months * to_decimal(monthly_depreciation), ACTUAL_VALUE_FLOOR)
    return round_cny(price * remaining)


def commercial_base_premium(
    *,
    table: CommercialRatingTable,
    choice: CoverageChoice,
    actual_value: Number | None = None,
    base_premiums: Mapping[str, Decimal] | None = None,
) -> Decimal:
    """A coverage's 基准保费 from the insurer's table, rounded to the cent (it is shown on the quote
    and the line premium is computed from it). ``actual_value`` is needed by 车损险;
    ``base_premiums`` are those already found for the quote's other coverages, which a rider priced
    as a share of its main coverage needs."""
    pricing = table.coverages.get(choice.code)
    if pricing is None:
        raise RatingError(
            f"{table.insurer}的费率表「{table.name}」没有险种 {choice.code}",
            field="commercial",
            code="coverage_not_in_table",
        )
    if isinstance(pricing, FixedBase):
        return round_cny(pricing.amount)
    if isinstance(pricing, LimitBases):
        if choice.limit is None or choice.limit not in pricing.by_limit:
            offered = "、".join(format(limit, "f") for limit in sorted(pricing.by_limit))
            raise RatingError(
                f"{pricing.name}的限额 {choice.limit} 不在费率表中；可选：{offered}",
                field="limit",
                code="limit_not_in_table",
            )
        return round_cny(pricing.by_limit[choice.limit])
    if isinstance(pricing, ActualValueRate):
        if actual_value is None:
            raise RatingError(
                f"{pricing.name}按实际价值定价：缺少实际价值",
                field="actual_value",
                code="missing_actual_value",
            )
        return round_cny(pricing.fixed + pricing.rate * to_decimal(actual_value))
    if isinstance(pricing, PerSeatRate):
        if choice.seats is None or choice.limit_per_seat is None:
            raise RatingError(
                f"{pricing.name}按座位定价：请填写 seats 和 limit_per_seat",
                field="seats" if choice.seats is None else "limit_per_seat",
                code="missing_seat_cover",
            )
        return round_cny(pricing.rate * choice.seats * choice.limit_per_seat)
    main = (base_premiums or {}).get(pricing.coverage)
    if main is None:
        main_name = table.coverages[pricing.coverage].name
        raise RatingError(
            f"附加险{pricing.name}须与{main_name}一同投保",
            field="commercial",
            code="rider_without_main_coverage",
        )
    return round_cny(pricing.rate * main)


# --- The quote -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CtplRating:
    use: VehicleUse
    band: str
    base_premium: Decimal
    region: str
    floating_scheme: int
    history_class: CtplHistoryClass
    floating_rate: Decimal
    premium: Decimal


@dataclass(frozen=True, kw_only=True)
class VehicleTaxRating:
    table_province: str | None  # None: exempt, no table read
    displacement_band: str | None
    exempt: bool
    annual_tax: Decimal
    tax_year: int
    purchase_date: date | None  # may be unknown for an exempt vehicle
    months: int  # 0 when exempt
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class ActualValueRating:
    purchase_price: Decimal
    first_registration: date
    valued_on: date
    months_of_age: int
    monthly_depreciation: Decimal
    floor: Decimal
    value: Decimal


@dataclass(frozen=True, kw_only=True)
class CommercialLine:
    code: str
    name: str
    pricing: CoveragePricing  # the table entry used, so the 基准保费 can be recomputed
    limit: Decimal | None
    seats: int | None
    limit_per_seat: Decimal | None
    base_premium: Decimal
    ncd: Decimal
    autonomous_pricing_factor: Decimal
    traffic_violation_factor: Decimal
    premium: Decimal


@dataclass(frozen=True, kw_only=True)
class QuoteRating:
    """A priced quote with every input and factor used, so it can be explained line by line and
    recomputed later: total = 交强险 + 车船税 + 商业险."""

    rated_on: date
    region: str
    vehicle: VehicleDescription
    history: ClaimHistory
    ctpl: CtplRating | None
    vehicle_tax: VehicleTaxRating | None
    insurer: str | None
    rating_table: str | None
    actual_value: ActualValueRating | None
    commercial_lines: tuple[CommercialLine, ...]
    ctpl_premium: Decimal
    vehicle_tax_amount: Decimal
    commercial_premium: Decimal
    total: Decimal

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        return plain


def _vehicle_tax_rating(
    *, vehicle: VehicleDescription, region: str, tenant_table: VehicleTaxTable | None, today: date
) -> VehicleTaxRating:
    if vehicle.energy is Energy.NEW_ENERGY:
        zero = round_cny(0)
        return VehicleTaxRating(
            table_province=None,
            displacement_band=None,
            exempt=True,
            annual_tax=zero,
            tax_year=today.year,
            purchase_date=vehicle.purchase_date,
            months=0,
            amount=zero,
        )
    if vehicle.use not in PASSENGER_USES or (vehicle.seats or 0) > PASSENGER_CAR_MAX_SEATS:
        raise RatingError(
            f"车船税按排量计税只适用于 {PASSENGER_CAR_MAX_SEATS} 座及以下的乘用车；"
            f"{VEHICLE_USE_NAMES[vehicle.use]}请凭完税或免税证明投保（vehicle_tax=False）",
            field="vehicle_tax",
            code="vehicle_tax_not_passenger_car",
        )
    if vehicle.purchase_date is not None:
        months = vehicle_tax_months(purchase_date=vehicle.purchase_date, tax_year=today.year)
    elif vehicle.first_registration is not None and vehicle.first_registration.year < today.year:
        months = 12  # registered before the tax year, so bought before it: the whole year is due
    else:
        # Registered this year (or never): the purchase month decides, and no other date stands in.
        raise RatingError(
            "车船税按购置月份计：本年登记或未登记的车请填写购置日期",
            field="purchase_date",
            code="missing_purchase_date",
        )
    table = vehicle_tax_table_for(province=region, tenant_table=tenant_table)
    annual = vehicle_tax_annual(table=table, displacement=vehicle.displacement, energy=vehicle.energy)
    litres = vehicle.displacement or Decimal(0)  # vehicle_tax_annual has refused a missing one
    return VehicleTaxRating(
        table_province=table.province,
        displacement_band=DISPLACEMENT_BANDS.labels[band_index(DISPLACEMENT_BANDS, litres)],
        exempt=False,
        annual_tax=annual,
        tax_year=today.year,
        purchase_date=vehicle.purchase_date,
        months=months,
        amount=vehicle_tax_amount(annual_tax=annual, months=months),
    )


def _actual_value_rating(*, vehicle: VehicleDescription, today: date) -> ActualValueRating:
    if vehicle.purchase_price is None or vehicle.first_registration is None:
        missing = vehicle.purchase_price is None
        raise RatingError(
            "车损险保额为实际价值：请填写新车购置价和初次登记日期",
            field="purchase_price" if missing else "first_registration",
            code="missing_purchase_price" if missing else "missing_first_registration",
        )
    rate = monthly_depreciation(use=vehicle.use, seats=vehicle.seats)
    return ActualValueRating(
        purchase_price=vehicle.purchase_price,
        first_registration=vehicle.first_registration,
        valued_on=today,
        months_of_age=full_months_of_age(first_registration=vehicle.first_registration, on=today),
        monthly_depreciation=rate,
        floor=ACTUAL_VALUE_FLOOR,
        value=actual_value(
            purchase_price=vehicle.purchase_price,
            first_registration=vehicle.first_registration,
            on=today,
            monthly_depreciation=rate,
        ),
    )


class _CtplMeasures(TypedDict):
    """The vehicle's measures, passed on to the 交强险 band lookup (only one of them is read)."""

    seats: int | None
    tonnage: Decimal | None
    displacement: Decimal | None


def rate_quote(
    *,
    vehicle: VehicleDescription,
    province: str,
    history: ClaimHistory,
    selection: CoverageSelection,
    today: date,
    rating_table: CommercialRatingTable | None = None,
    autonomous_pricing_factor: Number | None = None,
    traffic_violation_factor: Number = 1,
    vehicle_tax_table: VehicleTaxTable | None = None,
) -> QuoteRating:
    """Price a quote option for one insurer: 交强险 (with the 车船税 collected alongside) and the
    chosen 商业险 coverages, with the full breakdown.

    ``rating_table`` and ``autonomous_pricing_factor`` are the insurer's and are needed only when
    商业险 is chosen. ``vehicle_tax_table`` is the tenant's table for the province; without one, the
    default for 广东 or 北京 is used, and any other province is refused. ``today`` is the rating
    date: it fixes the tax year and the vehicle's age.
    """
    region = region_name(province)
    if not selection.ctpl and not selection.commercial:
        raise RatingError("报价应至少包含交强险或一项商业险", field="selection", code="nothing_to_rate")

    ctpl = None
    tax = None
    if selection.ctpl:
        measures = _CtplMeasures(
            seats=vehicle.seats, tonnage=vehicle.tonnage, displacement=vehicle.displacement
        )
        base = ctpl_base_premium(use=vehicle.use, **measures)
        rate = ctpl_floating_rate(province=region, history_class=history.ctpl_class)
        ctpl = CtplRating(
            use=vehicle.use,
            band=ctpl_base_band(use=vehicle.use, **measures),
            base_premium=base,
            region=region,
            floating_scheme=ctpl_floating_scheme(province=region),
            history_class=history.ctpl_class,
            floating_rate=rate,
            premium=ctpl_premium(base_premium=base, floating_rate=rate),
        )
        if selection.vehicle_tax:
            tax = _vehicle_tax_rating(
                vehicle=vehicle, region=region, tenant_table=vehicle_tax_table, today=today
            )

    lines: tuple[CommercialLine, ...] = ()
    valuation = None
    if selection.commercial:
        if rating_table is None or autonomous_pricing_factor is None:
            raise RatingError(
                "商业险报价需要保险公司的费率表和自主定价系数",
                field="rating_table" if rating_table is None else "autonomous_pricing_factor",
                code="missing_insurer_terms",
            )
        factor = autonomous_pricing_factor_check(autonomous_pricing_factor)
        violation = _traffic_violation_factor_check(traffic_violation_factor)
        ncd = ncd_coefficient(
            claim_free_years=history.claim_free_years, claims_last_year=history.claims_last_year
        )
        pricings = {}
        for choice in selection.commercial:
            pricing = rating_table.coverages.get(choice.code)
            if isinstance(pricing, ActualValueRate) and valuation is None:
                valuation = _actual_value_rating(vehicle=vehicle, today=today)
            if (
                isinstance(pricing, PerSeatRate)
                and choice.seats
                and vehicle.seats
                and choice.seats > vehicle.seats
            ):
                raise RatingError(
                    f"{pricing.name}投保 {choice.seats} 座，超过车辆核定座位数 {vehicle.seats}",
                    field="seats",
                    code="seats_exceed_vehicle",
                )
            pricings[choice.code] = pricing
        # Main coverages first: a rider priced on one needs its 基准保费.
        bases: dict[str, Decimal] = {}
        for choice in sorted(
            selection.commercial, key=lambda c: isinstance(pricings[c.code], RateOfCoverage)
        ):
            bases[choice.code] = commercial_base_premium(
                table=rating_table,
                choice=choice,
                actual_value=valuation.value if valuation else None,
                base_premiums=bases,
            )
        lines = tuple(
            CommercialLine(
                code=choice.code,
                name=rating_table.coverages[choice.code].name,
                pricing=rating_table.coverages[choice.code],
                limit=choice.limit,
                seats=choice.seats,
                limit_per_seat=choice.limit_per_seat,
                base_premium=bases[choice.code],
                ncd=ncd,
                autonomous_pricing_factor=factor,
                traffic_violation_factor=violation,
                premium=commercial_premium(
                    base_premium=bases[choice.code],
                    ncd=ncd,
                    autonomous_pricing_factor=factor,
                    traffic_violation_factor=violation,
                ),
            )
            for choice in selection.commercial
        )

    zero = round_cny(0)
    ctpl_amount = ctpl.premium if ctpl else zero
    tax_amount = tax.amount if tax else zero
    commercial_amount = sum((line.premium for line in lines), zero)
    return QuoteRating(
        rated_on=today,
        region=region,
        vehicle=vehicle,
        history=history,
        ctpl=ctpl,
        vehicle_tax=tax,
        insurer=rating_table.insurer if lines and rating_table else None,
        rating_table=rating_table.name if lines and rating_table else None,
        actual_value=valuation,
        commercial_lines=lines,
        ctpl_premium=ctpl_amount,
        vehicle_tax_amount=tax_amount,
        commercial_premium=commercial_amount,
        total=ctpl_amount + tax_amount + commercial_amount,
    )
