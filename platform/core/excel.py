"""Excel (.xlsx) import and export shared by every list that has them.

An import is all or nothing: every row is checked, errors are reported per row and column (by
the column's heading, as the user sees it), and a file with any error writes nothing.

Every exported cell goes through ``formula_safe``: text a user typed (a customer named
``=HYPERLINK(...)``) must reach the admin's spreadsheet as text, never as a live formula.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zipfile import BadZipFile

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import DomainError, ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 5000
# A spreadsheet reads text starting with one of these as a formula (tab and CR too: some strip them
# first); a plain signed number such as "-40.00" is only a number and is left as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def formula_safe(value: Any) -> Any:
    """An exported cell's value, made inert: text that a spreadsheet would evaluate gets a leading
    apostrophe (the OWASP rule for CSV injection), so Excel, WPS and LibreOffice show it as the
    text it is. Numbers, dates and other text are unchanged. Every export (xlsx and CSV) calls it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """``formula_safe`` on every cell of an exported row."""
    return [formula_safe(value) for value in row]


def append_safe(sheet: Any, row: Iterable[Any]) -> None:
    """Append an exported row to an openpyxl sheet, every cell through ``formula_safe`` (openpyxl
    itself stores any string starting with "=" as a formula)."""
    sheet.append(safe_row(row))


@dataclass
class ImportReport:
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


class RowErrors(Exception):
    """Raised by a row handler: ``{column heading: [messages]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class _RollBack(Exception):
    pass


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # mobiles and years typed as numbers come back as floats
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_rows(
    content: bytes, columns: Sequence[str], *, max_rows: int = MAX_ROWS
) -> list[tuple[int, list[str]]]:
    """The data rows of the first sheet as (row number, cell texts), blank rows skipped. The header
    must name ``columns`` in order."""
    try:
        sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(
            "无法读取文件：请上传 .xlsx 格式的 Excel", fields={"file": ["不是有效的 .xlsx 文件"]}
        ) from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or [cell_text(c) for c in rows[0][: len(columns)]] != list(columns):
        raise ValidationFailed(f"表头应为：{'、'.join(columns)}", fields={"file": ["表头不正确"]})
    if len(rows) - 1 > max_rows:
        raise ValidationFailed(f"一次最多导入 {max_rows} 行", fields={"file": [f"超过 {max_rows} 行"]})
    out = []
    for number, raw in enumerate(rows[1:], start=2):
        values = [cell_text(c) for c in (list(raw) + [None] * len(columns))[: len(columns)]]
        if any(values):
            out.append((number, values))
    return out


def import_rows(
    rows: Iterable[tuple[int, list[str]]],
    handle: Callable[[list[str]], Any],
    *,
    field_columns: dict[str, str],
) -> ImportReport:
    """Run ``handle`` on each row inside one transaction. A row's ``RowErrors`` or a service's
    ``DomainError`` (its field names mapped to column headings) is reported against the row; if
    any row failed, everything is rolled back and ``created`` is 0."""
    report = ImportReport()
    try:
        with transaction.atomic():
            for number, values in rows:
                try:
                    with transaction.atomic():
                        handle(values)
                    report.created += 1
                    continue
                except RowErrors as exc:
                    errors = exc.errors
                except DomainError as exc:
                    errors = {field_columns.get(f, f): msgs for f, msgs in exc.fields.items()} or {
                        "行": [exc.message]
                    }
                report.errors.append({"row": number, "errors": errors})
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.created = 0
    return report


def write_sheet(
    *, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    append_safe(sheet, header)
    for row in rows:
        append_safe(sheet, row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
