"""Platform console (public host only, platform admin): tenants — create, list, suspend/resume,
edit branding, support sessions, two-step deletion with export — and the platform audit log."""

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import date_param, request_user
from api.roles import PLATFORM_ADMIN
from api.v1.platform.branding import (
    BrandingFieldsSerializer,
    BrandingImageUploadSerializer,
    BrandingUpdateSerializer,
    branding_body,
    branding_change,
    branding_upload,
)
from api.v1.platform.console import AuditEventSerializer
from api.views import ApiListView, ApiView
from core.citus import tenant_nodes
from core.errors import NotFound, StateConflict
from tenants.lifecycle import tenant_deletion_confirm, tenant_deletion_request, tenant_resume, tenant_suspend
from tenants.models import ExportStatus, Tenant, TenantExport, TenantKind, TenantStatus
from tenants.selectors import platform_audit_events, tenant_admins, tenant_exports, tenants_for_platform
from tenants.services import AdminSpec, tenant_provision
from tenants.support import support_session_start


class PlatformTenantSerializer(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
    # The Citus worker ("host:port") holding the tenant's schema; null on a single PostgreSQL.
    node = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True, default=0)
    branding = BrandingFieldsSerializer(read_only=True)

    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "schema_name",
            "kind",
            "domain",
            "is_active",
            "status",
            "status_reason",
            "status_changed_at",
            "created_at",
            "member_count",
            "branding",
            "node",
        ]

    def get_domain(self, tenant: Tenant) -> str:
        domains = list(tenant.domains.all())
        primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
        return primary.domain if primary else ""

    def get_node(self, tenant: Tenant) -> str | None:
        nodes = self.context.get("tenant_nodes")
        if nodes is None:
            nodes = tenant_nodes([tenant.schema_name])
        return nodes.get(tenant.schema_name)


class BrandingInputSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=60)
    short_name = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    slogan = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    logo_url = serializers.CharField(required=False, allow_blank=True, default="")
    primary_color = serializers.CharField(max_length=7, required=False, allow_blank=True, default="")
    secondary_color = serializers.CharField(max_length=7, required=False, allow_blank=True, default="")


class AdminInputSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        max_length=128, required=False, allow_blank=True, default="", trim_whitespace=False
    )


class PlatformTenantCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    schema_name = serializers.CharField(max_length=63)
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in (TenantKind.BROKERAGE, TenantKind.AFTERSALES)]
    )
    domain = serializers.CharField(max_length=253)
    branding = BrandingInputSerializer()
    admin = AdminInputSerializer(required=False)


@extend_schema_view(
    get=extend_schema(operation_id="platform_tenants_list"),
    post=extend_schema(
        operation_id="platform_tenants_create",
        request=PlatformTenantCreateSerializer,
        responses={201: PlatformTenantSerializer},
    ),
)
class PlatformTenantListCreateView(ApiListView):
    allowed_roles = PLATFORM_ADMIN
    serializer_class = PlatformTenantSerializer

    def get_queryset(self) -> Any:
        status_filter = self.request.query_params.get("status", "").strip()
        if status_filter and status_filter not in TenantStatus.values:
            raise serializers.ValidationError({"status": ["状态应为 active、suspended 或 deleting"]})
        return tenants_for_platform(
            search=self.request.query_params.get("search", "").strip(), status=status_filter
        )

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and kwargs.get("many"):  # a page of tenants: their nodes in one query
            page = list(args[0])
            kwargs["context"] = {
                **self.get_serializer_context(),
                "tenant_nodes": tenant_nodes([tenant.schema_name for tenant in page]),
            }
            args = (page, *args[1:])
        return super().get_serializer(*args, **kwargs)

    def post(self, request: Request) -> Response:
        data = PlatformTenantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admin = data.validated_data.get("admin")
        tenant = tenant_provision(
            actor=request.user,  # type: ignore[arg-type]
            name=data.validated_data["name"],
            schema_name=data.validated_data["schema_name"],
            kind=data.validated_data["kind"],
            domain=data.validated_data["domain"],
            branding=data.validated_data["branding"],
            admin=AdminSpec(**admin) if admin else None,
        )
        created = tenants_for_platform().get(pk=tenant.pk)
        return Response(PlatformTenantSerializer(created).data, status=status.HTTP_201_CREATED)


