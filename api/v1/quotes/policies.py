"""Policies (保单): the list, as the customers' visibility allows, and 退保."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.context import context_of
from api.params import int_param, request_user
from api.permissions import request_roles
from api.roles import (
    ADMIN_FINANCE,
    TENANT_PEOPLE,
)
from api.v1.quotes.serializers import PolicySerializer
from api.v1.quotes.views import _link_owner
from api.views import ApiListView, ApiView
from core.errors import NotFound
from quotes.models import (
    Policy,
    PolicyStatus,
)
from quotes.selectors import policies_visible
from quotes.services import (
    policy_surrender,
)

# ---- policies ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[*PolicyStatus.values]),
            OpenApiParameter("customer_id", int),
            OpenApiParameter("number", str),
            OpenApiParameter("plate", str),
        ],
        operation_id="policies_list",
    )
)
class PolicyListView(ApiListView):
    allowed_roles = TENANT_PEOPLE
    serializer_class = PolicySerializer

    def get_queryset(self) -> Any:
        q = self.request.query_params
        _link_owner(self.request)
        rows = policies_visible(user=request_user(self.request), roles=request_roles(self.request))
        if q.get("status"):
            rows = rows.filter(status=q["status"])
        customer_id = int_param(self.request, "customer_id")
        if customer_id:
            rows = rows.filter(customer_id=customer_id)
        if q.get("number"):
            rows = rows.filter(number__icontains=q["number"].strip())
        if q.get("plate"):
            rows = rows.filter(vehicle__plate__contains=q["plate"].strip().upper())
        return rows.select_related("insurer", "quote", "customer", "vehicle").order_by("-issued_at", "line")


class SurrenderSerializer(serializers.Serializer):
    refund_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=200, allow_blank=True)


class PolicySurrenderView(ApiView):
    """退保 (tenant admin or finance): records the refund and emits ``policy.cancelled``."""

    allowed_roles = ADMIN_FINANCE

    @extend_schema(request=SurrenderSerializer, responses=PolicySerializer, operation_id="policies_surrender")
    def post(self, request: Request, pk: int) -> Response:
        policy = (
            policies_visible(user=request_user(request), roles=request_roles(request)).filter(pk=pk).first()
        )
        if policy is None:
            raise NotFound("保单不存在")
        body = SurrenderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = policy_surrender(
            actor=request_user(request),
            role=context_of(request).acting_role(ADMIN_FINANCE),
            policy=policy,
            refund_amount=body.validated_data["refund_amount"],
            reason=body.validated_data["reason"],
        )
        fresh = Policy.objects.select_related("insurer", "quote", "customer", "vehicle").get(pk=policy.pk)
        return Response(PolicySerializer(fresh).data)
