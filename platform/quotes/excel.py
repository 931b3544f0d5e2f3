"""The 报价管理 list as Excel: the columns of the screen, one row per quote."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from core.excel import write_sheet
from quotes.models import Quote

COLUMNS = [
    "报价单号",
    "交强险保单号",
    "商业险保单号",
    "客户",
    "车牌号",
    "状态",
    "保险公司",
    "所属推广员",
    "保费",
    "报价时间",
]


def quotes_export(*, quotes: Iterable[Quote]) -> bytes:
    def rows() -> Iterable[list[Any]]:
        for q in quotes:
            numbers = {p.line: p.number for p in q.policies.all()}
            yield [
                q.number,
                numbers.get("ctpl", ""),
                numbers.get("commercial", ""),
                q.customer.name,
                q.plate,
                q.get_status_display(),
                q.chosen_option.insurer.short_name if q.chosen_option else "",
                q.promoter.name if q.promoter else "",
                q.premium,
                timezone.localtime(q.created_at).strftime("%Y-%m-%d %H:%M"),
            ]

    return write_sheet(
        title="报价", header=COLUMNS, rows=rows(), widths=(20, 26, 26, 10, 11, 12, 10, 12, 11, 17)
    )
