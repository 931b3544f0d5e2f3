"""账号安全: accounts locked after repeated wrong passwords, and their unlocking by an admin (a
tenant admin for the people of its tenant, the platform admin for anyone)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, User
from accounts.services import login_lockouts_active, login_unlock
from api.auth import scope_tenant_id
from api.params import request_user
from api.permissions import HasAllowedRole
from core.clients import client_ip


class LoginLockSerializer(serializers.Serializer):
    mobile = serializers.CharField()
    name = serializers.CharField()
    failures = serializers.IntegerField()
    last_failure_at = serializers.DateTimeField()
    last_ip = serializers.CharField(allow_null=True)
    locked_until = serializers.DateTimeField()


class LoginUnlockSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)


class LoginLocksView(APIView):
    """Accounts locked now: on a tenant's host only its own people; on the platform host everyone."""

    permission_classes = [HasAllowedRole]
    allowed_roles = {"tenant_admin", "platform_admin"}

    @extend_schema(responses=LoginLockSerializer(many=True), operation_id="account_locks")
    def get(self, request: Request) -> Response:
        locks = login_lockouts_active()
        mobiles = [lock.mobile for lock in locks]
        tenant_id = scope_tenant_id(request)
        if tenant_id is not None:
            members = set(
                Membership.objects.filter(tenant_id=tenant_id, user__mobile__in=mobiles).values_list(
                    "user__mobile", flat=True
                )
            )
            locks = [lock for lock in locks if lock.mobile in members]
        names = dict(User.objects.filter(mobile__in=mobiles).values_list("mobile", "name"))
        rows = [
            {
                "mobile": lock.mobile,
                "name": names.get(lock.mobile, ""),
                "failures": lock.failures,
                "last_failure_at": lock.last_failure_at,
                "last_ip": lock.last_ip,
                "locked_until": lock.locked_until,
            }
            for lock in locks
        ]
        return Response(LoginLockSerializer(rows, many=True).data)


class LoginUnlockView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = {"tenant_admin", "platform_admin"}

    @extend_schema(request=LoginUnlockSerializer, responses={204: None}, operation_id="account_unlock")
    def post(self, request: Request) -> Response:
        body = LoginUnlockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        login_unlock(
            actor=request_user(request),
            mobile=body.validated_data["mobile"],
            tenant_id=scope_tenant_id(request),
            ip=client_ip(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
