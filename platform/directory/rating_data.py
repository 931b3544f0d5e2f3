"""The data car-insurance rating runs on, and the shapes that data takes.

Nothing here computes a price (``quotes.rating`` does). Three kinds of data live here:

* **Public regulation** (DOMAIN.md, "Pricing facts"): the 交强险 base-premium table (机动车交通事故责任
  强制保险基础费率表), the 交强险 floating rates of the 2020 reform (five regional schemes), the legal
  ranges of the 车船税 for passenger cars (车船税法 税目税额表), the NCD levels and the legal range of the
  自主定价系数, the 三者险 limits, and the depreciation rule that gives 车损险 its sum insured.
* **Defaults the tenant may replace**: the 车船税 amounts that 广东 and 北京 fix inside the legal
  ranges. Other provinces have no default: their table must come from the tenant.
* **Sample data**: one insurer rating table (``SAMPLE_FAMILY_CAR_TABLE``) with plausible but invented
  numbers, for demos and tests. Real tables are maintained by the tenant, per insurer.

The shapes validate themselves only as far as their own consistency goes (a band table has one label
per band, a rating table's riders point at coverages it has). Whether a tenant's 车船税 table respects
the law is a separate check (``quotes.rating.vehicle_tax_table_problems``), so an out-of-range table can
still be built, shown and reported band by band.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

from core.money import to_decimal


def _decimals(*values: int | str) -> tuple[Decimal, ...]:
    return tuple(to_decimal(value) for value in values)


def _require_decimals(owner: str, **values: object) -> None:
    """Floats cannot hold cents exactly, and ints slip through as ints: data must be Decimal."""
    for name, value in values.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"{owner}.{name} must be a finite Decimal, got {value!r}")


# --- Vehicles ------------------------------------------------------------------------------------


class VehicleUse(StrEnum):
    """使用性质: the rows of the 交强险 base-premium table."""

    FAMILY_CAR = "family_car"
    ENTERPRISE_PASSENGER = "enterprise_passenger"
    GOVERNMENT_PASSENGER = "government_passenger"
    TAXI_RENTAL = "taxi_rental"
    NON_COMMERCIAL_TRUCK = "non_commercial_truck"
    COMMERCIAL_TRUCK = "commercial_truck"
    MOTORCYCLE = "motorcycle"


VEHICLE_USE_NAMES: Mapping[VehicleUse, str] = MappingProxyType(
    {
        VehicleUse.FAMILY_CAR: "家庭自用汽车",
        VehicleUse.ENTERPRISE_PASSENGER: "企业非营业客车",
        VehicleUse.GOVERNMENT_PASSENGER: "机关非营业客车",
        VehicleUse.TAXI_RENTAL: "营业出租租赁",
        VehicleUse.NON_COMMERCIAL_TRUCK: "非营业货车",
        VehicleUse.COMMERCIAL_TRUCK: "营业货车",
        VehicleUse.MOTORCYCLE: "摩托车",
    }
)

# Carry passengers; their 交强险 is banded by seats and, up to 9 seats, they are 乘用车 for the tax.
PASSENGER_USES = frozenset(
    {
        VehicleUse.FAMILY_CAR,
        VehicleUse.ENTERPRISE_PASSENGER,
        VehicleUse.GOVERNMENT_PASSENGER,
        VehicleUse.TAXI_RENTAL,
    }
)


class Energy(StrEnum):
    """Same values as ``core.validators.plate_kind``: ``Energy(plate_kind(plate))`` works."""

    FUEL = "fuel"
    NEW_ENERGY = "new_energy"


# --- Bands ---------------------------------------------------------------------------------------


class Measure(StrEnum):
    """What a band table is banded by, named as the vehicle's own field."""

    SEATS = "seats"  # 核定座位数
    TONNAGE = "tonnage"  # 核定载质量, tonnes
    DISPLACEMENT = "displacement"  # 排量, litres (0.05 L = 50 cc)


class BandEdge(StrEnum):
    """Which side of a band holds its boundary.

    The two regulations disagree, so each table says which one it follows:

    * ``LOWER_INCLUSIVE`` ``[lower, upper)``: the 交强险 base-premium table's own note, "座位和吨位的分类
      都按照'含起点不含终点'的原则来解释". "6–10座" is 6 ≤ seats < 10, "20座以上" is seats ≥ 20,
      "2–5吨" is 2 t ≤ tonnage < 5 t.
    * ``UPPER_INCLUSIVE`` ``(lower, upper]``: displacement, in the 车船税法 ("1.0升以上至1.6升（含）")
      and for motorcycles in the 交强险 table ("50CC及以下", "50CC–250CC（含）").
    """

    LOWER_INCLUSIVE = "lower_inclusive"
    UPPER_INCLUSIVE = "upper_inclusive"


