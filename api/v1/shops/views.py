"""Service shops: the platform's directory (public host), a tenant's partner shops, and the shop
staff's own counter where partner tenants' gift packs are redeemed."""

from typing import Any

from django.db import transaction
from django_tenants.utils import schema_context
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import request_user
from api.roles import PLATFORM_ADMIN, SHOP_STAFF, TENANT_ADMIN
from api.v1.catalog.views import IssuedSerializer, issued_rows
from api.views import ApiView
from catalog.models import IssuedPack, PartnerShop
from catalog.services import shop_code_tenant, shop_redeem
from core.errors import NotFound
from core.services import audit_event_record
from directory.models import Shop
from directory.services import shop_create, shop_staff_add


class ShopSerializer(serializers.ModelSerializer):
    services = serializers.ListField(child=serializers.CharField(max_length=20), required=False)

    class Meta:
        model = Shop
        fields = [
            "id",
            "name",
            "uscc",
            "address",
            "phone",
            "latitude",
            "longitude",
            "services",
            "hours",
            "active",
        ]
        read_only_fields = ["active"]
        extra_kwargs = {"name": {"allow_blank": True}, "uscc": {"validators": []}}


class PlatformShopListCreateView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(responses=ShopSerializer(many=True), operation_id="platform_shops_list")
    def get(self, request: Request) -> Response:
        return Response(ShopSerializer(Shop.objects.all(), many=True).data)

    @extend_schema(
        request=ShopSerializer, responses={201: ShopSerializer}, operation_id="platform_shops_create"
    )
    def post(self, request: Request) -> Response:
        body = ShopSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shop = shop_create(actor=request_user(request), **body.validated_data)
        return Response(ShopSerializer(shop).data, status=status.HTTP_201_CREATED)


class StaffSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60, allow_blank=True)
    password = serializers.CharField(max_length=128, required=False, allow_blank=True)


class PlatformShopStaffView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(request=StaffSerializer, responses={201: None}, operation_id="platform_shops_staff_add")
    def post(self, request: Request, pk: int) -> Response:
        shop = Shop.objects.filter(pk=pk).first()
        if shop is None:
            raise NotFound("门店不存在")
        body = StaffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        shop_staff_add(
            actor=request_user(request),
            shop=shop,
            mobile=v["mobile"],
            name=v["name"],
            password=v.get("password") or None,
        )
        return Response(status=status.HTTP_201_CREATED)


class TenantShopSerializer(ShopSerializer):
    partner = serializers.BooleanField(read_only=True)

    class Meta(ShopSerializer.Meta):
        fields = [*ShopSerializer.Meta.fields, "partner"]


class TenantShopListView(ApiView):
    """The platform's shops, marked with whether this tenant partners with each."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=TenantShopSerializer(many=True), operation_id="shops_list")
    def get(self, request: Request) -> Response:
        partners = set(PartnerShop.objects.values_list("shop_id", flat=True))
        shops = list(Shop.objects.filter(active=True))
        for shop in shops:
            shop.partner = shop.pk in partners
        return Response(TenantShopSerializer(shops, many=True).data)


class PartnerSerializer(serializers.Serializer):
    shop = serializers.IntegerField()


class PartnerShopView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=PartnerSerializer, responses={201: TenantShopSerializer}, operation_id="partner_shops_add"
    )
    def post(self, request: Request) -> Response:
        body = PartnerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shop = Shop.objects.filter(pk=body.validated_data["shop"], active=True).first()
        if shop is None:
            raise serializers.ValidationError({"shop": ["门店不存在"]})
        with transaction.atomic():
            PartnerShop.objects.get_or_create(shop=shop)
            audit_event_record(actor=request_user(request), action="shop.partner", summary=f"与门店 {shop.name} 合作",
                               object_type="shop", object_id=shop.pk)  # fmt: skip
        shop.partner = True
        return Response(TenantShopSerializer(shop).data, status=status.HTTP_201_CREATED)


# ---- the shop's own counter (platform host) ---------------------------------------------------


class ShopCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    item = serializers.IntegerField(required=False, allow_null=True)


def _issued_in(schema: str, pk: int) -> dict[str, Any]:
    with schema_context(schema):
        return dict(IssuedSerializer(issued_rows(IssuedPack.objects.filter(pk=pk)).get()).data)


class ShopMeView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(responses=ShopSerializer, operation_id="shop_me")
    def get(self, request: Request) -> Response:
        return Response(ShopSerializer(self.shop()).data)


class ShopLookupView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(parameters=[OpenApiParameter("code", str, required=True)], responses=IssuedSerializer,
                   operation_id="shop_gift_packs_lookup")  # fmt: skip
    def get(self, request: Request) -> Response:
        code = request.query_params.get("code", "")
        _, schema = shop_code_tenant(user=request_user(request), code=code)
        with schema_context(schema):
            issued = IssuedPack.objects.filter(code="".join(code.split()).upper()).first()
            if issued is None:
                raise NotFound("券码不存在", code="code_not_found")
            return Response(_issued_in(schema, issued.pk))


class ShopRedeemView(ApiView):
    """核销 at the shop: a partner tenant's pack, exactly once."""

    allowed_roles = SHOP_STAFF

    @extend_schema(
        request=ShopCodeSerializer, responses=IssuedSerializer, operation_id="shop_gift_packs_redeem"
    )
    def post(self, request: Request) -> Response:
        body = ShopCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        schema, issued = shop_redeem(user=request_user(request), code=body.validated_data["code"],
                                     item_id=body.validated_data.get("item"))  # fmt: skip
        return Response(_issued_in(schema, issued.pk))
