"""The pricing facts of DOMAIN.md ("Quotes and policies", "Pricing facts"), with real numbers.

Pure functions: no database. Every expected amount is written out by hand, never computed with the
code under test, so a test fails when a fact breaks.
"""

import json
from datetime import date
from decimal import Decimal

import pytest

from core.validators import plate_kind
from quotes.rating import (
    SAMPLE_FAMILY_CAR_TABLE,
    ActualValueRate,
    ClaimHistory,
    CommercialRatingTable,
    CoverageChoice,
    CoverageCode,
    CoverageSelection,
    CtplHistoryClass,
    Energy,
    FixedBase,
    HistorySource,
    LimitBases,
    QuoteRating,
    RateOfCoverage,
    RatingError,
    VehicleDescription,
    VehicleTaxTable,
    VehicleUse,
    actual_value,
    autonomous_pricing_factor_check,
    commercial_base_premium,
    commercial_premium,
    ctpl_base_band,
    ctpl_base_premium,
    ctpl_floating_rate,
    ctpl_floating_scheme,
    ctpl_premium,
    full_months_of_age,
    history_for_rating,
    monthly_depreciation,
    ncd_coefficient,
    rate_quote,
    region_name,
    vehicle_tax_amount,
    vehicle_tax_annual,
    vehicle_tax_months,
    vehicle_tax_table_check,
    vehicle_tax_table_for,
    vehicle_tax_table_problems,
)

D = Decimal


def tax_table(province: str, *amounts: int | str) -> VehicleTaxTable:
    return VehicleTaxTable(province=province, annual_tax=tuple(D(a) for a in amounts))


GUANGDONG = vehicle_tax_table_for(province="广东")
BEIJING = vehicle_tax_table_for(province="北京")
LEGAL_MINIMUMS = (60, 300, 360, 660, 1200, 2400, 3600)
LEGAL_MAXIMUMS = (360, 540, 660, 1200, 2400, 3600, 5400)
BAND_LABELS = ("≤1.0L", "1.0–1.6L", "1.6–2.0L", "2.0–2.5L", "2.5–3.0L", "3.0–4.0L", ">4.0L")


# --- 交强险 base premium ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("use", "seats", "premium"),
    [
        # 家庭自用汽车: <6 seats 950; ≥6 seats 1100
        (VehicleUse.FAMILY_CAR, 1, "950"),
        (VehicleUse.FAMILY_CAR, 5, "950"),
        (VehicleUse.FAMILY_CAR, 6, "1100"),
        (VehicleUse.FAMILY_CAR, 9, "1100"),
        # 企业非营业客车: <6 1000; 6–10 1130; 10–20 1220; 20 and more 1270
        (VehicleUse.ENTERPRISE_PASSENGER, 5, "1000"),
        (VehicleUse.ENTERPRISE_PASSENGER, 6, "1130"),
        (VehicleUse.ENTERPRISE_PASSENGER, 9, "1130"),
        (VehicleUse.ENTERPRISE_PASSENGER, 10, "1220"),
        (VehicleUse.ENTERPRISE_PASSENGER, 19, "1220"),
        (VehicleUse.ENTERPRISE_PASSENGER, 20, "1270"),
        (VehicleUse.ENTERPRISE_PASSENGER, 45, "1270"),
        # 机关非营业客车: <6 950; 6–10 1070; 10–20 1140; 20 and more 1320
        (VehicleUse.GOVERNMENT_PASSENGER, 5, "950"),
        (VehicleUse.GOVERNMENT_PASSENGER, 6, "1070"),
        (VehicleUse.GOVERNMENT_PASSENGER, 9, "1070"),
        (VehicleUse.GOVERNMENT_PASSENGER, 10, "1140"),
        (VehicleUse.GOVERNMENT_PASSENGER, 19, "1140"),
        (VehicleUse.GOVERNMENT_PASSENGER, 20, "1320"),
        # 营业出租租赁: <6 1800; 6–10 2360; 10–20 2400; 20–36 2560; 36 and more 3530
        (VehicleUse.TAXI_RENTAL, 5, "1800"),
        (VehicleUse.TAXI_RENTAL, 6, "2360"),
        (VehicleUse.TAXI_RENTAL, 9, "2360"),
        (VehicleUse.TAXI_RENTAL, 10, "2400"),
        (VehicleUse.TAXI_RENTAL, 19, "2400"),
        (VehicleUse.TAXI_RENTAL, 20, "2560"),
        (VehicleUse.TAXI_RENTAL, 35, "2560"),
        (VehicleUse.TAXI_RENTAL, 36, "3530"),
    ],
    ids=lambda value: str(value),
)
def test_ctpl_base_premium_by_seats_includes_the_lower_bound_of_each_band(
    use: VehicleUse, seats: int, premium: str
) -> None:
    assert ctpl_base_premium(use=use, seats=seats) == D(premium)


@pytest.mark.parametrize(
    ("use", "tonnage", "premium"),
    [
        # 非营业货车: <2t 1200; 2–5t 1470; 5–10t 1650; 10t and more 2220
        (VehicleUse.NON_COMMERCIAL_TRUCK, "1.99", "1200"),
        (VehicleUse.NON_COMMERCIAL_TRUCK, "2", "1470"),
        (VehicleUse.NON_COMMERCIAL_TRUCK, "4.99", "1470"),
        (VehicleUse.NON_COMMERCIAL_TRUCK, "5", "1650"),
        (VehicleUse.NON_COMMERCIAL_TRUCK, "9.99", "1650"),
        (VehicleUse.NON_COMMERCIAL_TRUCK, "10", "2220"),
        # 营业货车: <2t 1850; 2–5t 3070; 5–10t 3450; 10t and more 4480
        (VehicleUse.COMMERCIAL_TRUCK, "1.99", "1850"),
        (VehicleUse.COMMERCIAL_TRUCK, "2", "3070"),
        (VehicleUse.COMMERCIAL_TRUCK, "4.99", "3070"),
        (VehicleUse.COMMERCIAL_TRUCK, "5", "3450"),
        (VehicleUse.COMMERCIAL_TRUCK, "9.99", "3450"),
        (VehicleUse.COMMERCIAL_TRUCK, "10", "4480"),
    ],
    ids=lambda value: str(value),
)
def test_ctpl_base_premium_by_tonnage_includes_the_lower_bound_of_each_band(
    use: VehicleUse, tonnage: str, premium: str
) -> None:
    assert ctpl_base_premium(use=use, tonnage=D(tonnage)) == D(premium)


