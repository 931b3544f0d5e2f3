"""Self-service signup on the public site: plans, the SMS code for the contact mobile, the signup
itself (queued, provisioned by a Celery task) and its progress, polled by the progress page."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttles import LOGIN_THROTTLES, SMS_SEND_THROTTLES
from core.errors import NotFound
from subscriptions.models import Plan, Signup
from subscriptions.selectors import plans_available, signup_status_of
from subscriptions.services import (
    SIGNUP_TICKET_TTL,
    signup_create,
    signup_progress,
    signup_retry,
    signup_sms_send,
    signup_ticket_issue,
)


class SaasPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "code", "name", "price_monthly", "currency", "max_agents", "max_customers",
                  "max_storage_mb", "trial_days", "is_active"]  # fmt: skip


class SignupInputSerializer(serializers.Serializer):
    request_id = serializers.UUIDField()
    company_name = serializers.CharField(max_length=100, allow_blank=True)
    uscc = serializers.CharField(max_length=30, allow_blank=True)
    kind = serializers.CharField(max_length=20, allow_blank=True)
    contact_mobile = serializers.CharField(max_length=20, allow_blank=True)
    sms_code = serializers.CharField(max_length=10, allow_blank=True)
    subdomain = serializers.CharField(max_length=40, allow_blank=True)
    plan = serializers.CharField(max_length=30, allow_blank=True)
    admin_name = serializers.CharField(max_length=50, allow_blank=True)
    admin_password = serializers.CharField(max_length=128, allow_blank=True, trim_whitespace=False)


class SignupStatusSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    step = serializers.CharField()
    error = serializers.CharField()
    attempts = serializers.IntegerField()
    company_name = serializers.CharField()
    subdomain = serializers.CharField()
    plan_name = serializers.CharField()
    console_url = serializers.CharField()


class SignupSmsSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)


class SignupSmsResponseSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    expires_in = serializers.IntegerField()


def _origin(request: Request, signup: Signup) -> str:
    host = f"{signup.subdomain}.{settings.TENANT_BASE_DOMAIN}"
    port = request.get_port()
    return f"{request.scheme}://{host}" + ("" if port in ("80", "443") else f":{port}")


def signup_body(request: Request, signup: Signup) -> dict[str, Any]:
    origin = _origin(request, signup)
    return {
        "id": signup.pk, "status": signup.status, "status_label": signup.get_status_display(),
        "step": signup_progress(signup), "error": signup.error, "attempts": signup.attempts,
        "company_name": signup.company_name, "subdomain": signup.subdomain, "plan_name": signup.plan.name,
        "console_url": f"{origin}/console/" if signup.status == "ready" else "",
    }  # fmt: skip


class SignupPlanListView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=SaasPlanSerializer(many=True), operation_id="signup_plans_list")
    def get(self, request: Request) -> Response:
        return Response(SaasPlanSerializer(plans_available(), many=True).data)


class SignupSmsView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = SMS_SEND_THROTTLES

    @extend_schema(
        request=SignupSmsSerializer,
        responses={202: SignupSmsResponseSerializer},
        operation_id="signup_sms_send",
    )
    def post(self, request: Request) -> Response:
        body = SignupSmsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expires_in = signup_sms_send(mobile=body.validated_data["mobile"])
        return Response({"sent": True, "expires_in": expires_in}, status=status.HTTP_202_ACCEPTED)


class SignupCreateView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=SignupInputSerializer,
        responses={202: SignupStatusSerializer, 200: SignupStatusSerializer},
        operation_id="signup_create",
    )
    def post(self, request: Request) -> Response:
        body = SignupInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        signup, created = signup_create(plan_code=data.pop("plan"), **data)
        return Response(
            SignupStatusSerializer(signup_body(request, signup)).data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )


def _signup(pk: Any) -> Signup:
    signup = signup_status_of(pk)
    if signup is None:
        raise NotFound("注册申请不存在")
    return signup


class SignupStatusView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=SignupStatusSerializer, operation_id="signup_retrieve")
    def get(self, request: Request, pk: Any) -> Response:
        return Response(SignupStatusSerializer(signup_body(request, _signup(pk))).data)


class SignupRetryView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={202: SignupStatusSerializer}, operation_id="signup_retry")
    def post(self, request: Request, pk: Any) -> Response:
        signup = signup_retry(signup_id=_signup(pk).pk)
        return Response(
            SignupStatusSerializer(signup_body(request, _signup(signup.pk))).data,
            status=status.HTTP_202_ACCEPTED,
        )


class SignupTicketInputSerializer(serializers.Serializer):
    request_id = serializers.UUIDField(help_text="提交注册时的 request_id（只有提交的浏览器知道）")


class SignupTicketSerializer(serializers.Serializer):
    signin_url = serializers.CharField(
        help_text="新租户控制台的一次性登录地址（票据在 # 之后，不发给服务器日志）"
    )
    expires_in = serializers.IntegerField()


class SignupTicketView(APIView):
    """ "进入我的控制台": a one-time sign-in link for the new admin, once per signup (see
    subscriptions.services.signup_ticket_issue)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        request=SignupTicketInputSerializer, responses=SignupTicketSerializer, operation_id="signup_ticket"
    )
    def post(self, request: Request, pk: Any) -> Response:
        body = SignupTicketInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        signup = _signup(pk)
        ticket = signup_ticket_issue(signup_id=signup.pk, request_id=body.validated_data["request_id"])
        url = f"{_origin(request, signup)}/console/#/login?ticket={ticket}"
        return Response(SignupTicketSerializer({"signin_url": url, "expires_in": SIGNUP_TICKET_TTL}).data)
