"""The mall (网上商城): owners buy goods and services and pay through Stripe; the tenant fulfils
and refunds. The Stripe webhook answers on the platform's host and finds the tenant in the
payment's metadata."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.params import request_user
from api.permissions import request_roles
from api.roles import ADMIN_FINANCE, ADMIN_FINANCE_OWNER, TENANT_ADMIN, TENANT_PEOPLE
from api.v1.catalog.views import ProductSerializer
from api.views import ApiListView, ApiView
from catalog.models import Product
from core.errors import NotFound
from customers.services import customer_for_owner
from mall.models import Order, OrderStatus
from mall.services import order_fulfil, order_place, order_refund, webhook_handle


class OrderItemSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    name = serializers.CharField()
    kind = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    customer_name = serializers.CharField(source="customer.name")
    items = OrderItemSerializer(many=True)
    client_secret = serializers.SerializerMethodField()
    publishable_key = serializers.SerializerMethodField()
    payment_methods = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id", "number", "status", "status_label", "customer", "customer_name", "total", "refunded", "items",
            "client_secret", "publishable_key", "payment_methods", "reserved_until", "paid_at", "cancel_reason",
            "created_at",
        ]  # fmt: skip

    def get_client_secret(self, obj: Order) -> str:
        return obj.client_secret if obj.status == OrderStatus.PENDING_PAYMENT else ""

    def get_publishable_key(self, obj: Order) -> str:
        return str(settings.STRIPE_PUBLISHABLE_KEY)

    def get_payment_methods(self, obj: Order) -> list[str]:
        return list(settings.MALL_PAYMENT_METHODS)


class CartItemSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    quantity = serializers.IntegerField()


class PlaceOrderSerializer(serializers.Serializer):
    items = CartItemSerializer(many=True)
    # The agent's referral code from a 产品推荐 share link (?ref=); counts for a customer without a promoter.
    referral_code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")


def _orders(request: Request) -> QuerySet[Order]:
    rows = Order.objects.select_related("customer").prefetch_related("items")
    if request_roles(request) & ADMIN_FINANCE:
        return rows
    customer = customer_for_owner(user=request_user(request))
    return rows.filter(customer=customer) if customer else rows.none()


def _order(request: Request, pk: int) -> Order:
    order = _orders(request).filter(pk=pk).first()
    if order is None:
        raise NotFound("订单不存在")
    return order


@extend_schema_view(
    get=extend_schema(parameters=[OpenApiParameter("kind", str)], operation_id="mall_products_list")
)
class MallProductListView(ApiListView):
    """What an owner can buy: on-shelf goods in stock and services."""

    allowed_roles = TENANT_PEOPLE
    serializer_class = ProductSerializer

    def get_queryset(self) -> QuerySet[Product]:
        rows = Product.objects.filter(on_shelf=True, archived=False).exclude(kind="goods", stock=0)
        kind = self.request.query_params.get("kind")
        return rows.filter(kind=kind) if kind else rows


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("status", str, enum=OrderStatus.values)], operation_id="mall_orders_list"
    )
)
class OrderListCreateView(ApiListView):
    allowed_roles = ADMIN_FINANCE_OWNER
    serializer_class = OrderSerializer

    def get_queryset(self) -> QuerySet[Order]:
        rows = _orders(self.request)
        wanted = self.request.query_params.get("status", "")
        if wanted:
            if wanted not in OrderStatus.values:
                raise serializers.ValidationError({"status": ["未知的状态"]})
            rows = rows.filter(status=wanted)
        return rows

    @extend_schema(
        request=PlaceOrderSerializer, responses={201: OrderSerializer}, operation_id="mall_orders_create"
    )
    def post(self, request: Request) -> Response:
        body = PlaceOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = customer_for_owner(user=request_user(request), create=True)
        assert customer is not None
        order = order_place(
            actor=request_user(request),
            customer=customer,
            items=[dict(i) for i in body.validated_data["items"]],
            referral_code=body.validated_data["referral_code"],
        )
        return Response(OrderSerializer(_order(request, order.pk)).data, status=status.HTTP_201_CREATED)


class OrderDetailView(ApiView):
    allowed_roles = ADMIN_FINANCE_OWNER

    @extend_schema(responses=OrderSerializer, operation_id="mall_orders_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(OrderSerializer(_order(request, pk)).data)


class OrderFulfilView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(request=None, responses=OrderSerializer, operation_id="mall_orders_fulfil")
    def post(self, request: Request, pk: int) -> Response:
        order_fulfil(actor=request_user(request), order=_order(request, pk))
        return Response(OrderSerializer(_order(request, pk)).data)


class RefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class OrderRefundView(ApiView):
    allowed_roles = ADMIN_FINANCE

    @extend_schema(request=RefundSerializer, responses=OrderSerializer, operation_id="mall_orders_refund")
    def post(self, request: Request, pk: int) -> Response:
        body = RefundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order_refund(actor=request_user(request), order=_order(request, pk), **body.validated_data)
        return Response(OrderSerializer(_order(request, pk)).data)


class WebhookResultSerializer(serializers.Serializer):
    result = serializers.CharField()


class StripeWebhookView(APIView):
    """Stripe's deliveries: signature verified, each event applied once, whatever the order."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(request=None, responses=WebhookResultSerializer, operation_id="stripe_webhook")
    def post(self, request: Request) -> Response:
        result = webhook_handle(payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE"))
        return Response({"result": result})
