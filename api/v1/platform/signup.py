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

from api.throttles import SMS_SEND_THROTTLES
from core.errors import NotFound
from subscriptions.models import Plan, Signup
from subscriptions.selectors import plans_available, signup_status_of
from subscriptions.services import signup_create, signup_progress, signup_retry, signup_sms_send


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


def signup_body(request: Request, signup: Signup) -> dict[str, Any]:
    host = f"{signup.subdomain}.{settings.TENANT_BASE_DOMAIN}"
    port = request.get_port()
    origin = f"{request.scheme}://{host}" + ("" if port in ("80", "443") else f":{port}")
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
