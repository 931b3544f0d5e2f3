from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import scope_tenant_id
from tenants.models import Branding
from tenants.selectors import branding_for_tenant


class BrandingFieldsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branding
        fields = ["display_name", "short_name", "slogan", "logo_url", "primary_color", "secondary_color"]


class TenantBriefSerializer(serializers.Serializer):
    name = serializers.CharField()
    schema_name = serializers.CharField()
    kind = serializers.CharField()


class BrandingSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["tenant", "public"])
    tenant = TenantBriefSerializer(allow_null=True)
    display_name = serializers.CharField()
    short_name = serializers.CharField()
    slogan = serializers.CharField()
    logo_url = serializers.CharField()
    primary_color = serializers.CharField()
    secondary_color = serializers.CharField()


class BrandingView(APIView):
    """The host's branding, for the pages to paint themselves before anyone logs in."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=BrandingSerializer, operation_id="branding")
    def get(self, request: Request) -> Response:
        tenant = request.tenant  # type: ignore[attr-defined]
        in_tenant = scope_tenant_id(request) is not None
        body = {
            "scope": "tenant" if in_tenant else "public",
            "tenant": {"name": tenant.name, "schema_name": tenant.schema_name, "kind": tenant.kind}
            if in_tenant
            else None,
            **BrandingFieldsSerializer(branding_for_tenant(tenant=tenant)).data,
        }
        response = Response(BrandingSerializer(body).data)
        response["Cache-Control"] = "public, max-age=60"
        return response
