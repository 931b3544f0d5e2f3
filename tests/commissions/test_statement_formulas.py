"""A statement's Excel: a reason typed by finance (=HYPERLINK…) is text in the sheet, the signed
amount beside it is still the number -20.00."""

from io import BytesIO

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from commissions.models import Period, Statement
from commissions.services import settlement_run_execute, settlement_start

pytestmark = pytest.mark.django_db

REASON = '=HYPERLINK("http://evil.example/","扣款明细")'


def test_statement_export_keeps_a_typed_reason_as_text(team, api) -> None:
    finance = api("datang_admin")
    made = finance.post(
        "/api/v1/commissions/adjustments/",
        {"distributor": team.member.pk, "amount": "-20.00", "reason": REASON},
        format="json",
    )
    assert made.status_code == 201, made.json()
    with schema_context("datang"):
        period = Period.objects.get(entries__reason=REASON)
        settlement_run_execute(settlement_start(actor=None, period=period).pk)
        statement = Statement.objects.get(period=period, distributor=team.member)
    xlsx = finance.get(f"/api/v1/commissions/statements/{statement.pk}/export/", {"file": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content)).active
    row = next(r for r in sheet.iter_rows() if any(c.value and "HYPERLINK" in str(c.value) for c in r))
    source = next(c for c in row if c.value and "HYPERLINK" in str(c.value))
    assert (source.value, source.data_type) == ("'" + REASON, "s")
    assert "-20.00" in [c.value for c in row]
