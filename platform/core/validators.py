"""Validators for the identifiers the business runs on (formats in DOMAIN.md).

Each ``validate_*`` raises ``django.core.exceptions.ValidationError`` with a stable ``code`` and a
Chinese message, so serializers and the Excel importers report the same error for the same input.
``normalize_*`` returns the canonical form (upper case, no spaces) that is stored.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError

PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Letters used on plates (I and O are never issued: they read as 1 and 0).
_PLATE_CHAR = "[A-HJ-NP-Z0-9]"
_FUEL_PLATE = re.compile(
    rf"^[{PROVINCE_ABBREVIATIONS}][A-HJ-NP-Z]{_PLATE_CHAR}{{4}}[A-HJ-NP-Z0-9挂学警港澳]$"
)
# New-energy (8 characters): small vehicles D/F + letter-or-digit + 4 digits; large: 5 digits + D/F.
_NEW_ENERGY_PLATE = re.compile(
    rf"^[{PROVINCE_ABBREVIATIONS}][A-HJ-NP-Z](?:[DF]{_PLATE_CHAR}\d{{4}}|\d{{5}}[DF])$"
)


def normalize_plate(value: str) -> str:
    return re.sub(r"[\s·•.\-]", "", value or "").upper()


def plate_kind(value: str) -> str | None:
    """'fuel', 'new_energy', or None when the plate is not valid."""
    plate = normalize_plate(value)
    if _FUEL_PLATE.match(plate):
        return "fuel"
    if _NEW_ENERGY_PLATE.match(plate):
        return "new_energy"
    return None


def validate_plate(value: str) -> None:
    if plate_kind(value) is None:
        raise ValidationError(
            "车牌号格式不正确：应为省份简称+字母+5位（燃油车）或6位（新能源）字符，如 粤B2088Z",
            code="invalid_plate",
        )


# ISO 3779 / GB 16735 check digit.
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def normalize_vin(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> None:
    vin = normalize_vin(value)
    if not _VIN.match(vin):
        raise ValidationError("车架号（VIN）应为17位字母或数字，且不含 I、O、Q", code="invalid_vin")
    if vin[8] != vin_check_digit(vin):
        raise ValidationError("车架号（VIN）第9位校验位不正确", code="invalid_vin_check_digit")


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def id_number_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(value: str) -> date:
    number = normalize_id_number(value)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_id_number(value: str) -> None:
    """Resident identity card number (身份证), GB 11643: 18 characters, check char last."""
    number = normalize_id_number(value)
    if not _ID_NUMBER.match(number):
        raise ValidationError("身份证号应为18位，前17位为数字，末位为数字或X", code="invalid_id_number")
    try:
        born = id_number_birth_date(number)
    except ValueError as exc:
        raise ValidationError("身份证号中的出生日期无效", code="invalid_id_number_birth_date") from exc
    if born.year < 1900 or born > date.today():
        raise ValidationError("身份证号中的出生日期无效", code="invalid_id_number_birth_date")
    if number[17] != id_number_check_char(number[:17]):
        raise ValidationError("身份证号校验位不正确", code="invalid_id_number_check_digit")


def mask_id_number(value: str) -> str:
    """Shown in lists: first 6 and last 4 kept (e.g. 440305********1234)."""
    number = normalize_id_number(value)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    mobile = re.sub(r"[\s\-]", "", value or "")
    return mobile[3:] if mobile.startswith("+86") else mobile


def validate_mobile(value: str) -> None:
    if not _MOBILE.match(normalize_mobile(value)):
        raise ValidationError("手机号应为11位，以1开头，第二位为3-9", code="invalid_mobile")


def mask_mobile(value: str) -> str:
    mobile = normalize_mobile(value)
    return mobile[:3] + "****" + mobile[7:] if len(mobile) == 11 else mobile


# 统一社会信用代码, GB 32100-2015.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(rf"^[{_USCC_CHARS}]{{18}}$")


def normalize_uscc(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = normalize_uscc(value)
    if not _USCC.match(code):
        raise ValidationError(
            "统一社会信用代码应为18位数字或大写字母（不含 I、O、Z、S、V）", code="invalid_uscc"
        )
    if code[17] != uscc_check_char(code[:17]):
        raise ValidationError("统一社会信用代码校验位不正确", code="invalid_uscc_check_char")


_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def validate_hex_color(value: str) -> None:
    if not _COLOR.match(value or ""):
        raise ValidationError("颜色应为 #RRGGBB 格式，如 #C8102E", code="invalid_color")
