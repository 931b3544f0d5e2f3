"""A statement (对账单) as Excel and as PDF: the totals, who pays whom, and every line with its
arithmetic."""

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commissions.models import Entry, EntryKind, Statement
from core.excel import append_safe

KIND_LABELS = dict(EntryKind.choices)
LINE_LABELS = {"ctpl": "交强险", "commercial": "商业险", "goods": "商品", "services": "服务", "": ""}
ENTRY_HEADER = ["日期", "类型", "来源", "险种", "层级", "计算基数", "比例", "金额", "计算过程"]
CJK_FONT = "STSong-Light"  # one of the PDF standard CJK fonts: nothing to embed or install
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _entry_row(e: Entry) -> list[str]:
    return [
        timezone.localtime(e.sale_at).strftime("%Y-%m-%d"),
        KIND_LABELS.get(e.kind, e.kind) + ("（冲回）" if e.reverses_id else ""),
        e.source_number or e.reason,
        LINE_LABELS.get(e.line, e.line),
        "本人" if e.level == 0 else f"上{e.level}级",
        format(e.basis, "f"),
        f"{(e.rate * 100).normalize():f}%" if e.rate is not None else "",
        format(e.amount, "f"),
        e.formula,
    ]


def _summary(statement: Statement) -> list[list[str]]:
    rows = [["结算方式", statement.get_settlement_mode_display()]]
    rows += [[f"{KIND_LABELS.get(k, k)}合计", v] for k, v in statement.totals.items()]
    rows += [["本人所得", format(statement.earned, "f")], ["应收", format(statement.receivable, "f")],
             ["应付", format(statement.payable, "f")]]  # fmt: skip
    for party in statement.counterparties:
        if party["receive"] not in ("0", "0.00"):
            rows.append([f"应收自 {party['name']}", party["receive"]])
        if party["pay"] not in ("0", "0.00"):
            rows.append([f"应付给 {party['name']}", party["pay"]])
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
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=f"{statement.period} 对账单")  # fmt: skip
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=15, leading=20)
    cell = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=7.5, leading=10)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    lines = [ENTRY_HEADER] + [[*row[:-1], Paragraph(row[-1], cell)] for row in map(_entry_row, entries)]
    story = [
        Paragraph(f"{tenant_name} · {statement.distributor.name} · {statement.period} 对账单", title),
        Spacer(1, 4 * mm),
        Table(_summary(statement), colWidths=[40 * mm, 40 * mm], style=style),
        Spacer(1, 5 * mm),
        Table(
            lines,
            colWidths=[20 * mm, 22 * mm, 40 * mm, 14 * mm, 12 * mm, 20 * mm, 14 * mm, 18 * mm, 110 * mm],
            style=TableStyle([*style.getCommands(), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]),
            repeatRows=1,
        ),  # fmt: skip
    ]
    doc.build(story)
    return out.getvalue()
