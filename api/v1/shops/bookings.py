"""Service shops and bookings (保养预约).

Tenant host: ``service-shops/`` (the tenant's partner shops and own stores with distance and
quality score; the owner's booking page and the service-request page both use it), a shop's slots
of a day, and bookings — owners book and cancel their own, agents see their customers', the
tenant's admin all of the tenant's. Platform host (shop staff): the shop's bookings per day,
arrivals, and its weekly slot template."""

from datetime import time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import choice_param, date_param, int_param, request_user
from api.permissions import request_roles
from api.roles import ADMIN_AGENT_OWNER, OWNER, SHOP_STAFF
from api.views import ApiView
from bookings.models import Booking, BookingState, SlotTemplate
from bookings.selectors import (
    bookings_visible,
    service_shops,
    shop_bookings,
    slot_start_at,
    slots_of_day,
    tenant_shop_ids,
)
from bookings.services import booking_cancel, booking_create, booking_mark, slot_templates_set
from core.errors import NotFound, PermissionDenied
from directory.quality import shop_scores


class ServiceShopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    hours = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    photos = serializers.ListField(child=serializers.CharField())
    distance_km = serializers.FloatField(allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    technical_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    service_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    review_count = serializers.IntegerField()


def _coordinate(request: Request, name: str, limit: int) -> float | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise serializers.ValidationError({name: ["应为数字"]}) from None
    if not -limit <= value <= limit:
        raise serializers.ValidationError({name: [f"应在 -{limit} 到 {limit} 之间"]})
    return value


class ServiceShopListView(ApiView):
    """The tenant's shops an owner can book or send a car to, nearest first when a position is
    given, each with its quality score (``directory.quality``). Three queries whatever the count."""

    allowed_roles = ADMIN_AGENT_OWNER

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, description="the owner's latitude (WGS-84)"),
            OpenApiParameter("lng", float, description="the owner's longitude"),
            OpenApiParameter("service", str, description="only shops offering this service (保养 …)"),
        ],
        responses=ServiceShopSerializer(many=True),
        operation_id="service_shops_list",
    )
    def get(self, request: Request) -> Response:
        lat, lng = _coordinate(request, "lat", 90), _coordinate(request, "lng", 180)
        if (lat is None) != (lng is None):
            missing = "lng" if lng is None else "lat"
            raise serializers.ValidationError({missing: ["经纬度需同时提供"]})
        shops = list(
            service_shops(
                latitude=lat, longitude=lng, service=request.query_params.get("service", "").strip()
            )
        )
        scores = shop_scores(shop.pk for shop in shops)
        rows: list[dict[str, Any]] = []
        for shop in shops:
            score = scores[shop.pk]
            distance = getattr(shop, "distance_km", None)
            rows.append({
                "id": shop.pk, "name": shop.name, "address": shop.address, "phone": shop.phone, "hours": shop.hours,
                "services": shop.services or [], "latitude": shop.latitude, "longitude": shop.longitude,
                "photos": shop.photos or [],
                "distance_km": None if distance is None else float(Decimal(distance).quantize(Decimal("0.01"), ROUND_HALF_UP)),
                "score": score.score, "technical_score": score.technical_score, "service_score": score.service_score,
                "review_count": score.review_count,
            })  # fmt: skip
        return Response(ServiceShopSerializer(rows, many=True).data)


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()
    remaining = serializers.IntegerField()


class ServiceShopSlotsView(ApiView):
    allowed_roles = ADMIN_AGENT_OWNER

    @extend_schema(
        parameters=[OpenApiParameter("date", str, required=True, description="2026-12-01")],
        responses=SlotSerializer(many=True),
        operation_id="service_shop_slots",
    )
    def get(self, request: Request, pk: int) -> Response:
        shop = tenant_shop_ids().filter(pk=pk).first()
        if shop is None:
            raise NotFound("门店不存在")
        day = date_param(request, "date")
        if day is None:
            raise serializers.ValidationError({"date": ["请选择日期"]})
        return Response(SlotSerializer(slots_of_day(shop=shop, day=day), many=True).data)


class BookingSerializer(serializers.ModelSerializer):
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    shop_address = serializers.CharField(source="shop.address", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "shop", "shop_name", "shop_address", "service", "slot_start", "state", "state_label",
                  "customer_id", "vehicle_id", "customer_name", "mobile", "plate", "note", "created_at"]  # fmt: skip
        read_only_fields = fields