@pytest.mark.parametrize(
    ("litres", "premium"),
    [("0.05", "80"), ("0.051", "120"), ("0.25", "120"), ("0.251", "400"), ("1.2", "400")],
    ids=["50cc", "51cc", "250cc", "251cc", "1200cc"],
)
def test_motorcycle_ctpl_base_premium_includes_the_upper_bound_of_each_band(
    litres: str, premium: str
) -> None:
    # ≤50cc 80; 50–250cc (250 included) 120; >250cc 400
    assert ctpl_base_premium(use=VehicleUse.MOTORCYCLE, displacement=D(litres)) == D(premium)


def test_ctpl_band_labels_follow_the_table() -> None:
    assert ctpl_base_band(use=VehicleUse.FAMILY_CAR, seats=5) == "6座以下"
    assert ctpl_base_band(use=VehicleUse.ENTERPRISE_PASSENGER, seats=10) == "10–20座"
    assert ctpl_base_band(use=VehicleUse.TAXI_RENTAL, seats=36) == "36座以上"
    assert ctpl_base_band(use=VehicleUse.COMMERCIAL_TRUCK, tonnage=D("5")) == "5–10吨"
    assert ctpl_base_band(use=VehicleUse.MOTORCYCLE, displacement=D("0.25")) == "50CC–250CC（含）"


def test_ctpl_accepts_the_use_as_its_code() -> None:
    assert ctpl_base_premium(use="taxi_rental", seats=5) == D("1800")


def test_an_unknown_use_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="bus") as caught:
        ctpl_base_premium(use="bus", seats=30)
    assert isinstance(caught.value, RatingError)
    assert caught.value.field == "use"
    assert caught.value.code == "unknown_vehicle_use"


@pytest.mark.parametrize(
    ("use", "measures", "field"),
    [
        (VehicleUse.FAMILY_CAR, {"tonnage": D(2)}, "seats"),
        (VehicleUse.NON_COMMERCIAL_TRUCK, {"seats": 3}, "tonnage"),
        (VehicleUse.MOTORCYCLE, {}, "displacement"),
    ],
    ids=["family car without seats", "truck without tonnage", "motorcycle without displacement"],
)
def test_the_measure_a_use_is_banded_by_is_required(use: VehicleUse, measures: dict, field: str) -> None:
    with pytest.raises(RatingError) as caught:
        ctpl_base_premium(use=use, **measures)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "measures",
    [{"seats": 0}, {"seats": -5}, {"seats": True}, {"seats": D("5.5")}],
    ids=["0 seats", "negative seats", "bool seats", "fractional seats"],
)
def test_seats_must_be_a_positive_whole_number(measures: dict) -> None:
    with pytest.raises(RatingError, match="seats"):
        ctpl_base_premium(use=VehicleUse.FAMILY_CAR, **measures)


def test_a_truck_of_no_tonnage_is_refused() -> None:
    with pytest.raises(RatingError, match="tonnage"):
        ctpl_base_premium(use=VehicleUse.COMMERCIAL_TRUCK, tonnage=D(0))


# --- 交强险 floating rate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "scheme"),
    [
        *[(name, 1) for name in ("内蒙古", "海南", "青海", "西藏")],
        *[(name, 2) for name in ("陕西", "云南", "广西")],
        *[(name, 3) for name in ("甘肃", "吉林", "山西", "黑龙江", "新疆")],
        *[(name, 4) for name in ("北京", "天津", "河北", "宁夏")],
        *[(name, 5) for name in ("广东", "深圳", "江苏", "浙江", "上海", "四川", "宁波", "重庆")],
        ("广东省", 5),
        ("深圳市", 5),
        ("北京市", 4),
        ("内蒙古自治区", 1),
        ("广西壮族自治区", 2),
        ("新疆维吾尔自治区", 3),
        ("宁夏回族自治区", 4),
        (" 海南 ", 1),
    ],
)
def test_each_region_floats_in_its_scheme(province: str, scheme: int) -> None:
    assert ctpl_floating_scheme(province=province) == scheme


@pytest.mark.parametrize("province", ["火星", "", "广东深圳", "粤"])
def test_an_unknown_region_is_refused_not_priced_as_scheme_5(province: str) -> None:
    with pytest.raises(RatingError) as caught:
        ctpl_floating_scheme(province=province)
    assert caught.value.field == "province"


def test_region_names_are_shortened() -> None:
    assert region_name("广东省") == "广东"
    assert region_name("西藏自治区") == "西藏"


# A 5-seat family car (base 950) in one region of each scheme, for each history class.
@pytest.mark.parametrize(
    ("province", "history", "rate", "premium"),
    [
        ("海南", "new", "0", "950.00"),
        ("海南", "A1", "-0.30", "665.00"),
        ("海南", "A2", "-0.40", "570.00"),
        ("海南", "A3", "-0.50", "475.00"),
        ("海南", "A4", "0", "950.00"),
        ("海南", "A5", "0.10", "1045.00"),
        ("海南", "A6", "0.30", "1235.00"),
        ("陕西", "new", "0", "950.00"),
        ("陕西", "A1", "-0.25", "712.50"),
        ("陕西", "A2", "-0.35", "617.50"),
        ("陕西", "A3", "-0.45", "522.50"),
        ("陕西", "A4", "0", "950.00"),
        ("陕西", "A5", "0.10", "1045.00"),
        ("陕西", "A6", "0.30", "1235.00"),
        ("吉林", "new", "0", "950.00"),
        ("吉林", "A1", "-0.20", "760.00"),
        ("吉林", "A2", "-0.30", "665.00"),
        ("吉林", "A3", "-0.40", "570.00"),
        ("吉林", "A4", "0", "950.00"),
        ("吉林", "A5", "0.10", "1045.00"),
        ("吉林", "A6", "0.30", "1235.00"),
        ("北京", "new", "0", "950.00"),
        ("北京", "A1", "-0.15", "807.50"),
        ("北京", "A2", "-0.25", "712.50"),
        ("北京", "A3", "-0.35", "617.50"),
        ("北京", "A4", "0", "950.00"),
        ("北京", "A5", "0.10", "1045.00"),
        ("北京", "A6", "0.30", "1235.00"),
        ("深圳", "new", "0", "950.00"),
        ("深圳", "A1", "-0.10", "855.00"),
        ("深圳", "A2", "-0.20", "760.00"),
        ("深圳", "A3", "-0.30", "665.00"),
        ("深圳", "A4", "0", "950.00"),
        ("深圳", "A5", "0.10", "1045.00"),
        ("深圳", "A6", "0.30", "1235.00"),
    ],
)
def test_a_5_seat_family_car_pays_ctpl_by_region_and_history(
    province: str, history: str, rate: str, premium: str
) -> None:
    floating = ctpl_floating_rate(province=province, history_class=history)
    assert floating == D(rate)
    base = ctpl_base_premium(use=VehicleUse.FAMILY_CAR, seats=5)
    assert ctpl_premium(base_premium=base, floating_rate=floating) == D(premium)