@dataclass(frozen=True, kw_only=True)
class Bands:
    """Contiguous bands given by their cut points: n cuts make n + 1 bands, the first open below
    and the last open above, so no value can fall between two bands."""

    measure: Measure
    cuts: tuple[Decimal, ...]
    labels: tuple[str, ...]
    edge: BandEdge

    def __post_init__(self) -> None:
        for cut in self.cuts:
            _require_decimals("Bands", cut=cut)
        if len(self.labels) != len(self.cuts) + 1:
            raise ValueError(f"{len(self.cuts)} cuts make {len(self.cuts) + 1} bands: one label each")
        if any(low >= high for low, high in zip(self.cuts, self.cuts[1:], strict=False)):
            raise ValueError(f"band cuts must increase: {self.cuts}")


# --- 交强险 base premium -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CtplBaseTable:
    """One row of the 交强险 base-premium table: a use, its bands, one premium per band."""

    use: VehicleUse
    bands: Bands
    premiums: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        for premium in self.premiums:
            _require_decimals("CtplBaseTable", premium=premium)
        if len(self.premiums) != len(self.bands.labels):
            raise ValueError(f"{self.use}: one premium per band")


_FAMILY_SEATS = Bands(
    measure=Measure.SEATS,
    cuts=_decimals(6),
    labels=("6座以下", "6座及以上"),
    edge=BandEdge.LOWER_INCLUSIVE,
)
_NON_COMMERCIAL_SEATS = Bands(
    measure=Measure.SEATS,
    cuts=_decimals(6, 10, 20),
    labels=("6座以下", "6–10座", "10–20座", "20座以上"),
    edge=BandEdge.LOWER_INCLUSIVE,
)
_TAXI_SEATS = Bands(
    measure=Measure.SEATS,
    cuts=_decimals(6, 10, 20, 36),
    labels=("6座以下", "6–10座", "10–20座", "20–36座", "36座以上"),
    edge=BandEdge.LOWER_INCLUSIVE,
)
_TRUCK_TONNAGE = Bands(
    measure=Measure.TONNAGE,
    cuts=_decimals(2, 5, 10),
    labels=("2吨以下", "2–5吨", "5–10吨", "10吨以上"),
    edge=BandEdge.LOWER_INCLUSIVE,
)
_MOTORCYCLE_DISPLACEMENT = Bands(
    measure=Measure.DISPLACEMENT,
    cuts=_decimals("0.05", "0.25"),
    labels=("50CC及以下", "50CC–250CC（含）", "250CC以上"),
    edge=BandEdge.UPPER_INCLUSIVE,
)

CTPL_BASE_TABLES: Mapping[VehicleUse, CtplBaseTable] = MappingProxyType(
    {
        table.use: table
        for table in (
            CtplBaseTable(use=VehicleUse.FAMILY_CAR, bands=_FAMILY_SEATS, premiums=_decimals(950, 1100)),
            CtplBaseTable(
                use=VehicleUse.ENTERPRISE_PASSENGER,
                bands=_NON_COMMERCIAL_SEATS,
                premiums=_decimals(1000, 1130, 1220, 1270),
            ),
            CtplBaseTable(
                use=VehicleUse.GOVERNMENT_PASSENGER,
                bands=_NON_COMMERCIAL_SEATS,
                premiums=_decimals(950, 1070, 1140, 1320),
            ),
            CtplBaseTable(
                use=VehicleUse.TAXI_RENTAL,
                bands=_TAXI_SEATS,
                premiums=_decimals(1800, 2360, 2400, 2560, 3530),
            ),
            CtplBaseTable(
                use=VehicleUse.NON_COMMERCIAL_TRUCK,
                bands=_TRUCK_TONNAGE,
                premiums=_decimals(1200, 1470, 1650, 2220),
            ),
            CtplBaseTable(
                use=VehicleUse.COMMERCIAL_TRUCK,
                bands=_TRUCK_TONNAGE,
                premiums=_decimals(1850, 3070, 3450, 4480),
            ),
            CtplBaseTable(
                use=VehicleUse.MOTORCYCLE,
                bands=_MOTORCYCLE_DISPLACEMENT,
                premiums=_decimals(80, 120, 400),
            ),
        )
    }
)

# --- 交强险 floating rate (2020 reform) ----------------------------------------------------------


