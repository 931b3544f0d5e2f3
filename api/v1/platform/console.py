"""Tenant console home and the audit trail."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import members_by_role
from api.auth import scope_tenant_id
from api.context import context_of
from api.permissions import request_roles
from api.roles import ADMIN_FINANCE, SIGNED_IN
from api.v1.platform.branding import TenantBriefSerializer
from api.views import ApiView
from core.audit_labels import audit_action_label
from core.models import AuditEvent
from core.selectors import audit_events_visible_to
from quotes.dashboard import tenant_dashboard


class AuditEventSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "action",
            "action_label",
            "actor_name",
            "created_at",
            "summary",
            "object_type",
            "object_id",
        ]

    def get_action_label(self, event: AuditEvent) -> str:
        return audit_action_label(event.action)


class ConsoleSummarySerializer(serializers.Serializer):
    tenant = TenantBriefSerializer()
    members_by_role = serializers.DictField(child=serializers.IntegerField())
    recent_events = AuditEventSerializer(many=True)


class ConsoleSummaryView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=ConsoleSummarySerializer, operation_id="console_summary")
    def get(self, request: Request) -> Response:
        tenant = context_of(request).tenant
        tenant_id = scope_tenant_id(request)
        assert tenant_id is not None  # routed on tenant hosts only
        body = {
            "tenant": {"name": tenant.name, "schema_name": tenant.schema_name, "kind": tenant.kind},
            "members_by_role": members_by_role(tenant_id=tenant_id),
            "recent_events": audit_events_visible_to(user=request.user, roles=request_roles(request))[:10],
        }
        return Response(ConsoleSummarySerializer(body).data)


class DashboardLineSerializer(serializers.Serializer):
    line = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class DashboardMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    by_line = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class DashboardRenewalSerializer(serializers.Serializer):
    due = serializers.IntegerField()
    renewed = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)


class DashboardCommissionSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    ratio = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)


class DashboardRepairStateSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class DashboardRepairsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_state = DashboardRepairStateSerializer(many=True)


class ConsoleDashboardSerializer(serializers.Serializer):
    from_month = serializers.CharField()
    to_month = serializers.CharField()
    lines = DashboardLineSerializer(many=True)
    premium_by_month = DashboardMonthSerializer(many=True)
    premium_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    renewal = DashboardRenewalSerializer()
    commission = DashboardCommissionSerializer()
    open_repairs = DashboardRepairsSerializer()


class ConsoleDashboardView(ApiView):
    """工作台 charts for the tenant's admins and finance: twelve months of premium by line, renewal
    rate, commission cost ratio, open repairs (quotes.dashboard has the definitions)."""

    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=ConsoleDashboardSerializer, operation_id="console_dashboard")
    def get(self, request: Request) -> Response:
        tenant_id = scope_tenant_id(request)
        assert tenant_id is not None  # routed on tenant hosts only
        return Response(ConsoleDashboardSerializer(tenant_dashboard(tenant_id=tenant_id)).data)


@extend_schema_view(
    get=extend_schema(operation_id="audit_events_list"),
)
class AuditEventListView(generics.ListAPIView):
    """The tenant's audit trail: admins and finance see all of it, others their own actions."""

    allowed_roles = SIGNED_IN
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> Any:
        return audit_events_visible_to(user=self.request.user, roles=request_roles(self.request))


@extend_schema_view(get=extend_schema(operation_id="audit_events_retrieve"))
class AuditEventDetailView(generics.RetrieveAPIView):
    allowed_roles = SIGNED_IN
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> Any:
        return audit_events_visible_to(user=self.request.user, roles=request_roles(self.request))