def test_a_5_seat_family_car_in_shenzhen_with_three_claim_free_years_pays_665() -> None:
    quote = rate_quote(
        vehicle=VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5),
        province="深圳",
        history=ClaimHistory(ctpl_class=CtplHistoryClass.A3),
        selection=CoverageSelection(vehicle_tax=False),
        today=date(2025, 6, 1),
    )
    assert quote.ctpl is not None
    assert quote.ctpl.premium == D("665.00")  # 950 × (1 − 30%)
    assert quote.total == D("665.00")


@pytest.mark.parametrize("province", ["海南", "陕西", "吉林", "北京", "广东"])
def test_a_new_vehicle_floats_zero_in_every_scheme(province: str) -> None:
    assert ctpl_floating_rate(province=province, history_class=CtplHistoryClass.NEW) == 0


def test_an_unknown_history_class_is_refused() -> None:
    with pytest.raises(RatingError, match="A7"):
        ctpl_floating_rate(province="广东", history_class="A7")


# --- 车船税 -------------------------------------------------------------------------------------


def test_the_default_tables_of_guangdong_and_beijing() -> None:
    assert GUANGDONG.annual_tax == tuple(map(D, (180, 360, 420, 720, 1800, 3000, 4500)))
    assert BEIJING.annual_tax == tuple(map(D, (300, 420, 480, 900, 1800, 3000, 4500)))
    assert vehicle_tax_table_problems(GUANGDONG) == ()
    assert vehicle_tax_table_problems(BEIJING) == ()


@pytest.mark.parametrize("amounts", [LEGAL_MINIMUMS, LEGAL_MAXIMUMS], ids=["all minimums", "all maximums"])
def test_both_ends_of_every_legal_range_are_lawful(amounts: tuple[int, ...]) -> None:
    table = tax_table("上海", *amounts)
    assert vehicle_tax_table_problems(table) == ()
    vehicle_tax_table_check(table)


@pytest.mark.parametrize("band", range(7), ids=BAND_LABELS)
@pytest.mark.parametrize("side", ["below the minimum", "above the maximum"])
def test_a_table_out_of_range_is_rejected_naming_the_band(band: int, side: str) -> None:
    amounts = list(LEGAL_MINIMUMS)
    amounts[band] = LEGAL_MINIMUMS[band] - 1 if side == "below the minimum" else LEGAL_MAXIMUMS[band] + 1
    table = tax_table("上海", *amounts)
    problems = vehicle_tax_table_problems(table)
    assert len(problems) == 1
    assert problems[0].startswith(BAND_LABELS[band])
    assert f"{LEGAL_MINIMUMS[band]}–{LEGAL_MAXIMUMS[band]}" in problems[0]
    with pytest.raises(RatingError, match=BAND_LABELS[band]) as caught:
        vehicle_tax_table_check(table)
    assert caught.value.code == "vehicle_tax_out_of_legal_range"


def test_every_band_out_of_range_is_reported() -> None:
    table = tax_table("上海", 59, 300, 360, 660, 1200, 2400, 5401)
    assert [problem.split("：")[0] for problem in vehicle_tax_table_problems(table)] == ["≤1.0L", ">4.0L"]


def test_a_table_needs_seven_bands() -> None:
    with pytest.raises(ValueError, match="7"):
        tax_table("上海", 60, 300)


def test_a_table_in_floats_is_refused() -> None:
    with pytest.raises(TypeError):
        VehicleTaxTable(province="上海", annual_tax=(60.0, 300, 360, 660, 1200, 2400, 3600))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("litres", "guangdong", "beijing"),
    [
        ("0.9", "180", "300"),
        ("1.0", "180", "300"),
        ("1.01", "360", "420"),
        ("1.6", "360", "420"),
        ("1.61", "420", "480"),
        ("2.0", "420", "480"),
        ("2.01", "720", "900"),
        ("2.5", "720", "900"),
        ("2.51", "1800", "1800"),
        ("3.0", "1800", "1800"),
        ("3.01", "3000", "3000"),
        ("4.0", "3000", "3000"),
        ("4.01", "4500", "4500"),
        ("6.2", "4500", "4500"),
    ],
)
def test_displacement_bands_include_their_upper_bound(litres: str, guangdong: str, beijing: str) -> None:
    assert vehicle_tax_annual(table=GUANGDONG, displacement=D(litres)) == D(guangdong)
    assert vehicle_tax_annual(table=BEIJING, displacement=D(litres)) == D(beijing)


@pytest.mark.parametrize("litres", ["1.5", "6.0"])
def test_new_energy_vehicles_are_exempt(litres: str) -> None:
    assert vehicle_tax_annual(table=GUANGDONG, displacement=D(litres), energy=Energy.NEW_ENERGY) == 0


def test_a_fuel_car_needs_its_displacement() -> None:
    with pytest.raises(RatingError, match="displacement"):
        vehicle_tax_annual(table=GUANGDONG, displacement=None)


def test_an_unlawful_table_is_not_used_to_tax() -> None:
    with pytest.raises(RatingError, match="1.0–1.6L"):
        vehicle_tax_annual(
            table=tax_table("上海", 60, 600, 360, 660, 1200, 2400, 3600), displacement=D("1.5")
        )


@pytest.mark.parametrize(
    ("bought", "months"),
    [
        (date(2025, 10, 8), 3),  # October, November, December
        (date(2025, 1, 31), 12),
        (date(2025, 12, 1), 1),
        (date(2025, 6, 30), 7),
        (date(2024, 10, 8), 12),  # bought last year: the whole year
    ],
)
def test_months_taxed_run_from_the_purchase_month_to_december(bought: date, months: int) -> None:
    assert vehicle_tax_months(purchase_date=bought, tax_year=2025) == months


def test_a_car_bought_in_october_pays_three_twelfths() -> None:
    # 广东, 2.0L (band 1.6–2.0L): 420 a year; bought in October: 420 × 3 / 12 = 105.00
    months = vehicle_tax_months(purchase_date=date(2025, 10, 8), tax_year=2025)
    annual = vehicle_tax_annual(table=GUANGDONG, displacement=D("2.0"))
    assert vehicle_tax_amount(annual_tax=annual, months=months) == D("105.00")


def test_a_purchase_after_the_tax_year_is_refused() -> None:
    with pytest.raises(RatingError) as caught:
        vehicle_tax_months(purchase_date=date(2026, 1, 5), tax_year=2025)
    assert caught.value.field == "purchase_date"


