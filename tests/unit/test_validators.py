"""Formats from DOMAIN.md: plates, VINs, 身份证, mobiles and 统一社会信用代码."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    id_number_birth_date,
    mask_id_number,
    mask_mobile,
    plate_kind,
    validate_id_number,
    validate_mobile,
    validate_plate,
    validate_uscc,
    validate_vin,
    vin_check_digit,
)


@pytest.mark.parametrize(
    ("plate", "kind"),
    [
        ("粤B2088Z", "fuel"),
        ("京A12345", "fuel"),
        ("沪C8K9Y1", "fuel"),
        ("粤b 2088z", "fuel"),  # lower case and spaces are normalised
        ("川A1234学", "fuel"),
        ("粤BD12345", "new_energy"),  # small new-energy: D + 5
        ("粤BFA1234", "new_energy"),
        ("京A12345D", "new_energy"),  # large new-energy: 5 digits + D
    ],
)
def test_valid_plates(plate: str, kind: str) -> None:
    validate_plate(plate)
    assert plate_kind(plate) == kind


@pytest.mark.parametrize(
    "plate",
    [
        "粤B2088",  # too short
        "粤B2088ZZZ",  # too long
        "XXB2088Z",  # no province
        "粤12088Z",  # second char must be a letter
        "粤BO088Z",  # O is never issued
        "粤BA12345",  # 8 characters but not a new-energy pattern
        "粤BF1A234",  # small new-energy: the last four must be digits
        "",
    ],
)
def test_invalid_plates(plate: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_plate(plate)
    assert exc.value.code == "invalid_plate"


def test_vin_check_digit_follows_iso_3779() -> None:
    # The textbook example: 1M8GDM9A_KP042788 has check digit X.
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    validate_vin("1M8GDM9AXKP042788")
    assert vin_check_digit("LSVNV2185E2100420") == "5"
    validate_vin("LSVNV2185E2100420")
    validate_vin("lsvnv2185e2100420")


@pytest.mark.parametrize(
    ("vin", "code"),
    [
        ("1M8GDM9A1KP042788", "invalid_vin_check_digit"),
        ("LSVNV2183E2100420", "invalid_vin_check_digit"),  # 5 expected
        ("LSVNV2185E210042", "invalid_vin"),  # 16 characters
        ("LSVNV2I85E2100420", "invalid_vin"),  # I is not allowed
        ("LSVNV2185E21004Q0", "invalid_vin"),  # Q is not allowed
    ],
)
def test_invalid_vins(vin: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_vin(vin)
    assert exc.value.code == code


def test_id_number_check_digit_gb11643() -> None:
    validate_id_number("11010519491231002X")  # the standard's own example
    validate_id_number("44030519900101123X")
    validate_id_number("44030519900101123x")  # lower-case x is normalised
    assert id_number_birth_date("11010519491231002X").isoformat() == "1949-12-31"
    assert mask_id_number("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "invalid_id_number_check_digit"),
        ("11010519491331002X", "invalid_id_number_birth_date"),  # month 13
        ("11010519491231002", "invalid_id_number"),
        ("1101051949123100AX", "invalid_id_number"),
    ],
)
def test_invalid_id_numbers(number: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert exc.value.code == code


def test_mobile() -> None:
    validate_mobile("13800138000")
    validate_mobile("+86 199 1234 5678")
    assert mask_mobile("13800138000") == "138****8000"
    for bad in ("12800138000", "1380013800", "138001380001", "abc"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_uscc_check_character_gb32100() -> None:
    validate_uscc("91350100M000100Y43")
    validate_uscc("91110000600037341L")
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y44")
    assert exc.value.code == "invalid_uscc_check_char"
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y4")
    assert exc.value.code == "invalid_uscc"
