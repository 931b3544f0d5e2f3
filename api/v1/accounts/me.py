from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import scope_tenant_id


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


class MeView(APIView):
    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        tenant = request.tenant  # type: ignore[attr-defined]
        in_tenant = scope_tenant_id(request) is not None
        body = {
            "id": request.user.pk,
            "mobile": request.user.mobile,  # type: ignore[union-attr]
            "name": request.user.name,  # type: ignore[union-attr]
            "roles": sorted(request.roles),  # type: ignore[attr-defined]
            "scope": {
                "kind": "tenant" if in_tenant else "public",
                "schema_name": tenant.schema_name if in_tenant else None,
                "name": tenant.name,
            },
        }
        return Response(MeSerializer(body).data)