@pytest.mark.parametrize("months", [0, 13])
def test_months_taxed_lie_between_1_and_12(months: int) -> None:
    with pytest.raises(RatingError):
        vehicle_tax_amount(annual_tax=D(360), months=months)


def test_a_city_is_taxed_with_its_provinces_table() -> None:
    assert vehicle_tax_table_for(province="深圳") is GUANGDONG
    assert vehicle_tax_table_for(province="广东省") is GUANGDONG


def test_a_province_without_a_table_is_refused_by_name() -> None:
    with pytest.raises(RatingError, match="上海") as caught:
        vehicle_tax_table_for(province="上海")
    assert caught.value.code == "vehicle_tax_table_missing"


def test_the_tenants_table_comes_first() -> None:
    shanghai = tax_table("上海", 180, 360, 420, 720, 1800, 3000, 4500)
    assert vehicle_tax_table_for(province="上海", tenant_table=shanghai) is shanghai
    cheaper_guangdong = tax_table("广东", 60, 300, 360, 660, 1200, 2400, 3600)
    assert vehicle_tax_table_for(province="深圳", tenant_table=cheaper_guangdong) is cheaper_guangdong


def test_another_provinces_table_is_refused() -> None:
    with pytest.raises(RatingError, match="北京") as caught:
        vehicle_tax_table_for(province="广东", tenant_table=BEIJING)
    assert caught.value.code == "vehicle_tax_table_wrong_province"


def test_an_unlawful_tenant_table_is_refused() -> None:
    with pytest.raises(RatingError, match=">4.0L"):
        vehicle_tax_table_for(
            province="上海", tenant_table=tax_table("上海", 60, 300, 360, 660, 1200, 2400, 6000)
        )


# --- NCD, 自主定价系数, 交通违法系数 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_free_years", "claims_last_year", "ncd"),
    [
        (4, 0, "0.5"),
        (7, 0, "0.5"),
        (3, 0, "0.6"),
        (2, 0, "0.7"),
        (1, 0, "0.8"),
        (0, 0, "1.0"),  # new vehicle
        (0, 1, "1.0"),
        (0, 2, "1.25"),
        (0, 3, "1.5"),
        (0, 4, "1.75"),
        (0, 5, "2.0"),
        (0, 9, "2.0"),
    ],
)
def test_ncd_by_claim_history(claim_free_years: int, claims_last_year: int, ncd: str) -> None:
    assert ncd_coefficient(claim_free_years=claim_free_years, claims_last_year=claims_last_year) == D(ncd)


@pytest.mark.parametrize(
    ("claim_free_years", "claims_last_year"),
    [(2, 1), (-1, 0), (0, -1)],
    ids=["both", "negative years", "negative claims"],
)
def test_an_impossible_claim_history_is_refused(claim_free_years: int, claims_last_year: int) -> None:
    with pytest.raises(RatingError):
        ncd_coefficient(claim_free_years=claim_free_years, claims_last_year=claims_last_year)


def test_a_claim_history_is_checked_when_built() -> None:
    with pytest.raises(RatingError):
        ClaimHistory(claim_free_years=3, claims_last_year=2)


@pytest.mark.parametrize(("factor", "premium"), [("0.5", "550.00"), ("1.5", "1650.00")])
def test_both_ends_of_the_autonomous_pricing_range_are_accepted(factor: str, premium: str) -> None:
    assert autonomous_pricing_factor_check(D(factor)) == D(factor)
    # 三者险 1M base 1100, new vehicle (NCD 1.0)
    assert commercial_premium(base_premium=D(1100), ncd=D("1.0"), autonomous_pricing_factor=D(factor)) == D(
        premium
    )


@pytest.mark.parametrize("factor", ["0.49", "1.51"])
def test_an_autonomous_pricing_factor_outside_the_range_is_refused(factor: str) -> None:
    with pytest.raises(RatingError, match=factor) as caught:
        commercial_premium(base_premium=D(1100), ncd=D("1.0"), autonomous_pricing_factor=D(factor))
    assert caught.value.field == "autonomous_pricing_factor"


def test_the_traffic_violation_factor_defaults_to_1_and_multiplies() -> None:
    # 1100 × 0.7 × 0.9 = 693.00; with a 1.1 violation factor: 762.30
    assert commercial_premium(base_premium=D(1100), ncd=D("0.7"), autonomous_pricing_factor=D("0.9")) == D(
        "693.00"
    )
    assert commercial_premium(
        base_premium=D(1100),
        ncd=D("0.7"),
        autonomous_pricing_factor=D("0.9"),
        traffic_violation_factor=D("1.1"),
    ) == D("762.30")


def test_a_traffic_violation_factor_of_zero_is_refused() -> None:
    with pytest.raises(RatingError, match="交通违法系数"):
        commercial_premium(
            base_premium=D(1100), ncd=D(1), autonomous_pricing_factor=D(1), traffic_violation_factor=0
        )


# --- Rounding ------------------------------------------------------------------------------------


def test_a_premium_ending_in_half_a_cent_rounds_up() -> None:
    # 100.01 × 0.5 × 1 = 50.005 -> 50.01 (banker's rounding would give 50.00)
    assert commercial_premium(base_premium=D("100.01"), ncd=D("0.5"), autonomous_pricing_factor=D(1)) == D(
        "50.01"
    )


def test_a_tax_ending_in_half_a_cent_rounds_up() -> None:
    # 60.06 a year, bought in December: 60.06 / 12 = 5.005 -> 5.01
    assert vehicle_tax_amount(annual_tax=D("60.06"), months=1) == D("5.01")


def test_an_actual_value_ending_in_half_a_cent_rounds_up() -> None:
    # 100,000.25 after 10 months at 0.6%: × 0.94 = 94,000.235 -> 94,000.24
    value = actual_value(
        purchase_price=D("100000.25"),
        first_registration=date(2024, 1, 15),
        on=date(2024, 11, 15),
        monthly_depreciation=D("0.006"),
    )
    assert value == D("94000.24")


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(ValueError, match="displacement"):
        VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5, displacement=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        commercial_premium(base_premium=1100.0, ncd=D(1), autonomous_pricing_factor=D(1))  # type: ignore[arg-type]


# --- Actual value (车损险 sum insured) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "months"),
    [
        (date(2024, 3, 20), 0),
        (date(2024, 4, 19), 0),  # a day short of the first month
        (date(2024, 4, 20), 1),
        (date(2025, 6, 10), 14),
        (date(2025, 6, 20), 15),
    ],
)
def test_age_counts_full_months_from_first_registration(on: date, months: int) -> None:
    assert full_months_of_age(first_registration=date(2024, 3, 20), on=on) == months


