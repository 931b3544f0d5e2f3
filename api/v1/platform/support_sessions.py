"""支持会话 on the tenant's host: the tenant sees every platform support session on it and can end
one; the console asks ``current`` to show the banner while it runs under one."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import AuthToken
from api.context import context_of
from api.params import request_user
from api.roles import SIGNED_IN, TENANT_ADMIN
from api.views import ApiView
from tenants.selectors import support_sessions_for_tenant
from tenants.support import support_session_end


class SupportSessionSerializer(serializers.ModelSerializer):
    impersonator_name = serializers.SerializerMethodField()
    user_name = serializers.SerializerMethodField()
    reason = serializers.CharField(source="support_reason")
    started_at = serializers.DateTimeField(source="created_at")
    ended_at = serializers.DateTimeField(source="revoked_at", allow_null=True)
    action_count = serializers.IntegerField(default=0)

    class Meta:
        model = AuthToken
        fields = [
            "id",
            "impersonator_name",
            "user_name",
            "reason",
            "started_at",
            "expires_at",
            "ended_at",
            "action_count",
        ]

    def get_impersonator_name(self, token: AuthToken) -> str:
        who = token.impersonator
        return (who.name or who.mobile) if who else "（已删除）"

    def get_user_name(self, token: AuthToken) -> str:
        return token.user.name or token.user.mobile


class CurrentSupportSessionSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    session = SupportSessionSerializer(allow_null=True)


class SupportSessionListView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=SupportSessionSerializer(many=True), operation_id="support_sessions_list")
    def get(self, request: Request) -> Response:
        sessions = support_sessions_for_tenant(tenant_id=context_of(request).tenant.pk)
        return Response(SupportSessionSerializer(sessions[:200], many=True).data)


class SupportSessionEndView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(request=None, responses=SupportSessionSerializer, operation_id="support_sessions_end")
    def post(self, request: Request, pk: int) -> Response:
        tenant_id = int(context_of(request).tenant.pk)
        support_session_end(actor=request_user(request), tenant_id=tenant_id, session_id=pk)
        return Response(
            SupportSessionSerializer(support_sessions_for_tenant(tenant_id=tenant_id).get(pk=pk)).data
        )


class CurrentSupportSessionView(ApiView):
    """Whether the caller's own token is a support session (for the console's banner)."""

    allowed_roles = SIGNED_IN

    @extend_schema(responses=CurrentSupportSessionSerializer, operation_id="support_sessions_current")
    def get(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, AuthToken) or token.impersonator_id is None:
            return Response({"active": False, "session": None})
        session = support_sessions_for_tenant(tenant_id=context_of(request).tenant.pk).get(pk=token.pk)
        return Response({"active": True, "session": SupportSessionSerializer(session).data})
