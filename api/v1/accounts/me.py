from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.auth import scope_tenant_id
from api.context import context_of
from api.roles import SIGNED_IN
from api.views import ApiView


class ScopeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["tenant", "public"])
    schema_name = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mobile = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    scope = ScopeSerializer()


class MeView(ApiView):
    allowed_roles = SIGNED_IN

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        tenant = context_of(request).tenant
        in_tenant = scope_tenant_id(request) is not None
        body = {
            "id": request.user.pk,
            "mobile": request.user.mobile,  # type: ignore[union-attr]
            "name": request.user.name,  # type: ignore[union-attr]
            "roles": sorted(context_of(request).roles),
            "scope": {
                "kind": "tenant" if in_tenant else "public",
                "schema_name": tenant.schema_name if in_tenant else None,
                "name": tenant.name,
            },
        }
        return Response(MeSerializer(body).data)
