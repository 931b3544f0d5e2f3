"""A statement (对账单) as Excel and as PDF: the totals, who pays whom, and every line with its
arithmetic. The PDF prints amounts as ¥1,234.56 (-¥250.00 when negative) in an embedded CJK font
that has every glyph printed (``core.pdf_fonts``); the Excel keeps plain numbers to compute with."""

from collections.abc import Callable, Iterable
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commissions.models import Entry, EntryKind, Statement
from core.excel import append_safe
from core.pdf_fonts import cjk_font

KIND_LABELS = dict(EntryKind.choices)
LINE_LABELS = {"ctpl": "交强险", "commercial": "商业险", "goods": "商品", "services": "服务", "": ""}
ENTRY_HEADER = ["日期", "类型", "来源", "险种", "层级", "计算基数", "比例", "金额", "计算过程"]


def plain(amount: Decimal | str) -> str:
    return format(Decimal(amount), "f")


def yuan(amount: Decimal | str) -> str:
    """¥1,234.56; -¥250.00."""
    value = Decimal(amount)
    return f"{'-' if value < 0 else ''}¥{abs(value):,.2f}"


def _entry_row(e: Entry, money: Callable[[Decimal], str] = plain) -> list[str]:
    return [
        timezone.localtime(e.sale_at).strftime("%Y-%m-%d"),
        KIND_LABELS.get(e.kind, e.kind) + ("（冲回）" if e.reverses_id else ""),
        e.source_number or e.reason,
        LINE_LABELS.get(e.line, e.line),
        "本人" if e.level == 0 else f"上{e.level}级",
        money(e.basis),
        f"{(e.rate * 100).normalize():f}%" if e.rate is not None else "",
        money(e.amount),
        e.formula,
    ]


def _summary(statement: Statement, money: Callable[[Decimal], str] = plain) -> list[list[str]]:
    rows = [["结算方式", statement.get_settlement_mode_display()]]
    rows += [[f"{KIND_LABELS.get(k, k)}合计", money(Decimal(v))] for k, v in statement.totals.items()]
    rows += [["本人所得", money(statement.earned)], ["应收", money(statement.receivable)],
             ["应付", money(statement.payable)]]  # fmt: skip
    for party in statement.counterparties:
        if Decimal(party["receive"]) != 0:
            rows.append([f"应收自 {party['name']}", money(Decimal(party["receive"]))])
        if Decimal(party["pay"]) != 0:
            rows.append([f"应付给 {party['name']}", money(Decimal(party["pay"]))])
    rows.append(["状态", statement.get_status_display()])
    return rows


def statement_xlsx(statement: Statement, entries: Iterable[Entry]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "对账单"
    append_safe(sheet, [f"{statement.distributor.name} {statement.period} 对账单"])
    for row in _summary(statement):
        append_safe(sheet, row)
    sheet.append([])
    append_safe(sheet, ENTRY_HEADER)
    for e in entries:
        append_safe(sheet, _entry_row(e))
    for column, width in zip("ABCDEFGHI", (12, 12, 24, 8, 7, 12, 8, 12, 60), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def statement_pdf(statement: Statement, entries: Iterable[Entry], *, tenant_name: str) -> bytes:
    title_text = f"{tenant_name} · {statement.distributor.name} · {statement.period} 对账单"
    summary = _summary(statement, yuan)
    rows = [_entry_row(e, yuan) for e in entries]
    printed = title_text + "".join("".join(r) for r in [*summary, ENTRY_HEADER, *rows])
    font = cjk_font(printed)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=f"{statement.period} 对账单")  # fmt: skip
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    amounts = [("ALIGN", (5, 1), (5, -1), "RIGHT"), ("ALIGN", (7, 1), (7, -1), "RIGHT")]
    lines = [ENTRY_HEADER] + [[*row[:-1], Paragraph(escape(row[-1]), cell)] for row in rows]
    story = [
        Paragraph(escape(title_text), title),
        Spacer(1, 4 * mm),
        Table(summary, colWidths=[40 * mm, 40 * mm], style=TableStyle([*style.getCommands(),
                                                                        ("ALIGN", (1, 0), (1, -1), "RIGHT")])),
        Spacer(1, 5 * mm),
        Table(
            lines,
            colWidths=[20 * mm, 22 * mm, 40 * mm, 14 * mm, 12 * mm, 20 * mm, 14 * mm, 20 * mm, 108 * mm],
            style=TableStyle([*style.getCommands(), *amounts, ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]),
            repeatRows=1,
        ),
    ]  # fmt: skip
    doc.build(story)
    return out.getvalue()
