"""The insurer's claims (platform host): the list, one claim, 核损 and the cost statistics; and the
platform admin's insurer directory, where claim staff are added."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales import services as svc
from aftersales.models import ServiceOrder
from aftersales.selectors import claim_cost_stats, claims_for_insurer, with_totals
from api.roles import INSURER_STAFF, PLATFORM_ADMIN
from api.v1.aftersales.common import LIST_PARAMS, OrderStepView, Step, detail_answer, filtered, step_views
from api.v1.aftersales.serializers import (
    DecisionsSerializer,
    OrderInsurerSerializer,
    ServiceOrderDetailSerializer,
    ServiceOrderSerializer,
    decisions_of,
)
from api.views import ApiListView, ApiView, ContextMixin
from core.errors import NotFound
from directory.models import Insurer
from directory.services import insurer_staff_add


class InsurerActorMixin(ContextMixin):
    allowed_roles = INSURER_STAFF

    def insurer_actor(self) -> svc.Actor:
        return svc.Actor(self.ctx.actor, "insurer", insurer_id=self.insurer().pk)


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="insurer_claims_list"))
class InsurerClaimListView(InsurerActorMixin, ApiListView):
    serializer_class = ServiceOrderSerializer

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        rows = claims_for_insurer(insurer_id=self.insurer_actor().insurer_id or 0)
        return with_totals(filtered(self.request, rows)).select_related("tenant")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": "insurer"}


class InsurerClaimDetailView(InsurerActorMixin, ApiView):
    @extend_schema(responses=ServiceOrderDetailSerializer, operation_id="insurer_claims_detail")
    def get(self, request: Request, pk: int) -> Response:
        return detail_answer(
            claims_for_insurer(insurer_id=self.insurer_actor().insurer_id or 0), pk, "insurer"
        )


class InsurerClaimActionView(InsurerActorMixin, OrderStepView):
    viewer = "insurer"

    def step_actor(self) -> svc.Actor:
        return self.insurer_actor()

    def step_rows(self, actor: svc.Actor) -> QuerySet[ServiceOrder]:
        return claims_for_insurer(insurer_id=actor.insurer_id or 0)


INSURER_STEPS = {
    "approve": Step(
        DecisionsSerializer,
        lambda actor, order, v: svc.order_insurer_approve(
            actor=actor, order=order, decisions=decisions_of(v)
        ),
    ),
}
InsurerClaimApproveView = step_views(InsurerClaimActionView, INSURER_STEPS, "insurer_claims_{name}")[
    "approve"
]


class ShopCostSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()
    orders = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class PartCostSerializer(serializers.Serializer):
    name = serializers.CharField()
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    shop_avg_unit_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    all_shops_avg_unit_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    vs_average_pct = serializers.DecimalField(max_digits=8, decimal_places=1)


class ClaimStatsSerializer(serializers.Serializer):
    insurer = OrderInsurerSerializer()
    shops = ShopCostSerializer(many=True)
    parts = PartCostSerializer(many=True)


class InsurerClaimStatsView(InsurerActorMixin, ApiView):
    @extend_schema(responses=ClaimStatsSerializer, operation_id="insurer_claims_stats")
    def get(self, request: Request) -> Response:
        insurer = self.insurer()
        stats = claim_cost_stats(insurer_id=insurer.pk)
        return Response(ClaimStatsSerializer({"insurer": insurer, **stats}).data)


# ---- the platform admin's insurer directory ----------------------------------------------------


class InsurerStaffSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60, allow_blank=True)
    password = serializers.CharField(max_length=128, required=False, allow_blank=True)


class PlatformInsurerStaffView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(
        request=InsurerStaffSerializer, responses={201: None}, operation_id="platform_insurers_staff_add"
    )
    def post(self, request: Request, pk: int) -> Response:
        insurer = Insurer.objects.filter(pk=pk).first()
        if insurer is None:
            raise NotFound("保险公司不存在")
        body = InsurerStaffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        insurer_staff_add(actor=self.ctx.actor, insurer=insurer, mobile=v["mobile"], name=v["name"],
                          password=v.get("password") or None)  # fmt: skip
        return Response(status=status.HTTP_201_CREATED)


class PlatformInsurerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    active = serializers.BooleanField()
    staff = serializers.ListField(child=serializers.CharField())


class PlatformInsurerListView(ApiView):
    """The insurer directory for the platform admin: each insurer with its staff (to add claim staff)."""

    allowed_roles = PLATFORM_ADMIN

    @extend_schema(responses=PlatformInsurerSerializer(many=True), operation_id="platform_insurers_list")
    def get(self, request: Request) -> Response:
        insurers = Insurer.objects.prefetch_related("staff__user")
        rows = [
            {"id": i.pk, "code": i.code, "name": i.name, "short_name": i.short_name, "active": i.active,
             "staff": [f"{s.user.name} {s.user.mobile}".strip() for s in i.staff.all()]}
            for i in insurers
        ]  # fmt: skip
        return Response(PlatformInsurerSerializer(rows, many=True).data)