class BookingInputSerializer(serializers.Serializer):
    shop = serializers.IntegerField()
    service = serializers.CharField(max_length=30, allow_blank=True)
    slot_start = serializers.DateTimeField()
    vehicle = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BookingListCreateView(ApiView):
    allowed_roles = ADMIN_AGENT_OWNER

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=BookingState.values),
            OpenApiParameter("shop", int),
            OpenApiParameter("date_from", str, description="slots on or after this day (YYYY-MM-DD)"),
            OpenApiParameter("date_to", str, description="slots on or before this day"),
        ],
        responses=BookingSerializer(many=True),
        operation_id="bookings_list",
    )
    def get(self, request: Request) -> Response:
        """The newest 200 bookings the user sees (their own, their customers', or all the tenant's for
        its admins), by state, shop and slot day."""
        rows = bookings_visible(user=request_user(request), roles=request_roles(request))
        if state := choice_param(request, "state", BookingState.values):
            rows = rows.filter(state=state)
        if (shop := int_param(request, "shop", message="门店编号应为整数")) is not None:
            rows = rows.filter(shop_id=shop)
        since, until = date_param(request, "date_from"), date_param(request, "date_to")
        if since:
            rows = rows.filter(slot_start__gte=slot_start_at(since, time.min))
        if until:
            rows = rows.filter(slot_start__lt=slot_start_at(until, time.min) + timedelta(days=1))
        return Response(BookingSerializer(rows.order_by("-slot_start", "-id")[:200], many=True).data)

    @extend_schema(
        request=BookingInputSerializer, responses={201: BookingSerializer}, operation_id="bookings_create"
    )
    def post(self, request: Request) -> Response:
        if "owner" not in request_roles(request):
            raise PermissionDenied("只有车主可以预约")
        body = BookingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        booking = booking_create(actor=request_user(request), shop_id=v["shop"], service=v["service"],
                                 slot_start=v["slot_start"], vehicle_id=v.get("vehicle"), note=v["note"])  # fmt: skip
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingCancelView(ApiView):
    allowed_roles = OWNER

    @extend_schema(request=None, responses=BookingSerializer, operation_id="bookings_cancel")
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        booking = bookings_visible(user=user, roles={"owner"}).filter(pk=pk).first()
        if booking is None:
            raise NotFound("预约不存在")
        return Response(BookingSerializer(booking_cancel(actor=user, booking=booking)).data)


# ---- the shop's side (platform host) ------------------------------------------------------------


class ShopBookingSerializer(BookingSerializer):
    tenant_name = serializers.CharField(source="tenant.name", read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "tenant_name"]
        read_only_fields = fields


class ShopBookingListView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(
        parameters=[OpenApiParameter("date", str, required=True, description="2026-12-01")],
        responses=ShopBookingSerializer(many=True),
        operation_id="shop_bookings_list",
    )
    def get(self, request: Request) -> Response:
        day = date_param(request, "date")
        if day is None:
            raise serializers.ValidationError({"date": ["请选择日期"]})
        rows = shop_bookings(shop=self.shop(), day=day).select_related("shop")
        return Response(ShopBookingSerializer(rows, many=True).data)


class ShopBookingMarkSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["arrived", "no_show"])


class ShopBookingMarkView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(
        request=ShopBookingMarkSerializer, responses=ShopBookingSerializer, operation_id="shop_bookings_mark"
    )
    def post(self, request: Request, pk: int) -> Response:
        user, shop = self.ctx.actor, self.shop()
        booking = Booking.objects.filter(pk=pk, shop=shop).first()
        if booking is None:
            raise NotFound("预约不存在")
        body = ShopBookingMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = booking_mark(actor=user, shop=shop, booking=booking, state=body.validated_data["state"])
        return Response(ShopBookingSerializer(marked).data)


class SlotTemplateSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = serializers.TimeField(format="%H:%M")
    capacity = serializers.IntegerField(min_value=1, max_value=50)


class SlotTemplatesInputSerializer(serializers.Serializer):
    slots = SlotTemplateSerializer(many=True)


class ShopSlotTemplatesView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(responses=SlotTemplateSerializer(many=True), operation_id="shop_slot_templates_list")
    def get(self, request: Request) -> Response:
        rows = SlotTemplate.objects.filter(shop=self.shop())
        return Response(SlotTemplateSerializer(rows, many=True).data)

    @extend_schema(
        request=SlotTemplatesInputSerializer,
        responses=SlotTemplateSerializer(many=True),
        operation_id="shop_slot_templates_set",
    )
    def put(self, request: Request) -> Response:
        body = SlotTemplatesInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        made = slot_templates_set(actor=self.ctx.actor, shop=self.shop(), slots=body.validated_data["slots"])
        return Response(SlotTemplateSerializer(made, many=True).data)