class CtplHistoryClass(StrEnum):
    """The vehicle's 交强险 record over the previous years (the columns of the floating table)."""

    NEW = "new"  # no history: a new vehicle, or first insured
    A1 = "A1"  # one claim-free year
    A2 = "A2"  # two claim-free years
    A3 = "A3"  # three or more claim-free years
    A4 = "A4"  # one at-fault non-fatal accident last year
    A5 = "A5"  # two or more at-fault accidents last year
    A6 = "A6"  # an at-fault fatal accident last year


def _floating(a1: str, a2: str, a3: str) -> Mapping[CtplHistoryClass, Decimal]:
    """The schemes differ only in their discounts; the loadings (A4..A6) are the same everywhere."""
    return MappingProxyType(
        {
            CtplHistoryClass.NEW: Decimal("0"),
            CtplHistoryClass.A1: Decimal(a1),
            CtplHistoryClass.A2: Decimal(a2),
            CtplHistoryClass.A3: Decimal(a3),
            CtplHistoryClass.A4: Decimal("0"),
            CtplHistoryClass.A5: Decimal("0.10"),
            CtplHistoryClass.A6: Decimal("0.30"),
        }
    )


CTPL_FLOATING_RATES: Mapping[int, Mapping[CtplHistoryClass, Decimal]] = MappingProxyType(
    {
        1: _floating("-0.30", "-0.40", "-0.50"),
        2: _floating("-0.25", "-0.35", "-0.45"),
        3: _floating("-0.20", "-0.30", "-0.40"),
        4: _floating("-0.15", "-0.25", "-0.35"),
        5: _floating("-0.10", "-0.20", "-0.30"),
    }
)

# Regions named by the reform; every other region of the mainland is in scheme 5.
CTPL_SCHEME_REGIONS: Mapping[int, frozenset[str]] = MappingProxyType(
    {
        1: frozenset({"内蒙古", "海南", "青海", "西藏"}),
        2: frozenset({"陕西", "云南", "广西"}),
        3: frozenset({"甘肃", "吉林", "山西", "黑龙江", "新疆"}),
        4: frozenset({"北京", "天津", "河北", "宁夏"}),
    }
)
CTPL_OTHER_REGIONS_SCHEME = 5

PROVINCES = frozenset(
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆".split()
)
# 计划单列市: insurers treat them as regions of their own, the tax follows their province's law.
PROVINCE_OF_CITY: Mapping[str, str] = MappingProxyType(
    {"深圳": "广东", "大连": "辽宁", "青岛": "山东", "宁波": "浙江", "厦门": "福建"}
)
REGIONS = PROVINCES | frozenset(PROVINCE_OF_CITY)

# Official names carry these; quotes use the short form ("广东省" -> "广东").
REGION_NAME_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
)

# --- 车船税 --------------------------------------------------------------------------------------

DISPLACEMENT_BANDS = Bands(
    measure=Measure.DISPLACEMENT,
    cuts=_decimals("1.0", "1.6", "2.0", "2.5", "3.0", "4.0"),
    labels=("≤1.0L", "1.0–1.6L", "1.6–2.0L", "2.0–2.5L", "2.5–3.0L", "3.0–4.0L", ">4.0L"),
    edge=BandEdge.UPPER_INCLUSIVE,
)

# (minimum, maximum), both allowed, yuan per car per year, one per DISPLACEMENT_BANDS band.
VEHICLE_TAX_LEGAL_RANGES: tuple[tuple[Decimal, Decimal], ...] = tuple(
    (Decimal(low), Decimal(high))
    for low, high in (
        (60, 360),
        (300, 540),
        (360, 660),
        (660, 1200),
        (1200, 2400),
        (2400, 3600),
        (3600, 5400),
    )
)

# 乘用车 in the 车船税法: 核定载客人数9人（含）以下. Larger buses, trucks and motorcycles are taxed
# otherwise (per vehicle or per tonne), which this data does not cover.
PASSENGER_CAR_MAX_SEATS = 9


@dataclass(frozen=True, kw_only=True)
class VehicleTaxTable:
    """A province's yearly 车船税 per passenger car: one amount per ``DISPLACEMENT_BANDS`` band, in
    band order (≤1.0L first). The tenant maintains it; the law only fixes the range of each band."""

    province: str
    annual_tax: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        for amount in self.annual_tax:
            _require_decimals("VehicleTaxTable", annual_tax=amount)
        if len(self.annual_tax) != len(DISPLACEMENT_BANDS.labels):
            raise ValueError(
                f"{self.province} 车船税表应有 {len(DISPLACEMENT_BANDS.labels)} 档"
                f"（{'、'.join(DISPLACEMENT_BANDS.labels)}），实有 {len(self.annual_tax)} 档"
            )


