"""Agents to and from Excel (.xlsx). An import is all or nothing: every row is checked, errors are
reported per row and column, and a file with any error writes nothing."""

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from zipfile import BadZipFile

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.models import User
from core.errors import DomainError, ValidationFailed
from network.models import Distributor, Tier
from network.services import agent_create

COLUMNS = ["姓名", "手机号", "执业登记号", "层级", "上级手机号"]
FIELD_COLUMNS = {
    "name": "姓名",
    "mobile": "手机号",
    "licence_no": "执业登记号",
    "tier": "层级",
    "parent": "上级手机号",
}
MAX_ROWS = 5000


@dataclass
class ImportReport:
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


class _RollBack(Exception):
    pass


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # mobiles typed as numbers come back as floats
    return str(value).strip()


def agents_import(*, actor: User | None, content: bytes) -> ImportReport:
    try:
        sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(
            "无法读取文件：请上传 .xlsx 格式的 Excel", fields={"file": ["不是有效的 .xlsx 文件"]}
        ) from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or [_cell(c) for c in rows[0][: len(COLUMNS)]] != COLUMNS:
        raise ValidationFailed(f"表头应为：{'、'.join(COLUMNS)}", fields={"file": ["表头不正确"]})
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationFailed(f"一次最多导入 {MAX_ROWS} 行", fields={"file": [f"超过 {MAX_ROWS} 行"]})

    tiers = {t.name: t.pk for t in Tier.objects.all()}
    report = ImportReport()
    try:
        with transaction.atomic():
            for number, raw in enumerate(rows[1:], start=2):
                values = [_cell(c) for c in (list(raw) + [None] * len(COLUMNS))[: len(COLUMNS)]]
                if not any(values):
                    continue
                name, mobile, licence_no, tier_name, parent_mobile = values
                errors: dict[str, list[str]] = {}
                tier_id = tiers.get(tier_name)
                if tier_id is None:
                    errors["层级"] = [f"层级“{tier_name}”不存在" if tier_name else "请填写层级"]
                parent_id = None
                if parent_mobile:
                    parent = Distributor.objects.filter(mobile=parent_mobile).first()
                    if parent is None:
                        errors["上级手机号"] = [
                            f"上级 {parent_mobile} 不存在（须已在系统中或在本文件更靠前的行）"
                        ]
                    else:
                        parent_id = parent.pk
                if not errors:
                    try:
                        with transaction.atomic():
                            agent_create(
                                actor=actor,
                                name=name,
                                mobile=mobile,
                                licence_no=licence_no,
                                tier_id=tier_id,
                                parent_id=parent_id,
                            )
                        report.created += 1
                        continue
                    except DomainError as exc:
                        errors = {FIELD_COLUMNS.get(f, f): msgs for f, msgs in exc.fields.items()} or {
                            "行": [exc.message]
                        }
                report.errors.append({"row": number, "errors": errors})
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.created = 0
    return report


def agents_export(*, distributors: Any) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "代理人"
    sheet.append([*COLUMNS, "状态", "推荐码", "加入时间"])
    for d in distributors:
        sheet.append(
            [
                d.name,
                d.mobile,
                d.licence_no,
                d.tier.name if d.tier else "",
                d.parent.mobile if d.parent else "",
                d.get_status_display(),
                d.referral_code,
                d.joined_at.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    for column, width in zip("ABCDEFGH", (12, 14, 18, 10, 14, 8, 12, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