def test_a_family_car_loses_0_6_percent_a_month() -> None:
    # 150,000 after 14 full months: 150,000 × (1 − 14 × 0.6%) = 150,000 × 0.916 = 137,400.00
    rate = monthly_depreciation(use=VehicleUse.FAMILY_CAR, seats=5)
    assert rate == D("0.006")
    value = actual_value(
        purchase_price=D(150000),
        first_registration=date(2024, 3, 20),
        on=date(2025, 6, 10),
        monthly_depreciation=rate,
    )
    assert value == D("137400.00")


@pytest.mark.parametrize(
    ("on", "value"),
    [
        (date(2035, 2, 1), "20200.00"),  # 133 months: 100,000 × (1 − 79.8%)
        (date(2035, 3, 1), "20000.00"),  # 134 months: 80.4% would be more than the 80% cap
        (date(2045, 1, 1), "20000.00"),
    ],
)
def test_actual_value_never_falls_below_20_percent_of_the_price(on: date, value: str) -> None:
    assert actual_value(
        purchase_price=D(100000), first_registration=date(2024, 1, 1), on=on, monthly_depreciation=D("0.006")
    ) == D(value)


def test_a_registration_after_the_valuation_date_is_refused() -> None:
    with pytest.raises(RatingError) as caught:
        full_months_of_age(first_registration=date(2025, 7, 1), on=date(2025, 6, 1))
    assert caught.value.field == "first_registration"


@pytest.mark.parametrize(
    ("use", "seats", "rate"),
    [
        (VehicleUse.FAMILY_CAR, 9, "0.006"),
        (VehicleUse.FAMILY_CAR, 10, "0.009"),
        (VehicleUse.ENTERPRISE_PASSENGER, 7, "0.006"),
        (VehicleUse.GOVERNMENT_PASSENGER, 19, "0.009"),
        (VehicleUse.TAXI_RENTAL, 5, "0.011"),
    ],
)
def test_monthly_depreciation_by_use_and_seats(use: VehicleUse, seats: int, rate: str) -> None:
    assert monthly_depreciation(use=use, seats=seats) == D(rate)


def test_a_use_without_a_depreciation_rate_is_refused() -> None:
    with pytest.raises(RatingError, match="营业货车"):
        monthly_depreciation(use=VehicleUse.COMMERCIAL_TRUCK, seats=3)


# --- 商业险 rating table -------------------------------------------------------------------------


def test_third_party_base_is_the_tables_amount_for_the_chosen_limit() -> None:
    choice = CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(1_000_000))
    assert commercial_base_premium(table=SAMPLE_FAMILY_CAR_TABLE, choice=choice) == D("1100.00")


def test_a_limit_the_table_does_not_offer_is_refused() -> None:
    choice = CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(1_200_000))
    with pytest.raises(RatingError, match="1200000") as caught:
        commercial_base_premium(table=SAMPLE_FAMILY_CAR_TABLE, choice=choice)
    assert caught.value.field == "limit"


def test_own_damage_base_is_a_fixed_part_and_a_rate_of_actual_value() -> None:
    # 566 + 1.35% × 137,400.00 = 566 + 1,854.90 = 2,420.90
    choice = CoverageChoice(code=CoverageCode.OWN_DAMAGE)
    base = commercial_base_premium(table=SAMPLE_FAMILY_CAR_TABLE, choice=choice, actual_value=D("137400.00"))
    assert base == D("2420.90")


def test_seat_cover_base_is_rate_times_seats_times_limit() -> None:
    # passengers: 0.27% × 4 seats × 20,000 = 216.00
    choice = CoverageChoice(code=CoverageCode.PASSENGER_LIABILITY, seats=4, limit_per_seat=D(20000))
    assert commercial_base_premium(table=SAMPLE_FAMILY_CAR_TABLE, choice=choice) == D("216.00")


def test_seat_cover_needs_seats_and_a_limit_per_seat() -> None:
    with pytest.raises(RatingError, match="limit_per_seat"):
        commercial_base_premium(
            table=SAMPLE_FAMILY_CAR_TABLE, choice=CoverageChoice(code=CoverageCode.DRIVER_LIABILITY, seats=1)
        )


def test_a_rider_is_a_share_of_its_main_coverage_and_needs_it() -> None:
    rider = CoverageChoice(code="holiday_double_limit")
    # 5% of the 三者险 base 1,100 = 55.00
    base = commercial_base_premium(
        table=SAMPLE_FAMILY_CAR_TABLE, choice=rider, base_premiums={CoverageCode.THIRD_PARTY: D("1100.00")}
    )
    assert base == D("55.00")
    with pytest.raises(RatingError, match="第三者责任保险") as caught:
        commercial_base_premium(table=SAMPLE_FAMILY_CAR_TABLE, choice=rider)
    assert caught.value.code == "rider_without_main_coverage"


def test_a_coverage_missing_from_the_table_is_refused() -> None:
    with pytest.raises(RatingError, match="glass"):
        commercial_base_premium(table=SAMPLE_FAMILY_CAR_TABLE, choice=CoverageChoice(code="glass"))


@pytest.mark.parametrize(
    ("coverages", "message"),
    [
        ({CoverageCode.THIRD_PARTY: LimitBases(name="三者险", by_limit={D(1_200_000): D(1150)})}, "1200000"),
        ({CoverageCode.OWN_DAMAGE: FixedBase(name="车损险", amount=D(2000))}, "实际价值"),
        ({"rider": RateOfCoverage(name="附加", rate=D("0.1"), coverage="third_party")}, "third_party"),
        (
            {
                "a": FixedBase(name="A", amount=D(10)),
                "b": RateOfCoverage(name="B", rate=D("0.1"), coverage="a"),
                "c": RateOfCoverage(name="C", rate=D("0.1"), coverage="b"),
            },
            "附加险 c",
        ),
    ],
    ids=[
        "illegal third-party limit",
        "own damage not on actual value",
        "rider of nothing",
        "rider of a rider",
    ],
)
def test_a_rating_table_must_keep_the_rules(coverages: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CommercialRatingTable(insurer="某保险", name="测试表", coverages=coverages)


def test_a_rating_table_is_read_only_data() -> None:
    with pytest.raises(TypeError):
        SAMPLE_FAMILY_CAR_TABLE.coverages["glass"] = FixedBase(name="玻璃", amount=D(100))  # type: ignore[index]
    assert isinstance(SAMPLE_FAMILY_CAR_TABLE.coverages[CoverageCode.OWN_DAMAGE], ActualValueRate)


# --- A whole quote -------------------------------------------------------------------------------

FAMILY_CAR_COVER = (
    CoverageChoice(code=CoverageCode.OWN_DAMAGE),
    CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(1_000_000)),
    CoverageChoice(code=CoverageCode.DRIVER_LIABILITY, seats=1, limit_per_seat=D(10000)),
    CoverageChoice(code=CoverageCode.PASSENGER_LIABILITY, seats=4, limit_per_seat=D(10000)),
    CoverageChoice(code="holiday_double_limit"),
)


