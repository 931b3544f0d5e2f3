"""Platform console: the platform admin lists and creates tenants (public host only)."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import HasAllowedRole
from api.v1.branding import BrandingFieldsSerializer
from tenants.models import Tenant, TenantKind
from tenants.selectors import tenants_for_platform
from tenants.services import AdminSpec, tenant_provision


class PlatformTenantSerializer(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
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
            "created_at",
            "member_count",
            "branding",
        ]

    def get_domain(self, tenant: Tenant) -> str:
        domains = list(tenant.domains.all())
        primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
        return primary.domain if primary else ""


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
class PlatformTenantListCreateView(generics.ListAPIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = {"platform_admin"}
    serializer_class = PlatformTenantSerializer

    def get_queryset(self) -> Any:
        return tenants_for_platform(search=self.request.query_params.get("search", "").strip())

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
