from decimal import Decimal

import pytest

from core.money import allocate, apply_rate, round_cny


def test_round_half_up_to_the_cent() -> None:
    assert round_cny("0.005") == Decimal("0.01")
    assert round_cny("2.675") == Decimal("2.68")  # a float would give 2.67
    assert round_cny("-0.005") == Decimal("-0.01")


def test_ctpl_premium_with_three_claim_free_years_in_guangdong() -> None:
    # 家庭自用 <6 seats: base 950; scheme 5, A3 (three claim-free years): -30%.
    assert apply_rate(950, Decimal("0.70")) == Decimal("665.00")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        round_cny(0.1)  # type: ignore[arg-type]


def test_allocate_keeps_every_cent() -> None:
    parts = allocate("100.00", [Decimal(1), Decimal(1), Decimal(1)])
    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(parts) == Decimal("100.00")