@pytest.fixture
def family_car_in_shenzhen_a_year_on() -> QuoteRating:
    """A 1.5L, 5-seat family car bought for 150,000 in March 2024, registered 20 March, renewed in
    深圳 on 10 June 2025 after one claim-free year, with full cover at 自主定价系数 0.85."""
    return rate_quote(
        vehicle=VehicleDescription(
            use=VehicleUse.FAMILY_CAR,
            seats=5,
            displacement=D("1.5"),
            purchase_price=D(150000),
            first_registration=date(2024, 3, 20),
            purchase_date=date(2024, 3, 15),
        ),
        province="深圳",
        history=ClaimHistory(ctpl_class=CtplHistoryClass.A1, claim_free_years=1),
        selection=CoverageSelection(commercial=FAMILY_CAR_COVER),
        today=date(2025, 6, 10),
        rating_table=SAMPLE_FAMILY_CAR_TABLE,
        autonomous_pricing_factor=D("0.85"),
    )


def test_a_full_quote_adds_ctpl_tax_and_commercial(family_car_in_shenzhen_a_year_on: QuoteRating) -> None:
    quote = family_car_in_shenzhen_a_year_on
    assert quote.ctpl and quote.vehicle_tax and quote.actual_value
    # 交强险: 950 (家庭自用 6座以下) × (1 − 10%) (scheme 5, A1) = 855.00
    assert quote.ctpl.base_premium == D("950.00")
    assert quote.ctpl.band == "6座以下"
    assert quote.ctpl.floating_scheme == 5
    assert quote.ctpl.floating_rate == D("-0.10")
    assert quote.ctpl.premium == D("855.00")
    # 车船税: 广东's table (深圳), 1.5L is band 1.0–1.6L: 360; bought in 2024, so all 12 months
    assert quote.vehicle_tax.table_province == "广东"
    assert quote.vehicle_tax.displacement_band == "1.0–1.6L"
    assert (quote.vehicle_tax.annual_tax, quote.vehicle_tax.months) == (D("360.00"), 12)
    assert quote.vehicle_tax.amount == D("360.00")
    # Actual value: 14 full months (20 Mar 2024 -> 10 Jun 2025) × 0.6% = 8.4%: 150,000 × 0.916
    assert quote.actual_value.months_of_age == 14
    assert quote.actual_value.value == D("137400.00")
    # Each line: base × NCD 0.8 (one claim-free year) × 0.85 = base × 0.68
    lines = {line.code: line for line in quote.commercial_lines}
    assert [line.code for line in quote.commercial_lines] == [choice.code for choice in FAMILY_CAR_COVER]
    # 车损险   566 + 1.35% × 137,400.00 = 2,420.90 × 0.68 = 1,646.212 -> 1,646.21
    # 三者险   1M: 1,100.00 × 0.68 = 748.00
    # 司机     0.42% × 1 × 10,000 = 42.00 × 0.68 = 28.56
    # 乘客     0.27% × 4 × 10,000 = 108.00 × 0.68 = 73.44
    # 节假日翻倍 5% × 1,100.00 = 55.00 × 0.68 = 37.40
    expected = {
        CoverageCode.OWN_DAMAGE: ("2420.90", "1646.21"),
        CoverageCode.THIRD_PARTY: ("1100.00", "748.00"),
        CoverageCode.DRIVER_LIABILITY: ("42.00", "28.56"),
        CoverageCode.PASSENGER_LIABILITY: ("108.00", "73.44"),
        "holiday_double_limit": ("55.00", "37.40"),
    }
    for code, (base, premium) in expected.items():
        line = lines[code]
        assert (line.base_premium, line.premium) == (D(base), D(premium)), code
        assert (line.ncd, line.autonomous_pricing_factor, line.traffic_violation_factor) == (
            D("0.8"),
            D("0.85"),
            D(1),
        )
    # 商业险 1,646.21 + 748.00 + 28.56 + 73.44 + 37.40 = 2,533.61
    assert quote.commercial_premium == D("2533.61")
    # Total 855.00 + 360.00 + 2,533.61 = 3,748.61
    assert quote.total == D("3748.61")
    assert quote.insurer == SAMPLE_FAMILY_CAR_TABLE.insurer


def test_a_quote_is_json_ready_and_recomputes_from_its_own_factors(
    family_car_in_shenzhen_a_year_on: QuoteRating,
) -> None:
    stored = json.loads(json.dumps(family_car_in_shenzhen_a_year_on.to_dict()))
    assert stored["total"] == "3748.61"
    assert stored["ctpl"]["floating_rate"] == "-0.10"
    assert stored["vehicle"]["use"] == "family_car"
    assert stored["rated_on"] == "2025-06-10"
    own_damage = stored["commercial_lines"][0]
    assert own_damage["pricing"] == {
        "form": "actual_value_rate",
        "name": "机动车损失保险",
        "fixed": "566",
        "rate": "0.0135",
    }
    # What was stored is enough to explain every amount again, to the cent.
    ctpl = stored["ctpl"]
    assert D(ctpl["base_premium"]) * (1 + D(ctpl["floating_rate"])) == D(ctpl["premium"])
    value = stored["actual_value"]
    assert D(value["purchase_price"]) * (1 - value["months_of_age"] * D(value["monthly_depreciation"])) == D(
        value["value"]
    )
    assert D(own_damage["pricing"]["fixed"]) + D(own_damage["pricing"]["rate"]) * D(value["value"]) == D(
        own_damage["base_premium"]
    )
    for line in stored["commercial_lines"]:
        factors = D(line["ncd"]) * D(line["autonomous_pricing_factor"]) * D(line["traffic_violation_factor"])
        assert abs(D(line["base_premium"]) * factors - D(line["premium"])) < D("0.005")
    parts = D(stored["ctpl_premium"]) + D(stored["vehicle_tax_amount"]) + D(stored["commercial_premium"])
    assert parts == D(stored["total"])


