from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import (
    IssuedToken,
    auth_login_with_password,
    auth_login_with_sms_code,
    auth_logout_everywhere,
    auth_token_refresh,
    auth_token_revoke,
    password_change,
    sms_login_code_send,
)
from api.auth import scope_tenant_id
from api.roles import SIGNED_IN
from api.throttles import LOGIN_THROTTLES, SMS_SEND_THROTTLES
from api.views import ApiView
from core.clients import client_ip
from subscriptions.services import signup_ticket_redeem

AFTER_FIELDS = ("referral_code",)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mobile = serializers.CharField()
    name = serializers.CharField()


class TokenSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="管理员和财务的第二步：身份验证器的动态码，或首次提交后收到的短信验证码（401 otp_required 时填写）",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="访问令牌（Bearer），有效期 expires_in 秒")
    refresh = serializers.CharField(help_text="刷新令牌：POST auth/refresh/ 换取新的一对，每个只能用一次")
    expires_in = serializers.IntegerField()
    user = UserBriefSerializer()
    roles = serializers.ListField(child=serializers.CharField())


def token_response(issued: IssuedToken) -> Response:
    body = {
        "token": issued.token,
        "refresh": issued.refresh,
        "expires_in": settings.AUTH_TOKEN_TTL_MINUTES * 60,
        "user": {"id": issued.user.pk, "mobile": issued.user.mobile, "name": issued.user.name},
        "roles": sorted(issued.roles),
    }
    return Response(TokenResponseSerializer(body).data)


def log_in(
    request: Request,
    credentials: type[serializers.Serializer],
    login: Callable[..., IssuedToken],
    after: Callable[[IssuedToken, dict[str, Any]], None] | None = None,
) -> Response:
    """Validate the credentials, log in on this host's scope, answer with the token. Fields the
    login does not take (AFTER_FIELDS) go to ``after`` with the issued token."""
    data = credentials(data=request.data)
    data.is_valid(raise_exception=True)
    extra = {name: data.validated_data.pop(name) for name in AFTER_FIELDS if name in data.validated_data}
    issued = login(
        **data.validated_data,
        tenant_id=scope_tenant_id(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ip=client_ip(request),
    )
    if after is not None:
        after(issued, extra)
    return token_response(issued)


class TokenView(APIView):
    """Log in with mobile + password; the token works only on this host."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(request=TokenSerializer, responses=TokenResponseSerializer, operation_id="auth_token")
    def post(self, request: Request) -> Response:
        return log_in(request, TokenSerializer, auth_login_with_password)


class SignupTicketTokenSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=100)


class SignupTicketTokenView(APIView):
    """The new admin's first sign-in from "进入我的控制台": a one-time ticket, on its tenant's host only."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=SignupTicketTokenSerializer,
        responses=TokenResponseSerializer,
        operation_id="auth_signup_ticket",
    )
    def post(self, request: Request) -> Response:
        data = SignupTicketTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = signup_ticket_redeem(
            ticket=data.validated_data["ticket"],
            tenant_id=scope_tenant_id(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return token_response(issued)


class SmsSendSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)


class SmsSendResponseSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    expires_in = serializers.IntegerField()


class SmsSendView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = SMS_SEND_THROTTLES

    @extend_schema(
        request=SmsSendSerializer, responses={202: SmsSendResponseSerializer}, operation_id="auth_sms_send"
    )
    def post(self, request: Request) -> Response:
        data = SmsSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expires_in = sms_login_code_send(mobile=data.validated_data["mobile"], ip=client_ip(request))
        return Response({"sent": True, "expires_in": expires_in}, status=status.HTTP_202_ACCEPTED)


class SmsTokenSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "验证码为6位数字"})
    referral_code = serializers.CharField(max_length=12, required=False, allow_blank=True)


class SmsTokenView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=SmsTokenSerializer, responses=TokenResponseSerializer, operation_id="auth_sms_token"
    )
    def post(self, request: Request) -> Response:
        return log_in(request, SmsTokenSerializer, auth_login_with_sms_code, after=self.record_referral)

    @staticmethod
    def record_referral(issued: IssuedToken, extra: dict[str, Any]) -> None:
        """An owner who signs up through a referral link becomes that referrer's referral."""
        code = extra.get("referral_code", "")
        if issued.signed_up and code and connection.schema_name != get_public_schema_name():  # type: ignore[attr-defined]
            from network.services import referral_record

            referral_record(code=code, user=issued.user)


class LogoutView(ApiView):
    allowed_roles = SIGNED_IN

    @extend_schema(request=None, responses={204: None}, operation_id="auth_logout")
    def post(self, request: Request) -> Response:
        auth_token_revoke(token=request.auth)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(ApiView):
    """Log out everywhere: every token of the caller, on every host and device."""

    allowed_roles = SIGNED_IN

    @extend_schema(request=None, responses={204: None}, operation_id="auth_logout_all")
    def post(self, request: Request) -> Response:
        auth_logout_everywhere(user=request.user, ip=client_ip(request))  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeView(ApiView):
    """Change one's password; every session (this one too) ends and logs in again."""

    allowed_roles = SIGNED_IN

    @extend_schema(
        request=PasswordChangeSerializer, responses={204: None}, operation_id="auth_password_change"
    )
    def post(self, request: Request) -> Response:
        body = PasswordChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        password_change(user=request.user, ip=client_ip(request), **body.validated_data)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=100)


class RefreshView(APIView):
    """A new access token (and a new refresh token) for a refresh token of this host. Each refresh
    token works once; used again, the whole login is revoked (401 refresh_reused)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses=TokenResponseSerializer, operation_id="auth_refresh")
    def post(self, request: Request) -> Response:
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = auth_token_refresh(
            refresh=body.validated_data["refresh"],
            tenant_id=scope_tenant_id(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return token_response(issued)
