"""A tenant's life on the platform: suspend and resume, and the two-step deletion.

Deleting is deliberate: step 1 (``tenant_deletion_request``) stops the tenant's hosts and has a
Celery task export all its data to a zip (one CSV per table of its schema, JSON for its rows in
the shared tables); step 2 (``tenant_deletion_confirm``) needs that export and the schema name
typed again, then drops the schema and the tenant's rows. Every step is in the platform's audit log.
"""

import csv
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from core.errors import FieldErrors, NotFound, StateConflict
from core.excel import safe_row
from core.services import audit_event_record
from tenants.models import ExportStatus, Tenant, TenantExport, TenantStatus

# Shared rows never exported: secrets (token digests) and the export bookkeeping itself.
EXPORT_SKIP_MODELS = {"accounts.AuthToken", "tenants.TenantExport"}


def locked_tenant(tenant_id: int) -> Tenant:
    tenant = (
        Tenant.objects.select_for_update()
        .exclude(schema_name=get_public_schema_name())
        .filter(pk=tenant_id)
        .first()
    )
    if tenant is None:
        raise NotFound("租户不存在", code="tenant_not_found")
    return tenant


def _set_status(tenant: Tenant, status: str, reason: str) -> None:
    tenant.status = status
    tenant.status_reason = reason[:200]
    tenant.status_changed_at = timezone.now()
    # saving a Tenant clears the host cache, so its hosts change behaviour at once
    tenant.save(update_fields=["status", "status_reason", "status_changed_at"])


@transaction.atomic
def tenant_suspend(*, actor: User | None, tenant_id: int, reason: str = "") -> Tenant:
    tenant = locked_tenant(tenant_id)
    if tenant.status != TenantStatus.ACTIVE:
        raise StateConflict(
            f"租户当前状态为「{tenant.get_status_display()}」，不能暂停", code="tenant_not_active"
        )
    _set_status(tenant, TenantStatus.SUSPENDED, reason.strip())
    audit_event_record(actor=actor, action="tenant.suspend", summary=f"暂停租户 {tenant.name}（{tenant.schema_name}）",
                       object_type="tenant", object_id=tenant.pk, data={"reason": reason.strip()})  # fmt: skip
    return tenant


@transaction.atomic
def tenant_resume(*, actor: User | None, tenant_id: int) -> Tenant:
    """Back to active from suspended, or from deleting (which cancels the deletion; the export stays)."""
    tenant = locked_tenant(tenant_id)
    if tenant.status == TenantStatus.ACTIVE:
        raise StateConflict("租户已在正常服务中", code="tenant_already_active")
    previous = tenant.status
    _set_status(tenant, TenantStatus.ACTIVE, "")
    what = "取消删除并恢复" if previous == TenantStatus.DELETING else "恢复"
    audit_event_record(actor=actor, action="tenant.resume", summary=f"{what}租户 {tenant.name}（{tenant.schema_name}）",
                       object_type="tenant", object_id=tenant.pk, data={"from": previous})  # fmt: skip
    return tenant


@transaction.atomic
def tenant_deletion_request(*, actor: User | None, tenant_id: int, reason: str = "") -> TenantExport:
    """Step 1: stop the tenant and export everything it has (in Celery, after the commit)."""
    tenant = locked_tenant(tenant_id)
    if tenant.status == TenantStatus.DELETING:
        raise StateConflict("已申请删除该租户，正在等待确认", code="tenant_deletion_requested")
    _set_status(tenant, TenantStatus.DELETING, reason.strip())
    export = TenantExport.objects.create(
        tenant=tenant, schema_name=tenant.schema_name, tenant_name=tenant.name, requested_by=actor
    )
    audit_event_record(actor=actor, action="tenant.deletion_request",
                       summary=f"申请删除租户 {tenant.name}（{tenant.schema_name}），开始导出数据",
                       object_type="tenant", object_id=tenant.pk,
                       data={"export_id": export.pk, "reason": reason.strip()})  # fmt: skip
    from tenants.tasks import tenant_export_build_task

    transaction.on_commit(lambda: tenant_export_build_task.delay(export.pk))
    return export


def _schema_tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_table(archive: zipfile.ZipFile, schema: str, table: str) -> int:
    """Stream one table as CSV (PostgreSQL COPY, row by row) into the archive; returns its row count.
    Every cell goes through core.excel.formula_safe: people open these files in Excel, and a customer
    named =HYPERLINK(...) must stay text there too. NULL and the empty string are both written empty."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {qn(schema)}.{qn(table)} LIMIT 0")
        header = [column.name for column in cursor.description]
        raw = cursor.cursor  # the psycopg cursor: COPY streams without loading the table in memory
        count = 0
        with archive.open(f"schema/{table}.csv", "w") as out:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(safe_row(header))
            with raw.copy(f"COPY {qn(schema)}.{qn(table)} TO STDOUT") as copy:
                for row in copy.rows():  # text values (no types set), None for NULL
                    writer.writerow(safe_row(row))
                    count += 1
            text.flush()
            text.detach()
    return count


def _shared_rows(tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Rows of the shared (public) tables that belong to the tenant: any model with a FK to Tenant."""
    out: dict[str, list[dict[str, Any]]] = {
        "tenants.Tenant": list(Tenant.objects.filter(pk=tenant.pk).values())
    }
    for model in apps.get_models():
        label = model._meta.label
        if label in EXPORT_SKIP_MODELS or model._meta.app_label not in _shared_app_labels():
            continue
        for field in model._meta.fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Tenant:
                rows = list(model._default_manager.filter(**{field.name: tenant}).values())
                if label == "accounts.Membership":
                    users = User.objects.filter(pk__in=[r["user_id"] for r in rows])
                    out["accounts.User"] = [{"id": u.pk, "mobile": u.mobile, "name": u.name} for u in users]
                out[label] = rows
    return out