class PlatformView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    def tenant(self, pk: int) -> Tenant:
        tenant = tenants_for_platform().filter(pk=pk).first()
        if tenant is None:
            raise NotFound("租户不存在", code="tenant_not_found")
        return tenant

    def tenant_out(self, pk: int) -> Response:
        return Response(PlatformTenantSerializer(self.tenant(pk)).data)


class TenantStatusReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlatformTenantSuspendView(PlatformView):
    @extend_schema(
        request=TenantStatusReasonSerializer,
        responses=PlatformTenantSerializer,
        operation_id="platform_tenants_suspend",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = TenantStatusReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tenant_suspend(
            actor=request_user(request), tenant_id=self.tenant(pk).pk, reason=body.validated_data["reason"]
        )
        return self.tenant_out(pk)


class PlatformTenantResumeView(PlatformView):
    @extend_schema(request=None, responses=PlatformTenantSerializer, operation_id="platform_tenants_resume")
    def post(self, request: Request, pk: int) -> Response:
        tenant_resume(actor=request_user(request), tenant_id=self.tenant(pk).pk)
        return self.tenant_out(pk)


def tenant_origin(request: Request, tenant: Tenant) -> str:
    """The tenant's primary host as seen from this request (same scheme and port)."""
    host = PlatformTenantSerializer().get_domain(tenant)
    port = request.get_port()
    return f"{request.scheme}://{host}" + ("" if port in ("80", "443") else f":{port}")


def with_tenant_media_urls(response: Response, request: Request, tenant: Tenant) -> Response:
    """Uploaded logos are served only on the tenant's own hosts: point the platform console there."""
    if response.status_code == 200 and isinstance(response.data, dict):
        for key in ("logo_url", "favicon_url"):
            url = response.data.get(key) or ""
            if url.startswith("/media/tenants/"):
                response.data[key] = tenant_origin(request, tenant) + url
    return response


class PlatformTenantBrandingView(PlatformView):
    @extend_schema(responses=BrandingFieldsSerializer, operation_id="platform_tenants_branding")
    def get(self, request: Request, pk: int) -> Response:
        tenant = self.tenant(pk)
        return with_tenant_media_urls(Response(branding_body(tenant)), request, tenant)

    @extend_schema(
        request=BrandingUpdateSerializer,
        responses=BrandingFieldsSerializer,
        operation_id="platform_tenants_branding_update",
    )
    def patch(self, request: Request, pk: int) -> Response:
        tenant = self.tenant(pk)
        return with_tenant_media_urls(branding_change(request, tenant), request, tenant)


class PlatformTenantBrandingImageView(PlatformView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": BrandingImageUploadSerializer},
        responses=BrandingFieldsSerializer,
        operation_id="platform_tenants_branding_image",
    )
    def post(self, request: Request, pk: int, kind: str) -> Response:
        tenant = self.tenant(pk)
        return with_tenant_media_urls(branding_upload(request, tenant, kind), request, tenant)


class TenantAdminSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mobile = serializers.CharField()


class SupportStartSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    reason = serializers.CharField(max_length=200, allow_blank=True)


class SupportStartedSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    console_url = serializers.CharField()


class PlatformTenantAdminsView(PlatformView):
    @extend_schema(responses=TenantAdminSerializer(many=True), operation_id="platform_tenants_admins")
    def get(self, request: Request, pk: int) -> Response:
        return Response(TenantAdminSerializer(tenant_admins(tenant_id=self.tenant(pk).pk), many=True).data)


class PlatformTenantSupportView(PlatformView):
    """Start a support session as one of the tenant's admins: a short-lived token for the tenant's
    host, handed to its console in the URL fragment (never sent to a server log)."""

    @extend_schema(
        request=SupportStartSerializer,
        responses={201: SupportStartedSerializer},
        operation_id="platform_tenants_support_start",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = SupportStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tenant = self.tenant(pk)
        session = support_session_start(
            actor=request_user(request),
            tenant_id=tenant.pk,
            user_id=body.validated_data["user"],
            reason=body.validated_data["reason"],
        )
        origin = tenant_origin(request, tenant)
        return Response(
            {
                "session_id": session.record.pk,
                "token": session.token,
                "expires_at": session.record.expires_at,
                "console_url": f"{origin}/console/#support_token={session.token}",
            },
            status=status.HTTP_201_CREATED,
        )


class TenantExportSerializer(serializers.ModelSerializer):
    requested_by_name = serializers.SerializerMethodField()

    class Meta:
        model = TenantExport
        fields = [
            "id",
            "tenant",
            "schema_name",
            "tenant_name",
            "requested_by_name",
            "requested_at",
            "status",
            "size_bytes",
            "table_count",
            "row_count",
            "error",
            "finished_at",
            "deleted_at",
        ]

    def get_requested_by_name(self, export: TenantExport) -> str:
        who = export.requested_by
        return (who.name or who.mobile) if who else ""


class DeletionConfirmSerializer(serializers.Serializer):
    confirm_schema = serializers.CharField(max_length=63, allow_blank=True)


class PlatformTenantDeletionView(PlatformView):
    """Step 1 (POST): stop the tenant and export its data in the background. GET: its exports."""

    @extend_schema(responses=TenantExportSerializer(many=True), operation_id="platform_tenants_exports")
    def get(self, request: Request, pk: int) -> Response:
        return Response(TenantExportSerializer(tenant_exports(tenant_id=self.tenant(pk).pk), many=True).data)

    @extend_schema(
        request=TenantStatusReasonSerializer,
        responses={202: TenantExportSerializer},
        operation_id="platform_tenants_deletion_request",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = TenantStatusReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        export = tenant_deletion_request(
            actor=request_user(request), tenant_id=self.tenant(pk).pk, reason=body.validated_data["reason"]
        )
        return Response(TenantExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class PlatformTenantDeletionConfirmView(PlatformView):
    """Step 2: drop the schema and the tenant's rows (needs a ready export and the schema name)."""

    @extend_schema(
        request=DeletionConfirmSerializer,
        responses=TenantExportSerializer,
        operation_id="platform_tenants_deletion_confirm",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = DeletionConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        export = tenant_deletion_confirm(
            actor=request_user(request),
            tenant_id=self.tenant(pk).pk,
            confirm_schema=body.validated_data["confirm_schema"],
        )
        return Response(TenantExportSerializer(export).data)


class PlatformExportListView(PlatformView):
    @extend_schema(responses=TenantExportSerializer(many=True), operation_id="platform_exports_list")
    def get(self, request: Request) -> Response:
        return Response(TenantExportSerializer(tenant_exports()[:200], many=True).data)


class PlatformExportDownloadView(PlatformView):
    @extend_schema(responses={(200, "application/zip"): bytes}, operation_id="platform_exports_download")
    def get(self, request: Request, pk: int) -> FileResponse:
        export = TenantExport.objects.filter(pk=pk).first()
        if export is None:
            raise NotFound("导出不存在", code="export_not_found")
        if export.status != ExportStatus.READY or not default_storage.exists(export.file):
            raise StateConflict("导出尚未完成", code="tenant_export_not_ready")
        return FileResponse(
            default_storage.open(export.file, "rb"),
            as_attachment=True,
            filename=f"{export.schema_name}-export.zip",
            content_type="application/zip",
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="platform_audit_events_list",
        parameters=[
            OpenApiParameter("action", str, description="动作前缀，如 tenant. 或 support."),
            OpenApiParameter("actor", str, description="操作人姓名或手机号"),
            OpenApiParameter("search", str, description="摘要包含"),
            OpenApiParameter("since", str, description="起始日期 2026-01-31"),
            OpenApiParameter("until", str, description="截止日期 2026-01-31"),
        ],
    )
)
class PlatformAuditEventListView(ApiListView):
    """平台审计日志: the audit events recorded on the public schema."""

    allowed_roles = PLATFORM_ADMIN
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return platform_audit_events(
            action=params.get("action", "").strip(),
            actor=params.get("actor", "").strip(),
            search=params.get("search", "").strip(),
            since=date_param(self.request, "since"),
            until=date_param(self.request, "until"),
        )
