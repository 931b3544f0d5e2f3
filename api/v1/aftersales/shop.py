"""The shop's service orders (platform host): the list, one order, and the steps the shop takes
(accept or reject, estimate, start, complete, settle, cancel)."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales import services as svc
from aftersales.models import ItemKind, ServiceOrder
from aftersales.selectors import orders_for_shop, with_totals
from api.roles import SHOP_STAFF
from api.v1.aftersales.common import LIST_PARAMS, OrderStepView, Step, detail_answer, filtered, step_views
from api.v1.aftersales.serializers import ServiceOrderDetailSerializer, ServiceOrderSerializer
from api.views import ApiListView, ApiView, ContextMixin
from core.prepared import Prepared


class ShopActorMixin(ContextMixin):
    allowed_roles = SHOP_STAFF

    def shop_actor(self) -> svc.Actor:
        self.acting_shop = self.shop()  # kept: a step's locked read needs not read it again
        return svc.Actor(self.ctx.actor, "shop", shop_id=self.acting_shop.pk)


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="shop_service_orders_list"))
class ShopOrderListView(ShopActorMixin, ApiListView):
    serializer_class = ServiceOrderSerializer

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        actor = self.shop_actor()
        assert actor.shop_id is not None
        return with_totals(filtered(self.request, orders_for_shop(shop_id=actor.shop_id))).select_related(
            "tenant"
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": "shop"}


class ShopOrderDetailView(ShopActorMixin, ApiView):
    @extend_schema(responses=ServiceOrderDetailSerializer, operation_id="shop_service_orders_detail")
    def get(self, request: Request, pk: int) -> Response:
        return detail_answer(orders_for_shop(shop_id=self.shop_actor().shop_id or 0), pk, "shop")


class ItemInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    part = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EstimateSerializer(serializers.Serializer):
    items = ItemInSerializer(many=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StepSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # 结算 of an owner's order: how the owner paid (the service checks it)
    payment_method = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class ShopActionView(ShopActorMixin, OrderStepView):
    viewer = "shop"

    def step_actor(self) -> svc.Actor:
        return self.shop_actor()

    def step_rows(self, actor: svc.Actor) -> QuerySet[ServiceOrder]:
        return orders_for_shop(shop_id=actor.shop_id or 0)

    def step_locked(self, actor: svc.Actor, pk: int) -> Callable[[], ServiceOrder | None]:
        shop = self.acting_shop

        def read() -> ServiceOrder | None:
            order = LOCKED_FOR_SHOP.first(pk=pk, shop_id=shop.pk)
            if order is not None:  # found among the shop's orders: the shop is the staff's own
                ServiceOrder.shop.field.set_cached_value(order, shop)
            return order

        return read


# the order among the shop's, without the shop's row (the staff's, read by ``shop_of`` already)
LOCKED_FOR_SHOP = Prepared(
    lambda pk, shop_id: svc.locked_read(orders_for_shop(shop_id=shop_id), pk, shop=False)
)


def _estimate(actor: svc.Actor, order: ServiceOrder, v: dict[str, Any]) -> ServiceOrder:
    items = [{k: value for k, value in dict(i).items() if value is not None} for i in v["items"]]
    return svc.order_estimate(actor=actor, order=order, items=items, note=v["note"])


SHOP_STEPS = {
    "accept": Step(
        StepSerializer, lambda actor, order, v: svc.order_accept(actor=actor, order=order, note=v["note"])
    ),
    "reject": Step(
        StepSerializer, lambda actor, order, v: svc.order_reject(actor=actor, order=order, reason=v["reason"])
    ),
    "estimate": Step(EstimateSerializer, _estimate),
    "start": Step(
        StepSerializer,
        lambda actor, order, v: svc.order_start(
            actor=actor, order=order, override_reason=v["override_reason"]
        ),
    ),
    "complete": Step(
        StepSerializer, lambda actor, order, v: svc.order_complete(actor=actor, order=order, note=v["note"])
    ),
    "settle": Step(
        StepSerializer,
        lambda actor, order, v: svc.order_settle(
            actor=actor, order=order, payment_method=v["payment_method"]
        ),
    ),
    "cancel": Step(
        StepSerializer, lambda actor, order, v: svc.order_cancel(actor=actor, order=order, reason=v["reason"])
    ),
}
SHOP_ACTION_VIEWS = step_views(ShopActionView, SHOP_STEPS, "shop_service_orders_{name}")
