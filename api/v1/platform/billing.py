"""订阅与账单 (tenant console): the plan, trial, status, usage against limits, invoices, Stripe
checkout and plan changes; the billing state every app reads for its banner; the setup checklist.
订阅与收入 (platform console): every tenant's status, plan, usage and MRR; plan management."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.context import context_of
from api.params import request_user
from api.roles import ADMIN_FINANCE, PLATFORM_ADMIN, SIGNED_IN, TENANT_ADMIN
from api.v1.platform.signup import SaasPlanSerializer
from api.views import ApiListView, ApiView
from core.errors import NotFound
from subscriptions.models import Invoice, Plan
from subscriptions.selectors import (
    invoices_for_tenant,
    platform_revenue,
    setup_checklist,
    subscription_of,
    subscription_state,
    tenant_usage,
)
from subscriptions.services import (
    plan_create,
    plan_update,
    subscription_checkout_start,
    subscription_plan_change,
)


class BillingStateSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    banner = serializers.CharField()
    read_only = serializers.BooleanField()  # type: ignore[assignment]
    grace_ends_at = serializers.DateTimeField(allow_null=True)


class BillingUsageSerializer(serializers.Serializer):
    agents = serializers.IntegerField()
    customers = serializers.IntegerField()
    storage_mb = serializers.IntegerField()


class BillingOverviewSerializer(serializers.Serializer):
    plan = SaasPlanSerializer(allow_null=True)
    state = BillingStateSerializer()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    has_stripe_subscription = serializers.BooleanField()
    usage = BillingUsageSerializer()
    plans = SaasPlanSerializer(many=True)


class BillingInvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "number", "status", "amount_due", "amount_paid", "currency", "hosted_invoice_url",
                  "period_start", "period_end", "issued_at", "paid_at"]  # fmt: skip


class BillingPlanInputSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=30)


class BillingCheckoutSerializer(serializers.Serializer):
    url = serializers.CharField()


class SetupItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    done = serializers.BooleanField()
    count = serializers.IntegerField()
    route = serializers.CharField()
    hint = serializers.CharField()


class SetupChecklistSerializer(serializers.Serializer):
    items = SetupItemSerializer(many=True)
    done = serializers.IntegerField()
    total = serializers.IntegerField()


def _overview(request: Request) -> dict[str, Any]:
    tenant = context_of(request).tenant
    sub = subscription_of(tenant.pk)
    state = subscription_state(sub)
    return {
        "plan": sub.plan if sub else None, "state": state.__dict__,
        "trial_ends_at": sub.trial_ends_at if sub else None,
        "current_period_end": sub.current_period_end if sub else None,
        "has_stripe_subscription": bool(sub and sub.stripe_subscription_id),
        "usage": tenant_usage(schema_name=tenant.schema_name), "plans": Plan.objects.filter(is_active=True),
    }  # fmt: skip


class BillingView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(responses=BillingOverviewSerializer, operation_id="billing_retrieve")
    def get(self, request: Request) -> Response:
        return Response(BillingOverviewSerializer(_overview(request)).data)


@extend_schema_view(get=extend_schema(operation_id="billing_invoices_list"))
class BillingInvoiceListView(ApiListView):
    allowed_roles = ADMIN_FINANCE
    serializer_class = BillingInvoiceSerializer

    def get_queryset(self) -> QuerySet[Invoice]:
        return invoices_for_tenant(tenant_id=context_of(self.request).tenant.pk)


class BillingCheckoutView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=BillingPlanInputSerializer,
        responses={201: BillingCheckoutSerializer},
        operation_id="billing_checkout",
    )
    def post(self, request: Request) -> Response:
        body = BillingPlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        url = subscription_checkout_start(
            actor=request_user(request), tenant=context_of(request).tenant,
            plan_code=body.validated_data["plan"], return_url=request.build_absolute_uri("/console/#/billing"),
        )  # fmt: skip
        return Response({"url": url}, status=status.HTTP_201_CREATED)


class BillingPlanChangeView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=BillingPlanInputSerializer,
        responses=BillingOverviewSerializer,
        operation_id="billing_plan_change",
    )
    def post(self, request: Request) -> Response:
        body = BillingPlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription_plan_change(
            actor=request_user(request), tenant=context_of(request).tenant,
            plan_code=body.validated_data["plan"],
        )  # fmt: skip
        return Response(BillingOverviewSerializer(_overview(request)).data)


class SubscriptionStateView(ApiView):
    """What every app of the tenant shows as its dunning banner (any signed-in role)."""

    allowed_roles = SIGNED_IN

    @extend_schema(responses=BillingStateSerializer, operation_id="subscription_state")
    def get(self, request: Request) -> Response:
        state = subscription_state(subscription_of(context_of(request).tenant.pk))
        return Response(BillingStateSerializer(state.__dict__).data)


class SetupChecklistView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=SetupChecklistSerializer, operation_id="setup_checklist")
    def get(self, request: Request) -> Response:
        items = setup_checklist(tenant=context_of(request).tenant)
        body = {"items": items, "done": sum(1 for i in items if i["done"]), "total": len(items)}
        return Response(SetupChecklistSerializer(body).data)


# ---- the platform's view ----------------------------------------------------------------------


class RevenueRowSerializer(serializers.Serializer):
    tenant_id = serializers.IntegerField()
    tenant_name = serializers.CharField()
    schema_name = serializers.CharField()
    is_active = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    read_only = serializers.BooleanField()  # type: ignore[assignment]
    plan = SaasPlanSerializer(allow_null=True)
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    usage = BillingUsageSerializer()
    mrr = serializers.DecimalField(max_digits=14, decimal_places=2)


class RevenueSerializer(serializers.Serializer):
    tenants = RevenueRowSerializer(many=True)
    total_mrr = serializers.DecimalField(max_digits=14, decimal_places=2)
    paying = serializers.IntegerField()


class PlatformRevenueView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(responses=RevenueSerializer, operation_id="platform_revenue")
    def get(self, request: Request) -> Response:
        return Response(RevenueSerializer(platform_revenue()).data)


class SaasPlanInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=40)
    price_monthly = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    max_agents = serializers.IntegerField(min_value=0, default=0)
    max_customers = serializers.IntegerField(min_value=0, default=0)
    max_storage_mb = serializers.IntegerField(min_value=0, default=0)
    trial_days = serializers.IntegerField(min_value=0, max_value=90, default=14)
    is_active = serializers.BooleanField(default=True)


class SaasPlanUpdateSerializer(SaasPlanInputSerializer):
    code = None  # type: ignore[assignment]


class PlatformPlanListCreateView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(responses=SaasPlanSerializer(many=True), operation_id="platform_plans_list")
    def get(self, request: Request) -> Response:
        return Response(SaasPlanSerializer(Plan.objects.all(), many=True).data)

    @extend_schema(
        request=SaasPlanInputSerializer,
        responses={201: SaasPlanSerializer},
        operation_id="platform_plans_create",
    )
    def post(self, request: Request) -> Response:
        body = SaasPlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = plan_create(actor=request_user(request), **body.validated_data)
        return Response(SaasPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlatformPlanDetailView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(
        request=SaasPlanUpdateSerializer, responses=SaasPlanSerializer, operation_id="platform_plans_update"
    )
    def patch(self, request: Request, pk: int) -> Response:
        plan = Plan.objects.filter(pk=pk).first()
        if plan is None:
            raise NotFound("套餐不存在")
        body = SaasPlanUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        plan = plan_update(actor=request_user(request), plan=plan, **body.validated_data)
        return Response(SaasPlanSerializer(plan).data)
