"""The tenant's WeChat 公众号: settings (console; the secret is write-only and shown masked), the
owner's login through the 公众号 menu (OAuth code → openid → token, or bind a mobile first), binding
the WeChat of a logged-in user, and the JS-SDK signature for sharing referral links."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.wechat_login import wechat_bind, wechat_bind_current, wechat_login
from accounts.wechat_oauth import redirect_checked, state_consume, state_forget, state_issue
from api.auth import scope_tenant_id
from api.roles import TENANT_ADMIN, TENANT_PEOPLE
from api.throttles import LOGIN_THROTTLES
from api.v1.accounts.auth import TokenResponseSerializer, UserBriefSerializer, token_response
from api.views import ApiView
from core import wechat
from core.clients import client_ip
from core.errors import NotFound
from core.models import WeChatSettings
from notices.models import Category
from notices.services import wechat_settings_save


def _tenant_only(request: Request) -> None:
    if scope_tenant_id(request) is None:
        raise NotFound("仅在租户站点可用")


class WeChatSettingsSerializer(serializers.Serializer):
    app_id = serializers.CharField(max_length=40, allow_blank=True)
    app_secret = serializers.CharField(
        max_length=64, allow_blank=True, required=False, write_only=True, help_text="留空则不修改"
    )
    app_secret_masked = serializers.CharField(read_only=True)
    template_ids = serializers.DictField(
        child=serializers.CharField(max_length=64, allow_blank=True), default=dict
    )
    enabled = serializers.BooleanField(default=False)
    categories = serializers.DictField(child=serializers.CharField(), read_only=True)


def _settings_body(row: WeChatSettings | None) -> dict[str, Any]:
    return {
        "app_id": row.app_id if row else "",
        "app_secret_masked": f"******{row.app_secret_last4}" if row and row.app_secret_cipher else "",
        "template_ids": dict(row.template_ids or {}) if row else {},
        "enabled": row.enabled if row else False,
        "categories": dict(Category.choices),
    }


class WeChatSettingsView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=WeChatSettingsSerializer, operation_id="wechat_settings")
    def get(self, request: Request) -> Response:
        return Response(WeChatSettingsSerializer(_settings_body(WeChatSettings.objects.first())).data)

    @extend_schema(
        request=WeChatSettingsSerializer,
        responses=WeChatSettingsSerializer,
        operation_id="wechat_settings_update",
    )
    def put(self, request: Request) -> Response:
        body = WeChatSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = wechat_settings_save(
            actor=self.ctx.actor,
            app_id=data["app_id"],
            app_secret=data.get("app_secret") or None,
            template_ids=data["template_ids"],
            enabled=data["enabled"],
        )
        return Response(WeChatSettingsSerializer(_settings_body(row)).data)


class WeChatAuthorizeSerializer(serializers.Serializer):
    url = serializers.CharField()


class WeChatAuthorizeView(APIView):
    """The OAuth URL the 公众号 menu (or the H5) sends the owner to; WeChat comes back to
    ``redirect`` (this host only) with ``?code=&state=``. The state is new for each call and set as
    this browser's cookie: the callback (``oauth/login/``, ``bind-me/``) must bring both back."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("redirect", str, required=True)],
        responses=WeChatAuthorizeSerializer,
        operation_id="wechat_oauth_url",
    )
    def get(self, request: Request) -> Response:
        _tenant_only(request)
        redirect = redirect_checked(request.query_params.get("redirect", "").strip(), request)
        creds = wechat.credentials()  # a tenant without a 公众号 is a 409 before any state is issued
        response = Response()
        state = state_issue(response, request)
        response.data = {"url": wechat.oauth(redirect_uri=redirect, state=state, creds=creds).authorize_url}
        return response


class WeChatLoginSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=200)
    state = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="the state WeChat came back with (oauth/url/ issued it)",
    )


class WeChatLoginResponseSerializer(serializers.Serializer):
    """``bound``: a token (as ``auth/token/``); else a ``bind_ticket`` for ``wechat/bind/``."""

    bound = serializers.BooleanField()
    bind_ticket = serializers.CharField(required=False)
    token = serializers.CharField(required=False)
    refresh = serializers.CharField(required=False)
    expires_in = serializers.IntegerField(required=False)
    user = UserBriefSerializer(required=False)
    roles = serializers.ListField(child=serializers.CharField(), required=False)


class WeChatLoginView(APIView):
    """The OAuth callback's code: a bound owner gets a token; an unknown WeChat gets a bind ticket
    to finish with a mobile and SMS code (``wechat/bind/``)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=WeChatLoginSerializer, responses=WeChatLoginResponseSerializer, operation_id="wechat_login"
    )
    def post(self, request: Request) -> Response:
        _tenant_only(request)
        body = WeChatLoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        state_consume(request, body.validated_data["state"])
        result = wechat_login(
            code=body.validated_data["code"],
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ip=client_ip(request),
        )
        if result.issued is None:
            response = Response({"bound": False, "bind_ticket": result.bind_ticket})
        else:
            response = Response({"bound": True, **token_response(result.issued).data})
        state_forget(response)
        return response


class WeChatBindSerializer(serializers.Serializer):
    bind_ticket = serializers.CharField(max_length=64)
    mobile = serializers.CharField(max_length=20)
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "验证码为6位数字"})


class WeChatBindView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=WeChatBindSerializer, responses=TokenResponseSerializer, operation_id="wechat_bind"
    )
    def post(self, request: Request) -> Response:
        _tenant_only(request)
        body = WeChatBindSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issued = wechat_bind(
            **body.validated_data, user_agent=request.META.get("HTTP_USER_AGENT", ""), ip=client_ip(request)
        )
        return token_response(issued)


class WeChatBoundSerializer(serializers.Serializer):
    bound = serializers.BooleanField()


class WeChatBindMeView(ApiView):
    """A logged-in agent or owner binds the WeChat they are in (to get template messages)."""

    allowed_roles = TENANT_PEOPLE

    @extend_schema(
        request=WeChatLoginSerializer, responses=WeChatBoundSerializer, operation_id="wechat_bind_me"
    )
    def post(self, request: Request) -> Response:
        body = WeChatLoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        state_consume(request, body.validated_data["state"])
        wechat_bind_current(actor=self.ctx.actor, code=body.validated_data["code"])
        response = Response({"bound": True})
        state_forget(response)
        return response


class JsSdkSignatureSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    timestamp = serializers.IntegerField()
    nonce_str = serializers.CharField()
    signature = serializers.CharField()


class JsSdkSignatureView(APIView):
    """wx.config for a page of this host (sharing referral links); the jsapi ticket is cached per tenant."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("url", str, required=True)],
        responses=JsSdkSignatureSerializer,
        operation_id="wechat_jssdk_signature",
    )
    def get(self, request: Request) -> Response:
        _tenant_only(request)
        url = redirect_checked(
            request.query_params.get("url", "").split("#")[0].strip(), request, field="url"
        )
        return Response(JsSdkSignatureSerializer(wechat.jsapi_signature(url)).data)
