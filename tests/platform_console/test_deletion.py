"""Deleting a tenant: step 1 stops it and exports all its data (a zip: CSV per table of its schema,
JSON of its shared rows); step 2, refused until the export is ready and without the schema name
typed, drops the schema and the tenant's rows. Both steps are in the platform's audit log."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from core.models import AuditEvent
from core.services import audit_event_record
from tenants.models import Domain, Tenant, TenantExport
from tenants.tasks import tenant_export_build_task

pytestmark = pytest.mark.django_db


def test_step_two_is_refused_before_step_one_and_before_the_export(api, datang) -> None:
    platform = api("platform_admin")
    confirm = f"/api/v1/platform/tenants/{datang.pk}/deletion/confirm/"
    not_requested = platform.post(confirm, {"confirm_schema": "datang"}, format="json")
    assert (
        not_requested.status_code == 409 and not_requested.json()["code"] == "tenant_deletion_not_requested"
    )

    requested = platform.post(
        f"/api/v1/platform/tenants/{datang.pk}/deletion/", {"reason": "合同到期"}, format="json"
    )
    assert requested.status_code == 202 and requested.json()["status"] == "pending"
    no_export = platform.post(confirm, {"confirm_schema": "datang"}, format="json")
    assert no_export.status_code == 409 and no_export.json()["code"] == "tenant_export_not_ready"
    # while deleting, its hosts are stopped like a suspension
    assert api("datang_agent").get("/api/v1/me/").json()["code"] == "tenant_suspended"
    assert schema_exists("datang")


def test_the_export_holds_the_tenants_rows_and_nothing_of_other_tenants(
    api, datang, in_schema, settings
) -> None:
    with in_schema("datang"):
        audit_event_record(actor=None, action="test.marker", summary="大唐独有的记录")
    with in_schema("bowei"):
        audit_event_record(actor=None, action="test.marker", summary="博维独有的记录")
    platform = api("platform_admin")
    export_id = platform.post(f"/api/v1/platform/tenants/{datang.pk}/deletion/").json()["id"]
    result = tenant_export_build_task.apply(args=[export_id]).get()
    assert result["status"] == "ready"
    export = TenantExport.objects.get(pk=export_id)
    assert export.table_count > 20 and export.row_count == result["rows"] > 0

    download = platform.get(f"/api/v1/platform/exports/{export_id}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(archive.namelist())
    assert {
        "manifest.json",
        "shared.json",
        "schema/core_auditevent.csv",
        "schema/django_migrations.csv",
    } <= names
    events = list(csv.DictReader(io.TextIOWrapper(archive.open("schema/core_auditevent.csv"), "utf-8")))
    summaries = {e["summary"] for e in events}
    assert "大唐独有的记录" in summaries and "博维独有的记录" not in summaries
    shared = json.loads(archive.read("shared.json"))
    assert [d["domain"] for d in shared["tenants.Domain"]] == ["datang.localhost"]
    assert [b["display_name"] for b in shared["tenants.Branding"]] == ["大唐经纪"]
    assert {u["mobile"] for u in shared["accounts.User"]} == {"13700001001", "13700001011", "13700001021"}
    everything = json.dumps(shared, ensure_ascii=False)
    assert "bowei" not in everything and "博维" not in everything
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["schema_name"] == "datang" and manifest["row_count"] == export.row_count


def test_step_two_drops_the_schema_and_the_rows_after_the_schema_name_is_typed(api, datang) -> None:
    platform = api("platform_admin")
    export_id = platform.post(f"/api/v1/platform/tenants/{datang.pk}/deletion/").json()["id"]
    tenant_export_build_task.apply(args=[export_id]).get()
    confirm = f"/api/v1/platform/tenants/{datang.pk}/deletion/confirm/"
    wrong = platform.post(confirm, {"confirm_schema": "bowei"}, format="json")
    assert wrong.status_code == 400 and "confirm_schema" in wrong.json()["fields"]

    done = platform.post(confirm, {"confirm_schema": "datang"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["deleted_at"] is not None and done.json()["tenant"] is None
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    assert not schema_exists("datang")
    assert not Tenant.objects.filter(schema_name="datang").exists()
    assert not Domain.objects.filter(domain="datang.localhost").exists()
    assert schema_exists("bowei")
    # the export stays downloadable; both steps are logged
    assert platform.get(f"/api/v1/platform/exports/{export_id}/download/").status_code == 200
    actions = list(
        AuditEvent.objects.filter(object_type="tenant", object_id=str(datang.pk))
        .exclude(action="tenant.provision")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["tenant.deletion_request", "tenant.export_ready", "tenant.delete"]
    assert api(None, host="datang.localhost").get("/api/v1/branding/").status_code == 404


def test_resume_cancels_a_requested_deletion(api, datang) -> None:
    platform = api("platform_admin")
    platform.post(f"/api/v1/platform/tenants/{datang.pk}/deletion/")
    assert platform.post(f"/api/v1/platform/tenants/{datang.pk}/resume/").json()["status"] == "active"
    assert api("datang_agent").get("/api/v1/me/").status_code == 200
    refused = platform.post(
        f"/api/v1/platform/tenants/{datang.pk}/deletion/confirm/", {"confirm_schema": "datang"}
    )
    assert refused.status_code == 409


def test_a_redelivered_export_build_leaves_one_finished_export_and_one_file(api, datang, monkeypatch) -> None:
    """The build is acknowledged late: a redelivery may run while (or after) another build of the
    same export finishes. The first to finish wins; the later one drops its file and logs nothing."""
    from django.core.files.storage import default_storage

    from tenants import lifecycle

    platform = api("platform_admin")
    export_id = platform.post(f"/api/v1/platform/tenants/{datang.pk}/deletion/").json()["id"]
    before = (
        set(default_storage.listdir("platform/exports")[1])
        if default_storage.exists("platform/exports")
        else set()
    )
    real_shared_rows = lifecycle._shared_rows
    other_runs: list[TenantExport] = []
    started: list[bool] = []

    def the_other_delivery_finishes_meanwhile(tenant: Tenant) -> dict:
        if not started:
            started.append(True)
            other_runs.append(lifecycle.tenant_export_build(export_id=export_id))
        return real_shared_rows(tenant)

    monkeypatch.setattr(lifecycle, "_shared_rows", the_other_delivery_finishes_meanwhile)
    export = lifecycle.tenant_export_build(export_id=export_id)
    assert other_runs[0].status == export.status == "ready"
    assert str(export.file) == str(other_runs[0].file)
    assert str(lifecycle.tenant_export_build(export_id=export_id).file) == str(export.file)  # run again
    assert TenantExport.objects.filter(tenant=datang).count() == 1
    new_files = set(default_storage.listdir("platform/exports")[1]) - before
    assert new_files == {str(export.file).rsplit("/", 1)[-1]}
    assert AuditEvent.objects.filter(action="tenant.export_ready").count() == 1