def _shared_app_labels() -> set[str]:
    from django.conf import settings

    return {name.rsplit(".", 1)[-1] for name in settings.SHARED_APPS}


def tenant_export_build(*, export_id: int) -> TenantExport:
    """Build the zip for one export (the Celery task calls this). Idempotent: a ready export is kept;
    a build redelivered after its worker died (the task is acknowledged late) builds the file again."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    export = TenantExport.objects.select_related("tenant").get(pk=export_id)
    if export.status == ExportStatus.READY:
        return export
    tenant = export.tenant
    if tenant is None:
        TenantExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, error="租户已不存在")
        export.refresh_from_db()
        return export
    tables = _schema_tables(tenant.schema_name)
    rows = 0
    with tempfile.NamedTemporaryFile(suffix=".zip") as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # the tenant's hosts are stopped while it is being deleted, so nothing writes meanwhile
            with transaction.atomic():
                for table in tables:
                    rows += _copy_table(archive, tenant.schema_name, table)
                shared = _shared_rows(tenant)
            manifest = {
                "tenant": {"id": tenant.pk, "name": tenant.name, "schema_name": tenant.schema_name},
                "exported_at": timezone.now(),
                "tables": tables,
                "row_count": rows,
            }
            archive.writestr(
                "manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
            )
            archive.writestr(
                "shared.json", json.dumps(shared, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
            )
        tmp.flush()
        tmp.seek(0)
        name = default_storage.save(
            f"platform/exports/{tenant.schema_name}-{timezone.now():%Y%m%d%H%M%S}.zip", File(tmp)
        )
        size = default_storage.size(name)
    with transaction.atomic():
        # a redelivered build that ran alongside (or after) another one: the first to finish wins,
        # the later one drops its file, so there is one finished export and one audit entry
        if TenantExport.objects.select_for_update().get(pk=export.pk).status == ExportStatus.READY:
            default_storage.delete(name)
            export.refresh_from_db()
            return export
        TenantExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.READY,
            file=name,
            size_bytes=size,
            table_count=len(tables),
            row_count=rows,
            finished_at=timezone.now(),
            error="",
        )
        audit_event_record(actor=None, action="tenant.export_ready",
                           summary=f"租户 {tenant.name}（{tenant.schema_name}）数据已导出：{len(tables)} 张表，{rows} 行",
                           object_type="tenant", object_id=tenant.pk, data={"export_id": export.pk})  # fmt: skip
    export.refresh_from_db()
    return export


def tenant_export_fail(*, export_id: int, error: str) -> None:
    TenantExport.objects.filter(pk=export_id).exclude(status=ExportStatus.READY).update(
        status=ExportStatus.FAILED, error=error[:300], finished_at=timezone.now()
    )


@transaction.atomic
def tenant_deletion_confirm(*, actor: User | None, tenant_id: int, confirm_schema: str) -> TenantExport:
    """Step 2: only after step 1's export is ready, and with the schema name typed again."""
    tenant = locked_tenant(tenant_id)
    if tenant.status != TenantStatus.DELETING:
        raise StateConflict("请先申请删除（第一步），导出数据后再确认", code="tenant_deletion_not_requested")
    export = (
        TenantExport.objects.select_for_update()
        .filter(tenant=tenant, status=ExportStatus.READY)
        .order_by("-finished_at")
        .first()
    )
    if export is None:
        raise StateConflict("数据导出尚未完成，不能删除", code="tenant_export_not_ready")
    errors = FieldErrors()
    if (confirm_schema or "").strip() != tenant.schema_name:
        errors.add("confirm_schema", f"请输入模式名 {tenant.schema_name} 以确认删除")
    errors.raise_if_any("确认信息不符")
    name, schema = tenant.name, tenant.schema_name
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    tenant.delete(force_drop=True)  # DROP SCHEMA … CASCADE, then the tenant's shared rows
    TenantExport.objects.filter(pk=export.pk).update(deleted_at=timezone.now())
    audit_event_record(actor=actor, action="tenant.delete", summary=f"删除租户 {name}（{schema}），模式已删除",
                       object_type="tenant", object_id=tenant_id, data={"export_id": export.pk})  # fmt: skip
    transaction.on_commit(lambda: _media_remove(schema))
    export.refresh_from_db()
    return export


def _media_remove(schema: str) -> None:
    try:
        folder = Path(default_storage.path(f"tenants/{schema}"))
    except NotImplementedError:  # a remote storage: its own lifecycle rules clean up
        return
    shutil.rmtree(folder, ignore_errors=True)