def test_a_new_car_bought_in_october_in_beijing() -> None:
    quote = rate_quote(
        vehicle=VehicleDescription(
            use=VehicleUse.FAMILY_CAR,
            seats=5,
            displacement=D("2.0"),
            purchase_price=D(200000),
            first_registration=date(2025, 10, 15),
            purchase_date=date(2025, 10, 8),
        ),
        province="北京市",
        history=ClaimHistory(),
        selection=CoverageSelection(
            commercial=(
                CoverageChoice(code=CoverageCode.OWN_DAMAGE),
                CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(2_000_000)),
            )
        ),
        today=date(2025, 10, 20),
        rating_table=SAMPLE_FAMILY_CAR_TABLE,
        autonomous_pricing_factor=D("1.2"),
    )
    assert quote.ctpl and quote.vehicle_tax and quote.actual_value
    # 交强险: new vehicle, no floating: 950.00
    assert (quote.ctpl.history_class, quote.ctpl.floating_rate, quote.ctpl.premium) == ("new", 0, D("950.00"))
    # 车船税: 北京 2.0L (band 1.6–2.0L) 480 a year × 3/12 (October–December) = 120.00
    assert (quote.vehicle_tax.annual_tax, quote.vehicle_tax.months) == (D("480.00"), 3)
    assert quote.vehicle_tax.amount == D("120.00")
    # Actual value: not a full month old, so 200,000.00
    # 车损险 566 + 1.35% × 200,000 = 3,266.00 × NCD 1.0 × 1.2 = 3,919.20
    # 三者险 2M: 1,230.00 × 1.0 × 1.2 = 1,476.00
    assert quote.actual_value.value == D("200000.00")
    assert [line.premium for line in quote.commercial_lines] == [D("3919.20"), D("1476.00")]
    # 950.00 + 120.00 + 3,919.20 + 1,476.00 = 6,465.20
    assert quote.total == D("6465.20")


def test_a_new_energy_car_pays_ctpl_and_no_tax() -> None:
    energy = Energy(plate_kind("粤BD12345") or "")  # 8 characters: a new-energy plate
    quote = rate_quote(
        vehicle=VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5, energy=energy),
        province="广东",
        history=ClaimHistory(ctpl_class=CtplHistoryClass.A2),
        selection=CoverageSelection(),
        today=date(2025, 6, 1),
    )
    # 950 × (1 − 20%) = 760.00; 车船税 exempt
    assert quote.vehicle_tax is not None
    assert quote.vehicle_tax.exempt
    assert quote.vehicle_tax.amount == 0
    assert quote.total == D("760.00")


def test_a_car_taxed_in_a_province_without_a_table_cannot_be_quoted() -> None:
    with pytest.raises(RatingError, match="上海"):
        rate_quote(
            vehicle=VehicleDescription(
                use=VehicleUse.FAMILY_CAR, seats=5, displacement=D("1.5"), purchase_date=date(2023, 5, 1)
            ),
            province="上海",
            history=ClaimHistory(),
            selection=CoverageSelection(),
            today=date(2025, 6, 1),
        )


def test_the_tax_needs_the_purchase_date() -> None:
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5, displacement=D("1.5")),
            province="广东",
            history=ClaimHistory(),
            selection=CoverageSelection(),
            today=date(2025, 6, 1),
        )
    assert caught.value.field == "purchase_date"


def test_a_truck_is_not_taxed_by_displacement() -> None:
    truck = VehicleDescription(
        use=VehicleUse.NON_COMMERCIAL_TRUCK,
        tonnage=D(3),
        displacement=D("2.8"),
        purchase_date=date(2023, 5, 1),
    )
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=truck,
            province="广东",
            history=ClaimHistory(),
            selection=CoverageSelection(),
            today=date(2025, 6, 1),
        )
    assert caught.value.code == "vehicle_tax_not_passenger_car"
    # With its tax paid elsewhere (完税证明): 1470 (2–5t) × (1 + 10%) (A5) = 1,617.00
    quote = rate_quote(
        vehicle=truck,
        province="广东",
        history=ClaimHistory(ctpl_class=CtplHistoryClass.A5),
        selection=CoverageSelection(vehicle_tax=False),
        today=date(2025, 6, 1),
    )
    assert quote.vehicle_tax is None
    assert quote.total == D("1617.00")


def test_without_ctpl_no_tax_is_collected() -> None:
    quote = rate_quote(
        vehicle=VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5, displacement=D("1.5")),
        province="广东",
        history=ClaimHistory(claims_last_year=2),
        selection=CoverageSelection(
            ctpl=False, commercial=(CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(500_000)),)
        ),
        today=date(2025, 6, 1),
        rating_table=SAMPLE_FAMILY_CAR_TABLE,
        autonomous_pricing_factor=D(1),
        traffic_violation_factor=D("1.1"),
    )
    # 三者险 500k: 984 × 1.25 (2 claims) × 1 × 1.1 = 1,353.00
    assert (quote.ctpl, quote.vehicle_tax) == (None, None)
    assert quote.total == D("1353.00")


def test_commercial_cover_needs_the_insurers_terms() -> None:
    selection = CoverageSelection(
        commercial=(CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(1_000_000)),)
    )
    vehicle = VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5, energy=Energy.NEW_ENERGY)
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=vehicle,
            province="广东",
            history=ClaimHistory(),
            selection=selection,
            today=date(2025, 6, 1),
        )
    assert caught.value.field == "rating_table"
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=vehicle,
            province="广东",
            history=ClaimHistory(),
            selection=selection,
            today=date(2025, 6, 1),
            rating_table=SAMPLE_FAMILY_CAR_TABLE,
            autonomous_pricing_factor=D("1.6"),
        )
    assert caught.value.field == "autonomous_pricing_factor"


def test_a_quote_needs_something_to_rate() -> None:
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5),
            province="广东",
            history=ClaimHistory(),
            selection=CoverageSelection(ctpl=False),
            today=date(2025, 6, 1),
        )
    assert caught.value.code == "nothing_to_rate"


def test_a_coverage_chosen_twice_is_refused() -> None:
    with pytest.raises(RatingError, match="third_party"):
        CoverageSelection(
            commercial=(
                CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(1_000_000)),
                CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(2_000_000)),
            )
        )


def test_seat_cover_cannot_exceed_the_vehicles_seats() -> None:
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=VehicleDescription(use=VehicleUse.FAMILY_CAR, seats=5, energy=Energy.NEW_ENERGY),
            province="广东",
            history=ClaimHistory(),
            selection=CoverageSelection(
                commercial=(
                    CoverageChoice(code=CoverageCode.PASSENGER_LIABILITY, seats=6, limit_per_seat=D(10000)),
                )
            ),
            today=date(2025, 6, 1),
            rating_table=SAMPLE_FAMILY_CAR_TABLE,
            autonomous_pricing_factor=D(1),
        )
    assert caught.value.code == "seats_exceed_vehicle"


