"""Service orders on the tenant's host: the owner requests, approves, cancels and reviews; the
tenant's staff read the orders of the customers they see."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from aftersales import services as svc
from aftersales.models import ProgressEvent, ServiceItem, ServiceOrder
from aftersales.selectors import orders_for_tenant_user, with_totals
from api.context import RequestContext
from api.roles import OWNER, TENANT_PEOPLE, TENANT_STAFF
from api.v1.aftersales.common import (
    LIST_PARAMS,
    OrderStepView,
    Step,
    detail,
    filtered,
    step_answer,
    step_views,
)
from api.v1.aftersales.serializers import (
    DecisionsSerializer,
    OrderInsurerSerializer,
    ServiceOrderDetailSerializer,
    ServiceOrderSerializer,
    decisions_of,
    order_detail,
)
from api.views import ApiListView, ApiView
from core.errors import NotFound, PermissionDenied
from core.prepared import Prepared
from directory.models import Insurer, Shop


def tenant_rows(ctx: RequestContext) -> QuerySet[ServiceOrder]:
    tenant_id = ctx.tenant_id
    assert tenant_id is not None
    return orders_for_tenant_user(user=ctx.actor, roles=set(ctx.roles), tenant_id=tenant_id)


def tenant_viewer(ctx: RequestContext) -> str:
    return "staff" if ctx.has_any(TENANT_STAFF) else "owner"


class RequestSerializer(serializers.Serializer):
    shop = serializers.IntegerField()
    vehicle = serializers.IntegerField()
    service = serializers.CharField(max_length=30, allow_blank=True)
    description = serializers.CharField(max_length=2000, allow_blank=True)
    mileage_km = serializers.IntegerField(required=False, allow_null=True)
    insurer = serializers.IntegerField(required=False, allow_null=True)
    claim_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="service_orders_list"))
class ServiceOrderListView(ApiListView):
    allowed_roles = TENANT_PEOPLE
    serializer_class = ServiceOrderSerializer

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        return with_totals(filtered(self.request, tenant_rows(self.ctx))).select_related("tenant")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": tenant_viewer(self.ctx)}

    @extend_schema(request=RequestSerializer, responses={201: ServiceOrderDetailSerializer},
                   operation_id="service_orders_request")  # fmt: skip
    def post(self, request: Request) -> Response:
        if "owner" not in self.ctx.roles:
            raise PermissionDenied("施工申请由车主在车主端提交")
        body = RequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        order = svc.order_request(
            actor=self.ctx.actor, tenant=self.ctx.tenant,
            shop_id=v["shop"], vehicle_id=v["vehicle"], service=v["service"], description=v["description"],
            mileage_km=v.get("mileage_km"), insurer_id=v.get("insurer"), claim_no=v.get("claim_no", ""),
        )  # fmt: skip
        # answered without a read: a new order has no items, and its progress is the one step the
        # service wrote (cached as prefetch_related caches a relation: a queryset already evaluated)
        progress = ProgressEvent.objects.filter(order_id=order.pk)
        progress._result_cache, progress._prefetch_done = [order.requested_step], True  # type: ignore[attr-defined]
        order._prefetched_objects_cache = {"items": ServiceItem.objects.none(), "progress": progress}  # type: ignore[attr-defined]
        return step_answer(order, "owner", status=status.HTTP_201_CREATED)


class ServiceOrderDetailView(ApiView):
    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=ServiceOrderDetailSerializer, operation_id="service_orders_detail")
    def get(self, request: Request, pk: int) -> Response:
        order = detail(tenant_rows(self.ctx), pk)
        # staff see the staff's view even of their own orders; an owner sees only their own
        viewer = (
            "staff" if tenant_viewer(self.ctx) == "staff" or order.owner_id != self.ctx.actor.pk else "owner"
        )
        return Response(order_detail(order, viewer))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReviewInSerializer(serializers.Serializer):
    technical = serializers.IntegerField()
    service = serializers.IntegerField()
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OwnerActionView(OrderStepView):
    """车主: approve the estimate item by item, cancel, or review."""

    allowed_roles = OWNER
    viewer = "owner"

    def step_actor(self) -> svc.Actor:
        return svc.Actor(self.ctx.actor, "owner")

    def step_rows(self, actor: svc.Actor) -> QuerySet[ServiceOrder]:
        return tenant_rows(self.ctx)

    def step_locked(self, actor: svc.Actor, pk: int) -> Callable[[], ServiceOrder | None] | None:
        if set(self.ctx.roles) != {"owner"}:  # another shape of tenant_rows: built per request
            return None
        tenant = self.ctx.tenant

        def read() -> ServiceOrder | None:
            order = LOCKED_FOR_OWNER.first(pk=pk, tenant_id=tenant.pk, user_id=actor.user.pk)
            if order is not None:  # found among the host tenant's orders: the tenant is the host's
                ServiceOrder.tenant.field.set_cached_value(order, tenant)
            return order

        return read


# tenant_rows of a user whose only role on the host is owner, without the tenant's row (the host's)
LOCKED_FOR_OWNER = Prepared(
    lambda pk, tenant_id, user_id: svc.locked_read(
        orders_for_tenant_user(user=User(pk=user_id), roles={"owner"}, tenant_id=tenant_id), pk, tenant=False
    )
)


OWNER_STEPS = {
    "approve": Step(
        DecisionsSerializer,
        lambda actor, order, v: svc.order_owner_approve(actor=actor, order=order, decisions=decisions_of(v)),
    ),
    "cancel": Step(
        ReasonSerializer,
        lambda actor, order, v: svc.order_cancel(actor=actor, order=order, reason=v["reason"]),
    ),
    "review": Step(
        ReviewInSerializer, lambda actor, order, v: svc.order_review(actor=actor, order=order, **v).order
    ),
}
OWNER_ACTION_VIEWS = step_views(OwnerActionView, OWNER_STEPS, "service_orders_{name}")
OwnerApproveView = OWNER_ACTION_VIEWS["approve"]
OwnerCancelView = OWNER_ACTION_VIEWS["cancel"]
OwnerReviewView = OWNER_ACTION_VIEWS["review"]


class OrderShopBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrderOptionsSerializer(serializers.Serializer):
    insurers = OrderInsurerSerializer(many=True)
    services = serializers.ListField(child=serializers.CharField())
    shops = OrderShopBriefSerializer(many=True)


class ServiceOrderOptionsView(ApiView):
    """What an owner can choose in a request: the insurers the tenant works with (for a claim); and
    the shops of the orders this user sees (the staff's list filters by them)."""

    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=OrderOptionsSerializer, operation_id="service_orders_options")
    def get(self, request: Request) -> Response:
        from quotes.models import InsurerTerms

        ids = InsurerTerms.objects.filter(enabled=True).values_list("insurer_id", flat=True)
        insurers = Insurer.objects.filter(pk__in=list(ids), active=True)
        shop_ids = tenant_rows(self.ctx).order_by().values_list("shop_id", flat=True).distinct()
        shops = Shop.objects.filter(pk__in=list(shop_ids)).order_by("name").values("id", "name")
        return Response(
            {
                "insurers": OrderInsurerSerializer(insurers, many=True).data,
                "services": ["保养", "维修", "钣金喷漆", "轮胎", "美容", "事故车维修"],
                "shops": OrderShopBriefSerializer(shops, many=True).data,
            }  # fmt: skip
        )


@extend_schema_view(get=extend_schema(operation_id="customers_service_orders"))
class CustomerServiceOrdersView(ApiListView):
    """客户施工记录: a customer's service orders, for the staff who can see the customer."""

    allowed_roles = TENANT_STAFF
    serializer_class = ServiceOrderSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        from customers.selectors import customers_visible

        customer = (
            customers_visible(user=self.ctx.actor, roles=set(self.ctx.roles))
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if customer is None:
            raise NotFound("客户不存在")
        return with_totals(tenant_rows(self.ctx).filter(customer_id=customer.pk)).select_related("tenant")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": "staff"}
