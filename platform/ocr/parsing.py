"""From the lines an OCR engine read off a 行驶证 or 身份证 to the form's fields, each with its
confidence and its check (pure functions: no model, no database).

The lines are put in reading order (rows top to bottom, boxes left to right in a row) and joined;
the printed labels (号牌号码, 车辆类型 … / 姓名, 性别 …) cut the text into values. Each value is then
checked the way the business checks it when it is typed (``core.validators``): the plate's format,
the VIN's check digit, the 身份证 check digit and birth date, dates that exist. A value that fails is
returned as read, flagged with the reason, never "corrected" (an O read in a VIN stays an O and the
VIN is flagged), so the person holding the card decides. Plates alone get two readings by their grammar
(O and I in the serial as 0 and 1; 川's strokes read as J and I dropped), used only when they make a
valid plate, and the plate is still flagged, saying what was changed.
"""

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from core.validators import (
    id_number_birth_date,
    normalize_id_number,
    normalize_plate,
    normalize_vin,
    validate_id_number,
    validate_plate,
    validate_vin,
)

# Below this the reading is flagged for the user to confirm even when its check passes.
LOW_CONFIDENCE = 0.80

VEHICLE_LICENCE = "vehicle_licence"
ID_CARD = "id_card"


@dataclass(frozen=True)
class Line:
    """One text box from the engine: its text, its confidence and its corner points."""

    text: str
    confidence: float
    box: Sequence[Sequence[float]]

    @property
    def top(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def bottom(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def left(self) -> float:
        return min(p[0] for p in self.box)


@dataclass(frozen=True)
class Spec:
    key: str
    label: str
    multiline: bool = False  # the value may wrap onto the next rows (addresses)


@dataclass
class Reading:
    key: str
    label: str
    value: str
    confidence: float
    flagged: bool
    problem: str


VEHICLE_LICENCE_FIELDS = (
    Spec("plate", "号牌号码"),
    Spec("vehicle_type", "车辆类型"),
    Spec("owner", "所有人"),
    Spec("address", "住址", multiline=True),
    Spec("use_character", "使用性质"),
    Spec("brand_model", "品牌型号"),
    Spec("vin", "车辆识别代号"),
    Spec("engine_no", "发动机号码"),
    Spec("registered_on", "注册日期"),
    Spec("issued_on", "发证日期"),
)
ID_CARD_FIELDS = (
    Spec("name", "姓名"),
    Spec("sex", "性别"),
    Spec("ethnicity", "民族"),
    Spec("birth_date", "出生"),
    Spec("address", "住址", multiline=True),
    Spec("id_number", "公民身份号码"),
)
FIELDS = {VEHICLE_LICENCE: VEHICLE_LICENCE_FIELDS, ID_CARD: ID_CARD_FIELDS}

# 使用性质 as printed on a 行驶证 (GA 801).
USE_CHARACTERS = frozenset(
    "非营运 营运 营转非 出租转非 预约出租客运 预约出租转非 公路客运 公交客运 出租客运 旅游客运 货运 "
    "租赁 警用 消防 救护 工程救险 教练 幼儿校车 小学生校车 中小学生校车 初中生校车 危化品运输".split()
)
# The 56 民族 as printed on a 身份证 (without 族), and the two that are printed otherwise.
ETHNICITIES = frozenset(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
    "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
    "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split()
)
_ENGINE_NO = re.compile(r"^[A-Z0-9\-]{4,20}$")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,30}$")
_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")

NOT_READ = "未识别到，请手动填写"
UNCOMMON = "姓名含繁体字或生僻字，请核对"


def _uncommon(name: str) -> bool:
    """A character outside GB 2312 (the 6,763 common simplified characters): names are printed in
    simplified characters, and the engine reads a faint 曾 as the traditional 會 with high confidence,
    so such a name is flagged for a look (a real rare character, 喆 or 堃, only costs a glance)."""
    for ch in name.replace("·", ""):
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return True
    return False


LOW = "识别不够清晰，请核对"


def reading_order(lines: Sequence[Line]) -> list[list[Line]]:
    """Rows top to bottom (a box joins the row its vertical middle falls in), boxes left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: (item.top + item.bottom) / 2):
        middle = (line.top + line.bottom) / 2
        row = rows[-1] if rows else None
        if row is not None and min(item.top for item in row) <= middle <= max(item.bottom for item in row):
            row.append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda item: item.left) for row in rows]


@dataclass
class _Text:
    """The card's text in reading order, with the confidence of the box each character came from."""

    chars: str
    confidence: list[float]

    @classmethod
    def of(cls, lines: Sequence[Line]) -> "_Text":
        chars: list[str] = []
        confidence: list[float] = []
        for index, row in enumerate(reading_order(lines)):
            if index:
                chars.append("\n")
                confidence.append(1.0)
            for line in row:
                text = re.sub(r"\s+", "", line.text)
                chars.append(text)
                confidence.extend([float(line.confidence)] * len(text))
        return cls("".join(chars), confidence)


def _label_spans(text: str, specs: Sequence[Spec]) -> list[tuple[int, int, Spec]]:
    """Where each label is printed (its first place), longest labels first so 号码 inside 号牌号码
    or 公民身份号码 never counts twice; sorted by position."""
    taken: list[tuple[int, int, Spec]] = []
    for spec in sorted(specs, key=lambda s: -len(s.label)):
        start = 0
        while (found := text.find(spec.label, start)) >= 0:
            end = found + len(spec.label)
            if not any(found < e and s < end for s, e, _ in taken):
                taken.append((found, end, spec))
                break
            start = found + 1
    return sorted(taken, key=lambda item: item[0])


def _values(lines: Sequence[Line], specs: Sequence[Spec]) -> dict[str, tuple[str, float]]:
    text = _Text.of(lines)
    spans = _label_spans(text.chars, specs)
    values: dict[str, tuple[str, float]] = {}
    for index, (_, end, spec) in enumerate(spans):
        stop = spans[index + 1][0] if index + 1 < len(spans) else len(text.chars)
        segment = text.chars[end:stop]
        offset = end
        if not spec.multiline:
            stripped = segment.lstrip("\n")
            offset += len(segment) - len(stripped)
            segment = stripped.split("\n", 1)[0]  # the rest of its row (or the row below, when alone)
        raw = segment.strip(":：")
        start = offset + segment.find(raw) if raw else offset
        picked = [
            (ch, text.confidence[i])
            for i, ch in enumerate(text.chars[start : start + len(raw)], start)
            if ch != "\n"
        ]
        value = "".join(ch for ch, _ in picked)
        confidence = min((c for _, c in picked), default=0.0)
        values[spec.key] = (value, confidence)
    return values


def _date(value: str) -> date | None:
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _check_date(value: str, *, today: date) -> tuple[str, str]:
    """(value as ISO when it is a date, problem)."""
    parsed = _date(value)
    if parsed is None:
        return value, "不是有效的日期" if _DATE.match(value) else "日期格式不正确"
    if parsed > today:
        return parsed.isoformat(), "日期晚于今天"
    if parsed.year < 1900:
        return parsed.isoformat(), "日期不合理"
    return parsed.isoformat(), ""


# Separators the engine may read between the plate's authority letter and its serial (粤B·2088Z), beyond
# those normalize_plate drops: the katakana and the hyphenation middle dots, a full-width stop or dash.
_PLATE_SEPARATORS = re.compile(r"[\u30fb\u2027\uff0e\uff0d\u2014]")
# Letters never issued on a plate (GA 36): in the serial (after the province and the authority
# letter, where digits are allowed everywhere) an O the engine read can only be a 0, an I only a 1.
_NEVER_ISSUED = {"O": "0", "I": "1"}


# 川's strokes: the engine reads its left one as a J before it and its right one as an I (or 1) after
# it (J川IJF78701, 川ITVUWDF, 川IAZ729L for 川JF78701, 川TVUWDF, 川AZ729L: every 川 plate on the bench).
_CHUAN_STROKES = re.compile(r"^J?川[I1]")


def _valid_plate(value: str) -> bool:
    try:
        validate_plate(value)
    except ValidationError:
        return False
    return True


def _check_plate(value: str) -> tuple[str, str]:
    """(plate, problem). A plate that fails its format is returned as read and flagged, unless one of
    two readings by the plate's grammar makes it valid; then that plate is returned, and flagged all
    the same (the problem says what was changed), so the user confirms:
    - a J before 川 and an I or 1 right after it (where only a letter other than I may stand) are
      taken as 川's own strokes and dropped;
    - an O or an I in the serial (after the province and the authority letter, where digits are
      allowed everywhere, and O and I are never issued) is read as 0 or 1 (the engine's O may also
      have been a D or a Q: hence the flag)."""
    value = normalize_plate(_PLATE_SEPARATORS.sub("", value))
    try:
        validate_plate(value)
        return value, ""
    except ValidationError as exc:
        problem = _message(exc)
    changed, notes = value, []
    if _CHUAN_STROKES.match(changed):
        changed = "川" + changed[changed.index("川") + 2 :]
        notes.append("去掉“川”字笔画多读出的字母")
    serial = "".join(_NEVER_ISSUED.get(ch, ch) for ch in changed[2:])
    if serial != changed[2:]:
        swaps = "、".join(f"第{i}位{ch}" for i, ch in enumerate(changed, 1) if i > 2 and ch in _NEVER_ISSUED)
        notes.append(f"{swaps}按车牌规则读作数字（车牌不使用字母O和I）")
        changed = changed[:2] + serial
    if notes and _valid_plate(changed):
        return changed, "；".join(notes) + "，请核对"
    return value, problem


def _vehicle_licence_check(key: str, value: str, *, found: dict[str, str], today: date) -> tuple[str, str]:
    if key == "plate":
        return _check_plate(value)
    if key == "vin":
        value = normalize_vin(value)
        try:
            validate_vin(value)
        except ValidationError as exc:
            return value, _message(exc)
        return value, ""
    if key == "engine_no":
        value = value.upper()
        if not _ENGINE_NO.match(value):
            return value, "发动机号码应为4-20位字母或数字"
        # The engine reads a 0 among letters as O (S8C0XLRDZ5 -> S8COXLRDZ5, unflagged, on the
        # bench). Engine numbers have no check digit and may hold an O, so nothing is changed: the
        # value is only flagged for a look.
        return value, "发动机号码含字母O或I，请核对是否为数字0或1" if set(value) & {"O", "I"} else ""
    if key == "owner":
        return value, UNCOMMON if _uncommon(value) else ""
    if key == "use_character":
        return value, "" if value in USE_CHARACTERS else "不是行驶证上的使用性质"
    if key in ("registered_on", "issued_on"):
        checked, problem = _check_date(value, today=today)
        if not problem and key == "issued_on":
            registered = _date(found.get("registered_on", ""))
            if registered and checked < registered.isoformat():
                problem = "发证日期早于注册日期"
        return checked, problem
    return value, ""


def _id_card_check(key: str, value: str, *, found: dict[str, str], today: date) -> tuple[str, str]:
    number = normalize_id_number(found.get("id_number", ""))
    number_ok = True
    try:
        validate_id_number(number)
    except ValidationError:
        number_ok = False
    if key == "id_number":
        try:
            validate_id_number(value)
        except ValidationError as exc:
            return normalize_id_number(value), _message(exc)
        return normalize_id_number(value), ""
    if key == "name":
        if not _NAME.match(value):
            return value, "姓名应为2个以上汉字"
        return value, UNCOMMON if _uncommon(value) else ""
    if key == "sex":
        if value not in ("男", "女"):
            return value, "性别应为男或女"
        if number_ok and value != ("男" if int(number[16]) % 2 else "女"):
            return value, "与身份证号码中的性别不一致"
        return value, ""
    if key == "ethnicity":
        return value, "" if value in ETHNICITIES else "不是56个民族之一"
    if key == "birth_date":
        checked, problem = _check_date(value, today=today)
        if not problem and number_ok and checked != id_number_birth_date(number).isoformat():
            problem = "与身份证号码中的出生日期不一致"
        return checked, problem
    return value, ""


def parse(kind: str, lines: Sequence[Line], *, today: date | None = None) -> list[Reading]:
    """Every field of ``kind`` (VEHICLE_LICENCE or ID_CARD), in the card's order."""
    today = today or date.today()
    specs = FIELDS[kind]
    values = _values(lines, specs)
    found = {key: value for key, (value, _) in values.items()}
    check = _vehicle_licence_check if kind == VEHICLE_LICENCE else _id_card_check
    readings = []
    for spec in specs:
        raw, confidence = values.get(spec.key, ("", 0.0))
        if not raw:
            readings.append(Reading(spec.key, spec.label, "", 0.0, True, NOT_READ))
            continue
        value, problem = check(spec.key, raw, found=found, today=today)
        if not problem and confidence < LOW_CONFIDENCE:
            problem = LOW
        readings.append(Reading(spec.key, spec.label, value, round(confidence, 4), bool(problem), problem))
    return readings


def as_dict(readings: Sequence[Reading]) -> dict[str, dict[str, Any]]:
    return {reading.key: asdict(reading) for reading in readings}
