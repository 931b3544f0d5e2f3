"""账号安全: the authenticator app (TOTP) of admins; accounts locked after repeated wrong passwords, and their unlocking by an admin (a
tenant admin for the people of its tenant, the platform admin for anyone)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Membership, User
from accounts.services import (
    login_lockouts_active,
    login_unlock,
    totp_confirm,
    totp_disable,
    totp_enabled,
    totp_setup,
)
from api.auth import scope_tenant_id
from api.params import request_user
from api.permissions import HasAllowedRole
from api.roles import ACCOUNT_ADMINS, SIGNED_IN
from api.views import ApiView
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


class LoginLocksView(ApiView):
    """Accounts locked now: on a tenant's host only its own people; on the platform host everyone."""

    allowed_roles = ACCOUNT_ADMINS

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


class LoginUnlockView(ApiView):
    allowed_roles = ACCOUNT_ADMINS

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


class StrongTokenRequired(BasePermission):
    """Changing the second factor needs a token that was issued with one."""

    message = "请使用密码加验证码重新登录后再操作"

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and getattr(request.auth, "second_factor", False)
        )


class TotpStateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class TotpSetupSerializer(serializers.Serializer):
    secret = serializers.CharField()
    otpauth_uri = serializers.CharField()


class TotpConfirmSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "动态码为6位数字"})


class TotpDisableSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TotpView(ApiView):
    """账号安全: whether the caller logs in with an authenticator app (else with an SMS code)."""

    permission_classes = [HasAllowedRole, StrongTokenRequired]
    allowed_roles = SIGNED_IN

    @extend_schema(responses=TotpStateSerializer, operation_id="auth_totp")
    def get(self, request: Request) -> Response:
        return Response({"enabled": totp_enabled(user=request_user(request))})


class TotpSetupView(ApiView):
    permission_classes = [HasAllowedRole, StrongTokenRequired]
    allowed_roles = SIGNED_IN

    @extend_schema(request=None, responses=TotpSetupSerializer, operation_id="auth_totp_setup")
    def post(self, request: Request) -> Response:
        tenant = getattr(request, "tenant", None)
        issuer = tenant.name if scope_tenant_id(request) is not None and tenant is not None else "速信保"
        secret, uri = totp_setup(user=request_user(request), issuer=issuer)
        return Response({"secret": secret, "otpauth_uri": uri})


class TotpConfirmView(ApiView):
    permission_classes = [HasAllowedRole, StrongTokenRequired]
    allowed_roles = SIGNED_IN

    @extend_schema(
        request=TotpConfirmSerializer, responses=TotpStateSerializer, operation_id="auth_totp_confirm"
    )
    def post(self, request: Request) -> Response:
        body = TotpConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        totp_confirm(user=request_user(request), code=body.validated_data["code"], ip=client_ip(request))
        return Response({"enabled": True})


class TotpDisableView(ApiView):
    permission_classes = [HasAllowedRole, StrongTokenRequired]
    allowed_roles = SIGNED_IN

    @extend_schema(
        request=TotpDisableSerializer, responses=TotpStateSerializer, operation_id="auth_totp_disable"
    )
    def post(self, request: Request) -> Response:
        body = TotpDisableSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        totp_disable(
            user=request_user(request), password=body.validated_data["password"], ip=client_ip(request)
        )
        return Response({"enabled": False})
