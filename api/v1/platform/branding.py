from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import scope_tenant_id
from api.context import context_of
from api.params import request_user
from api.roles import TENANT_ADMIN
from api.views import ApiView
from tenants.branding import branding_image_set, branding_update
from tenants.models import Branding, Tenant
from tenants.selectors import branding_for_tenant


class BrandingFieldsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branding
        fields = [
            "display_name",
            "short_name",
            "slogan",
            "logo_url",
            "favicon_url",
            "h5_title",
            "primary_color",
            "secondary_color",
        ]


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
    favicon_url = serializers.CharField()
    h5_title = serializers.CharField()
    primary_color = serializers.CharField()
    secondary_color = serializers.CharField()


class BrandingView(APIView):
    """The host's branding, for the pages to paint themselves before anyone logs in."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=BrandingSerializer, operation_id="branding")
    def get(self, request: Request) -> Response:
        tenant = context_of(request).tenant
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


class BrandingUpdateSerializer(serializers.Serializer):
    """Only the fields sent are changed; the service checks them (400 naming the field)."""

    display_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    short_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    slogan = serializers.CharField(required=False, allow_blank=True, max_length=400)
    h5_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    primary_color = serializers.CharField(required=False, allow_blank=True, max_length=20)
    secondary_color = serializers.CharField(required=False, allow_blank=True, max_length=20)


class BrandingImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


BRANDING_IMAGE_KINDS = ("logo", "favicon")


def branding_body(tenant: Tenant) -> dict[str, Any]:
    return dict(BrandingFieldsSerializer(branding_for_tenant(tenant=tenant)).data)


def branding_change(request: Request, tenant: Tenant) -> Response:
    body = BrandingUpdateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    branding_update(actor=request_user(request), tenant=tenant, changes=dict(body.validated_data))
    return Response(branding_body(tenant))


def branding_upload(request: Request, tenant: Tenant, kind: str) -> Response:
    if kind not in BRANDING_IMAGE_KINDS:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        raise serializers.ValidationError({kind: ["请选择图片文件"]})
    branding_image_set(actor=request_user(request), tenant=tenant, kind=kind, content=upload.read())
    return Response(branding_body(tenant))


class BrandingSettingsView(ApiView):
    """品牌设置 on the tenant's own host: its admins read and change the branding."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=BrandingFieldsSerializer, operation_id="branding_settings")
    def get(self, request: Request) -> Response:
        return Response(branding_body(context_of(request).tenant))

    @extend_schema(
        request=BrandingUpdateSerializer,
        responses=BrandingFieldsSerializer,
        operation_id="branding_settings_update",
    )
    def patch(self, request: Request) -> Response:
        return branding_change(request, context_of(request).tenant)


class BrandingImageView(ApiView):
    """Upload the logo or the favicon (``kind``): checked to be an image, kept per tenant."""

    allowed_roles = TENANT_ADMIN
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": BrandingImageUploadSerializer},
        responses=BrandingFieldsSerializer,
        operation_id="branding_image_upload",
    )
    def post(self, request: Request, kind: str) -> Response:
        return branding_upload(request, context_of(request).tenant, kind)
