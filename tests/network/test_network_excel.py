"""Agents from and to Excel: row-by-row errors, nothing half-imported."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from network.models import Distributor
from network.services import tier_create

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号", "执业登记号", "层级", "上级手机号"]


def xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("agents.xlsx", out.getvalue())


@pytest.fixture
def tiers(datang):
    with schema_context("datang"):
        tier_create(actor=None, name="团队长", rank=1)
        tier_create(actor=None, name="代理人", rank=2)


def test_a_good_file_imports_every_row_with_parents_from_earlier_rows(api, tiers) -> None:
    upload = xlsx(
        [
            ["李队", "13611110002", "LIC-2", "团队长", ""],
            ["张三", 13611110003, "LIC-3", "代理人", "13611110002"],  # a mobile typed as a number
            ["王五", "13611110005", "LIC-5", "代理人", "13611110002"],
        ]
    )
    response = api("datang_admin").post(
        "/api/v1/network/agents/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "errors": []}
    with schema_context("datang"):
        assert sorted(
            Distributor.objects.filter(parent__mobile="13611110002").values_list("name", flat=True)
        ) == [
            "张三",
            "王五",
        ]


def test_one_bad_row_rejects_the_whole_file_with_a_report_per_row(api, tiers) -> None:
    upload = xlsx(
        [
            ["李队", "13611110002", "LIC-2", "团队长", ""],
            ["张三", "1361111", "LIC-3", "代理人", "13611110002"],  # bad mobile
            ["王五", "13611110005", "", "经理", "13699999999"],  # no licence, unknown tier and parent
            ["赵六", "13611110002", "LIC-6", "代理人", ""],  # duplicate of row 2
        ]
    )
    response = api("datang_admin").post(
        "/api/v1/network/agents/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected" and body["created"] == 0
    by_row = {e["row"]: e["errors"] for e in body["errors"]}
    assert set(by_row) == {3, 4, 5}
    assert list(by_row[3]) == ["手机号"]
    assert set(by_row[4]) == {"层级", "上级手机号"}
    assert "已是本租户的分销成员" in by_row[5]["手机号"][0]
    with schema_context("datang"):
        assert Distributor.objects.count() == 0  # not even row 2


def test_a_file_that_is_not_xlsx_is_named(api, tiers) -> None:
    upload = SimpleUploadedFile("agents.xlsx", b"not a spreadsheet")
    response = api("datang_admin").post(
        "/api/v1/network/agents/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()["fields"]


def test_export_lists_this_tenants_agents_only(api, tiers) -> None:
    api("datang_admin").post(
        "/api/v1/network/agents/import/",
        {"file": xlsx([["李队", "13611110002", "LIC-2", "团队长", ""]])},
        format="multipart",
    )
    response = api("datang_admin").get("/api/v1/network/agents/export/")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == tuple(HEADER)
    assert rows[1][:4] == ("李队", "13611110002", "LIC-2", "团队长")
    assert len(rows) == 2
    assert api("bowei_admin").get("/api/v1/network/agents/export/").status_code == 200
    bowei_rows = list(
        load_workbook(
            BytesIO(api("bowei_admin").get("/api/v1/network/agents/export/").content)
        ).active.iter_rows(values_only=True)
    )
    assert len(bowei_rows) == 1  # header only: Datang's agents never appear
    assert api("datang_agent").get("/api/v1/network/agents/export/").status_code == 403