def test_own_damage_needs_the_purchase_price() -> None:
    with pytest.raises(RatingError) as caught:
        rate_quote(
            vehicle=VehicleDescription(
                use=VehicleUse.FAMILY_CAR,
                seats=5,
                energy=Energy.NEW_ENERGY,
                first_registration=date(2024, 1, 1),
            ),
            province="广东",
            history=ClaimHistory(),
            selection=CoverageSelection(
                ctpl=False, commercial=(CoverageChoice(code=CoverageCode.OWN_DAMAGE),)
            ),
            today=date(2025, 6, 1),
            rating_table=SAMPLE_FAMILY_CAR_TABLE,
            autonomous_pricing_factor=D(1),
        )
    assert caught.value.field == "purchase_price"


# --- A new car is not a renewal (issue 17 §3) ----------------------------------------------------

THE_USUAL_PACKAGE = (
    CoverageChoice(code=CoverageCode.OWN_DAMAGE),
    CoverageChoice(code=CoverageCode.THIRD_PARTY, limit=D(1000000)),
    CoverageChoice(code=CoverageCode.DRIVER_LIABILITY, seats=1, limit_per_seat=D(10000)),
    CoverageChoice(code=CoverageCode.PASSENGER_LIABILITY, seats=4, limit_per_seat=D(10000)),
)
A_WEEK_OLD_CAR = VehicleDescription(
    use=VehicleUse.FAMILY_CAR,
    seats=5,
    displacement=D("1.5"),
    purchase_price=D(180000),
    first_registration=date(2026, 11, 29),
    purchase_date=date(2026, 11, 29),
)
RENEWAL_AS_STATED = ClaimHistory(ctpl_class=CtplHistoryClass.A1, claim_free_years=1)


def _priced(history: ClaimHistory) -> QuoteRating:
    return rate_quote(
        vehicle=A_WEEK_OLD_CAR,
        province="广东",
        history=history,
        selection=CoverageSelection(commercial=THE_USUAL_PACKAGE),
        today=date(2026, 12, 6),
        rating_table=SAMPLE_FAMILY_CAR_TABLE,  # PICC's seeded table (scale 1.00)
        autonomous_pricing_factor=D("0.85"),
    )


def _history(stated: ClaimHistory, *, earlier_policy: bool = False, transferred: bool = False,
             registered: date | None = date(2026, 11, 29), bought: date | None = None) -> ClaimHistory:  # fmt: skip
    return history_for_rating(
        stated,
        first_registration=registered,
        purchase_date=bought,
        earlier_policy=earlier_policy,
        transferred=transferred,
        today=date(2026, 12, 6),
    )


def test_the_issues_week_old_car_priced_as_a_renewal_and_as_new() -> None:
    """粤B, 5 seats, 1.5 L, 180,000, first registered 29 Nov 2026, quoted 6 Dec 2026 with the quick
    quote's default history (A1, one claim-free year) and package, PICC at 0.85. No depreciation yet
    (0 full months): actual value 180,000; 车损险 基准 566 + 1.35% × 180,000 = 2,996.00.
    车船税: 广东 1.0–1.6 L 360 × 2/12 (November and December) = 60.00.

    As a renewal (the bug): 交强险 950 × 0.9 = 855.00; each line × 0.8 × 0.85 = × 0.68:
    2,996 → 2,037.28; 1,100 → 748.00; 42 → 28.56; 108 → 73.44; 商业险 2,887.28;
    total 855.00 + 60.00 + 2,887.28 = 3,802.28.
    As new: 交强险 950.00; each line × 1.0 × 0.85: 2,546.60 + 935.00 + 35.70 + 91.80 = 3,609.10;
    total 950.00 + 60.00 + 3,609.10 = 4,619.10 (the renewal was 816.82, 17.7%, too cheap)."""
    as_renewal = _priced(RENEWAL_AS_STATED)
    assert (as_renewal.ctpl_premium, as_renewal.vehicle_tax_amount) == (D("855.00"), D("60.00"))
    assert [line.premium for line in as_renewal.commercial_lines] == [
        D("2037.28"), D("748.00"), D("28.56"), D("73.44")
    ]  # fmt: skip
    assert as_renewal.total == D("3802.28")

    history = _history(RENEWAL_AS_STATED)
    assert history == ClaimHistory(source=HistorySource.NEW_VEHICLE)
    as_new = _priced(history)
    assert as_new.ctpl is not None and as_new.ctpl.floating_rate == D("0")
    assert as_new.ctpl_premium == D("950.00")
    assert [(line.ncd, line.premium) for line in as_new.commercial_lines] == [
        (D("1.0"), D("2546.60")), (D("1.0"), D("935.00")), (D("1.0"), D("35.70")), (D("1.0"), D("91.80"))
    ]  # fmt: skip
    assert (as_new.commercial_premium, as_new.total) == (D("3609.10"), D("4619.10"))
    # The explanation says why: the history it used, and where it came from.
    assert as_new.to_dict()["history"] == {
        "ctpl_class": "new", "claim_free_years": 0, "claims_last_year": 0, "source": "new_vehicle"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # a stated transfer of history keeps what was stated
        (
            {"transferred": True},
            ClaimHistory(
                ctpl_class=CtplHistoryClass.A1, claim_free_years=1, source=HistorySource.TRANSFERRED
            ),
        ),
        # a policy on record (expiry dates, a policy issued here): a renewal, as stated
        (
            {"earlier_policy": True},
            ClaimHistory(ctpl_class=CtplHistoryClass.A1, claim_free_years=1, source=HistorySource.STATED),
        ),
        # a year old exactly (6 Dec 2025): it can have a claim-free year of its own
        ({"registered": date(2025, 12, 6)}, ClaimHistory(ctpl_class=CtplHistoryClass.A1, claim_free_years=1)),
        # a day younger: new
        ({"registered": date(2025, 12, 7)}, ClaimHistory(source=HistorySource.NEW_VEHICLE)),
        # not registered yet (insured before the plate is issued): its purchase date tells its age
        ({"registered": None, "bought": date(2026, 12, 1)}, ClaimHistory(source=HistorySource.NEW_VEHICLE)),
        # nothing known of its age: the stated history
        ({"registered": None}, ClaimHistory(ctpl_class=CtplHistoryClass.A1, claim_free_years=1)),
    ],
)
def test_only_a_young_car_without_an_earlier_policy_is_rated_as_new(
    case: dict, expected: ClaimHistory
) -> None:
    assert _history(RENEWAL_AS_STATED, **case) == expected


def test_a_new_car_with_a_stated_accident_is_still_new() -> None:
    stated = ClaimHistory(ctpl_class=CtplHistoryClass.A4, claims_last_year=2)
    assert _history(stated) == ClaimHistory(source=HistorySource.NEW_VEHICLE)
