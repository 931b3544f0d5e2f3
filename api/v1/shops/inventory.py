"""A shop's inventory (库存管理), on the platform host for the shop's staff: parts, purchases,
adjustments, the movements ledger, low-stock parts, the service→parts mapping and the demand
expected from the coming days' bookings."""

from decimal import Decimal
from typing import Any

from django.db.models import F
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import int_param
from api.roles import SHOP_STAFF
from api.views import ApiView
from bookings.selectors import demand_forecast
from core.errors import NotFound
from inventory.models import Part, ServicePart, StockMove
from inventory.services import part_save, service_parts_set, stock_adjust, stock_purchase


def qty(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class InventoryPartSerializer(serializers.ModelSerializer):
    low_stock = serializers.BooleanField(read_only=True)

    class Meta:
        model = Part
        fields = ["id", "code", "name", "unit", "unit_cost", "sale_price", "stock", "reorder_level", "active",
                  "low_stock"]  # fmt: skip
        read_only_fields = ["stock"]
        extra_kwargs = {
            "code": {"allow_blank": True, "validators": []},
            "name": {"allow_blank": True},
            "unit": {"allow_blank": True, "required": False},
        }


class InventoryMoveSerializer(serializers.ModelSerializer):
    part_code = serializers.CharField(source="part.code", read_only=True)
    part_name = serializers.CharField(source="part.name", read_only=True)
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = StockMove
        fields = ["id", "part", "part_code", "part_name", "kind", "quantity", "unit_cost", "stock_after",
                  "reference", "note", "reason", "override_reason", "created_by_name", "created_at"]  # fmt: skip

    def get_created_by_name(self, move: StockMove) -> str:
        user = move.created_by
        return (user.name or user.mobile) if user else ""


class InventoryPurchaseSerializer(serializers.Serializer):
    quantity = qty(min_value=Decimal("0.01"))
    unit_cost = qty(min_value=Decimal(0))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InventoryAdjustSerializer(serializers.Serializer):
    quantity = qty()
    reason = serializers.CharField(max_length=200, allow_blank=True)
    override_reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InventoryServicePartLineSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    quantity = qty()


class InventoryServicePartsSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=30, allow_blank=True)
    parts = InventoryServicePartLineSerializer(many=True)


class InventoryServicePartRowSerializer(serializers.Serializer):
    service = serializers.CharField()
    part = serializers.IntegerField(source="part_id")
    part_code = serializers.CharField(source="part.code")
    part_name = serializers.CharField(source="part.name")
    unit = serializers.CharField(source="part.unit")
    quantity = qty()


class InventoryDemandSerializer(serializers.Serializer):
    part = serializers.IntegerField(source="part.pk")
    code = serializers.CharField(source="part.code")
    name = serializers.CharField(source="part.name")
    unit = serializers.CharField(source="part.unit")
    stock = qty(source="part.stock")
    reorder_level = qty(source="part.reorder_level")
    demand = qty()
    shortfall = qty()
    services = serializers.DictField(child=serializers.IntegerField())


class ShopStaffView(ApiView):
    allowed_roles = SHOP_STAFF

    def part(self, request: Request, pk: int) -> Part:
        part = Part.objects.filter(pk=pk, shop=self.shop()).first()
        if part is None:
            raise NotFound("配件不存在")
        return part


class PartListCreateView(ShopStaffView):
    @extend_schema(
        parameters=[OpenApiParameter("low", bool, description="only parts at or under their reorder level")],
        responses=InventoryPartSerializer(many=True),
        operation_id="shop_parts_list",
    )
    def get(self, request: Request) -> Response:
        parts = Part.objects.filter(shop=self.shop())
        if request.query_params.get("low") in ("1", "true"):
            parts = parts.filter(active=True, stock__lte=F("reorder_level"))
        return Response(InventoryPartSerializer(parts, many=True).data)

    @extend_schema(
        request=InventoryPartSerializer,
        responses={201: InventoryPartSerializer},
        operation_id="shop_parts_create",
    )
    def post(self, request: Request) -> Response:
        body = InventoryPartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        part = part_save(actor=self.ctx.actor, shop=self.shop(), **body.validated_data)
        return Response(InventoryPartSerializer(part).data, status=status.HTTP_201_CREATED)


