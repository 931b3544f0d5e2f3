"""The shop's own products: kept by the shop's staff (platform host), shown to the owners of the
tenants the shop works with (the shop page on the tenant's host)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales import services as svc
from aftersales.models import ShopProduct, ShopProductKind
from api.roles import SHOP_STAFF, TENANT_PEOPLE
from api.views import ApiView
from core.errors import NotFound
from directory.models import Shop


class ShopProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShopProduct
        fields = ["id", "kind", "name", "description", "market_price", "price", "image_url", "active"]
        extra_kwargs = {
            "name": {"allow_blank": True, "validators": []},
            "image_url": {"validators": []},
            "kind": {"choices": ShopProductKind.choices},
        }


class ShopProductListView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(responses=ShopProductSerializer(many=True), operation_id="shop_products_list")
    def get(self, request: Request) -> Response:
        return Response(ShopProductSerializer(ShopProduct.objects.filter(shop=self.shop()), many=True).data)

    @extend_schema(
        request=ShopProductSerializer,
        responses={201: ShopProductSerializer},
        operation_id="shop_products_create",
    )
    def post(self, request: Request) -> Response:
        shop = self.shop()
        body = ShopProductSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = svc.shop_product_save(actor=self.ctx.actor, shop=shop, **body.validated_data)
        return Response(ShopProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ShopProductDetailView(ApiView):
    allowed_roles = SHOP_STAFF

    @extend_schema(
        request=ShopProductSerializer, responses=ShopProductSerializer, operation_id="shop_products_update"
    )
    def put(self, request: Request, pk: int) -> Response:
        shop = self.shop()
        product = ShopProduct.objects.filter(shop=shop, pk=pk).first()
        if product is None:
            raise NotFound("商品不存在")
        body = ShopProductSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = svc.shop_product_save(actor=self.ctx.actor, shop=shop, product=product, **body.validated_data)
        return Response(ShopProductSerializer(saved).data)


class PartnerShopProductsView(ApiView):
    """A partner shop's own products, on the tenant's host (the owner's shop page)."""

    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=ShopProductSerializer(many=True), operation_id="service_shops_products")
    def get(self, request: Request, pk: int) -> Response:
        from catalog.models import PartnerShop

        shop = Shop.objects.filter(pk=pk, active=True).first()
        if shop is None or not (
            shop.owner_tenant_id == self.ctx.tenant_id or PartnerShop.objects.filter(shop=shop).exists()
        ):
            raise NotFound("门店不存在")
        rows = ShopProduct.objects.filter(shop=shop, active=True)
        return Response(ShopProductSerializer(rows, many=True).data)