DEFAULT_VEHICLE_TAX_TABLES: Mapping[str, VehicleTaxTable] = MappingProxyType(
    {
        "广东": VehicleTaxTable(province="广东", annual_tax=_decimals(180, 360, 420, 720, 1800, 3000, 4500)),
        "北京": VehicleTaxTable(province="北京", annual_tax=_decimals(300, 420, 480, 900, 1800, 3000, 4500)),
    }
)

# --- 商业险 --------------------------------------------------------------------------------------

# NCD (无赔款优待) by claim-free years; the last key stands for "that many or more".
NCD_BY_CLAIM_FREE_YEARS: Mapping[int, Decimal] = MappingProxyType(
    {0: Decimal("1.0"), 1: Decimal("0.8"), 2: Decimal("0.7"), 3: Decimal("0.6"), 4: Decimal("0.5")}
)
# NCD by the number of claims last year; the last key stands for "that many or more".
NCD_BY_CLAIMS_LAST_YEAR: Mapping[int, Decimal] = MappingProxyType(
    {1: Decimal("1.0"), 2: Decimal("1.25"), 3: Decimal("1.5"), 4: Decimal("1.75"), 5: Decimal("2.0")}
)

# 自主定价系数: each insurer sets its own within this legal range, both ends allowed.
AUTONOMOUS_PRICING_FACTOR_MIN = Decimal("0.5")
AUTONOMOUS_PRICING_FACTOR_MAX = Decimal("1.5")


class CoverageCode(StrEnum):
    """The main coverages. Riders have whatever code the insurer's table gives them."""

    OWN_DAMAGE = "own_damage"  # 机动车损失保险（车损险）
    THIRD_PARTY = "third_party"  # 第三者责任保险（三者险）
    DRIVER_LIABILITY = "driver_liability"  # 车上人员责任险（司机）
    PASSENGER_LIABILITY = "passenger_liability"  # 车上人员责任险（乘客）


THIRD_PARTY_LIMITS: tuple[Decimal, ...] = _decimals(
    100_000,
    150_000,
    200_000,
    300_000,
    500_000,
    1_000_000,
    1_500_000,
    2_000_000,
    3_000_000,
    4_000_000,
    5_000_000,
    10_000_000,
)

# The sum insured of 车损险 is the vehicle's actual value: the purchase price less depreciation per
# full month of age, never below this share of the purchase price (示范条款: depreciation is capped
# at 80% of the price).
ACTUAL_VALUE_FLOOR = Decimal("0.20")
# Monthly depreciation (示范条款 参考折旧系数表) for passenger vehicles, by seats: up to 9 seats, and
# 10 or more. Trucks and motorcycles are not covered: rating them for 车损险 needs a rate added here.
DEPRECIATION_SEAT_BANDS = Bands(
    measure=Measure.SEATS,
    cuts=_decimals(10),
    labels=("9座以下客车", "10座以上客车"),
    edge=BandEdge.LOWER_INCLUSIVE,
)
MONTHLY_DEPRECIATION: Mapping[VehicleUse, tuple[Decimal, ...]] = MappingProxyType(
    {
        VehicleUse.FAMILY_CAR: _decimals("0.006", "0.009"),
        VehicleUse.ENTERPRISE_PASSENGER: _decimals("0.006", "0.009"),
        VehicleUse.GOVERNMENT_PASSENGER: _decimals("0.006", "0.009"),
        VehicleUse.TAXI_RENTAL: _decimals("0.011", "0.011"),
    }
)


# How an insurer's table prices one coverage. Each form is data: numbers, never a formula in code
# the tenant would have to change. ``quotes.rating.commercial_base_premium`` reads them.


@dataclass(frozen=True, kw_only=True)
class FixedBase:
    """The same 基准保费 whatever the vehicle (a service rider such as 道路救援)."""

    form: ClassVar[str] = "fixed_base"
    name: str
    amount: Decimal

    def __post_init__(self) -> None:
        _require_decimals(self.name, amount=self.amount)


@dataclass(frozen=True, kw_only=True)
class LimitBases:
    """One 基准保费 per limit the customer may choose (三者险, 车身划痕险 …)."""

    form: ClassVar[str] = "limit_bases"
    name: str
    by_limit: Mapping[Decimal, Decimal]

    def __post_init__(self) -> None:
        for limit, amount in self.by_limit.items():
            _require_decimals(self.name, limit=limit, amount=amount)
        if not self.by_limit:
            raise ValueError(f"{self.name}: no limits in the table")
        object.__setattr__(self, "by_limit", MappingProxyType(dict(self.by_limit)))