class PartDetailView(ShopStaffView):
    @extend_schema(
        request=InventoryPartSerializer, responses=InventoryPartSerializer, operation_id="shop_parts_update"
    )
    def put(self, request: Request, pk: int) -> Response:
        part = self.part(request, pk)
        body = InventoryPartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = part_save(actor=self.ctx.actor, shop=part.shop, part=part, **body.validated_data)
        return Response(InventoryPartSerializer(saved).data)


class PartPurchaseView(ShopStaffView):
    @extend_schema(
        request=InventoryPurchaseSerializer,
        responses={201: InventoryMoveSerializer},
        operation_id="shop_parts_purchase",
    )
    def post(self, request: Request, pk: int) -> Response:
        part = self.part(request, pk)
        body = InventoryPurchaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        move = stock_purchase(actor=self.ctx.actor, part=part, **body.validated_data)
        return Response(InventoryMoveSerializer(move).data, status=status.HTTP_201_CREATED)


class PartAdjustView(ShopStaffView):
    @extend_schema(
        request=InventoryAdjustSerializer,
        responses={201: InventoryMoveSerializer},
        operation_id="shop_parts_adjust",
    )
    def post(self, request: Request, pk: int) -> Response:
        part = self.part(request, pk)
        body = InventoryAdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        move = stock_adjust(actor=self.ctx.actor, part=part, **body.validated_data)
        return Response(InventoryMoveSerializer(move).data, status=status.HTTP_201_CREATED)


class StockMoveListView(ShopStaffView):
    @extend_schema(
        parameters=[OpenApiParameter("part", int), OpenApiParameter("reference", str)],
        responses=InventoryMoveSerializer(many=True),
        operation_id="shop_stock_moves_list",
    )
    def get(self, request: Request) -> Response:
        moves = StockMove.objects.filter(shop=self.shop()).select_related("part", "created_by")
        part_id = int_param(request, "part")
        if part_id is not None:
            moves = moves.filter(part_id=part_id)
        reference = request.query_params.get("reference", "").strip()
        if reference:
            moves = moves.filter(reference=reference)
        return Response(InventoryMoveSerializer(moves[:500], many=True).data)


class ServicePartsView(ShopStaffView):
    @extend_schema(
        responses=InventoryServicePartRowSerializer(many=True), operation_id="shop_service_parts_list"
    )
    def get(self, request: Request) -> Response:
        rows = ServicePart.objects.filter(shop=self.shop()).select_related("part")
        return Response(InventoryServicePartRowSerializer(rows, many=True).data)

    @extend_schema(
        request=InventoryServicePartsSerializer,
        responses=InventoryServicePartRowSerializer(many=True),
        operation_id="shop_service_parts_set",
    )
    def put(self, request: Request) -> Response:
        body = InventoryServicePartsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shop = self.shop()
        v = body.validated_data
        service_parts_set(actor=self.ctx.actor, shop=shop, service=v["service"],
                          parts=[(line["part"], line["quantity"]) for line in v["parts"]])  # fmt: skip
        rows = ServicePart.objects.filter(shop=shop).select_related("part")
        return Response(InventoryServicePartRowSerializer(rows, many=True).data)


class DemandView(ShopStaffView):
    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="1–30, default 7")],
        responses=InventoryDemandSerializer(many=True),
        operation_id="shop_demand_forecast",
    )
    def get(self, request: Request) -> Response:
        days = int_param(request, "days") or 7
        if not 1 <= days <= 30:
            raise serializers.ValidationError({"days": ["应在 1 到 30 之间"]})
        rows = demand_forecast(shop=self.shop(), days=days)
        return Response(InventoryDemandSerializer(rows, many=True).data)