@dataclass(frozen=True, kw_only=True)
class ActualValueRate:
    """基准保费 = fixed + rate × the vehicle's actual value (车损险, whose sum insured it is)."""

    form: ClassVar[str] = "actual_value_rate"
    name: str
    fixed: Decimal
    rate: Decimal

    def __post_init__(self) -> None:
        _require_decimals(self.name, fixed=self.fixed, rate=self.rate)


@dataclass(frozen=True, kw_only=True)
class PerSeatRate:
    """基准保费 = rate × seats insured × limit per seat (车上人员责任险)."""

    form: ClassVar[str] = "per_seat_rate"
    name: str
    rate: Decimal

    def __post_init__(self) -> None:
        _require_decimals(self.name, rate=self.rate)


@dataclass(frozen=True, kw_only=True)
class RateOfCoverage:
    """A rider priced as a share of another coverage's 基准保费; it can only be bought with it."""

    form: ClassVar[str] = "rate_of_coverage"
    name: str
    rate: Decimal
    coverage: str

    def __post_init__(self) -> None:
        _require_decimals(self.name, rate=self.rate)


CoveragePricing = FixedBase | LimitBases | ActualValueRate | PerSeatRate | RateOfCoverage


@dataclass(frozen=True, kw_only=True)
class CommercialRatingTable:
    """An insurer's 商业险 rating table for one kind of vehicle: coverage code -> how its 基准保费 is
    found. Maintained by the tenant as data; checked here for the rules every table must keep."""

    insurer: str
    name: str
    coverages: Mapping[str, CoveragePricing] = field(default_factory=dict)

    def __post_init__(self) -> None:
        coverages = MappingProxyType(dict(self.coverages))
        object.__setattr__(self, "coverages", coverages)
        own_damage = coverages.get(CoverageCode.OWN_DAMAGE)
        if own_damage is not None and not isinstance(own_damage, ActualValueRate):
            raise ValueError(f"{self.name}: 车损险的保额为车辆实际价值，应按 ActualValueRate 定价")
        third_party = coverages.get(CoverageCode.THIRD_PARTY)
        if third_party is not None:
            if not isinstance(third_party, LimitBases):
                raise ValueError(f"{self.name}: 三者险应按限额（LimitBases）定价")
            illegal = sorted(set(third_party.by_limit) - set(THIRD_PARTY_LIMITS))
            if illegal:
                raise ValueError(f"{self.name}: 三者险限额 {', '.join(map(str, illegal))} 不是可选限额")
        for code, pricing in coverages.items():
            if isinstance(pricing, RateOfCoverage):
                main = coverages.get(pricing.coverage)
                if main is None:
                    raise ValueError(f"{self.name}: 附加险 {code} 依附的 {pricing.coverage} 不在表中")
                if isinstance(main, RateOfCoverage):
                    raise ValueError(f"{self.name}: 附加险 {code} 不能依附另一附加险 {pricing.coverage}")


# Invented, plausible numbers: shows the shape of a table, prices nobody's real policy.
SAMPLE_FAMILY_CAR_TABLE = CommercialRatingTable(
    insurer="示例财产保险股份有限公司",
    name="家庭自用汽车 6座以下（示例数据）",
    coverages={
        CoverageCode.OWN_DAMAGE: ActualValueRate(
            name="机动车损失保险", fixed=Decimal("566"), rate=Decimal("0.0135")
        ),
        CoverageCode.THIRD_PARTY: LimitBases(
            name="第三者责任保险",
            by_limit=dict(
                zip(
                    THIRD_PARTY_LIMITS,
                    _decimals(650, 740, 800, 908, 984, 1100, 1170, 1230, 1330, 1410, 1480, 1700),
                    strict=True,
                )
            ),
        ),
        CoverageCode.DRIVER_LIABILITY: PerSeatRate(name="车上人员责任险（司机）", rate=Decimal("0.0042")),
        CoverageCode.PASSENGER_LIABILITY: PerSeatRate(name="车上人员责任险（乘客）", rate=Decimal("0.0027")),
        "scratch": LimitBases(
            name="车身划痕损失险",
            by_limit=dict(
                zip(_decimals(2000, 5000, 10000, 20000), _decimals(400, 570, 760, 1140), strict=True)
            ),
        ),
        "holiday_double_limit": RateOfCoverage(
            name="法定节假日限额翻倍险", rate=Decimal("0.05"), coverage=CoverageCode.THIRD_PARTY
        ),
        "roadside_assistance": FixedBase(name="道路救援服务特约", amount=Decimal("100")),
    },
)
