"""门店质量考核 (platform host, platform admin): every shop with its quality score, and the
technical inspections behind it."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import request_user
from api.roles import PLATFORM_ADMIN
from api.views import ApiView
from core.errors import NotFound
from directory.models import Shop, ShopInspection
from directory.quality import shop_inspection_record, shop_scores


def score_field() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class ShopQualitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    active = serializers.BooleanField()
    score = score_field()
    technical_score = score_field()
    service_score = score_field()
    review_count = serializers.IntegerField()
    inspection_count = serializers.IntegerField()


class ShopInspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShopInspection
        fields = ["id", "shop", "inspected_on", "inspector", "technical_score", "notes", "created_at"]
        read_only_fields = ["id", "shop", "created_at"]
        extra_kwargs = {
            "inspector": {"allow_blank": True},
            "technical_score": {"min_value": 0, "max_value": 100},
        }


class ShopQualityListView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    @extend_schema(responses=ShopQualitySerializer(many=True), operation_id="platform_shop_quality_list")
    def get(self, request: Request) -> Response:
        shops = list(Shop.objects.all())
        scores = shop_scores(shop.pk for shop in shops)
        rows = [
            {"id": shop.pk, "name": shop.name, "address": shop.address, "active": shop.active,
             **{k: getattr(scores[shop.pk], k) for k in ("score", "technical_score", "service_score",
                                                          "review_count", "inspection_count")}}
            for shop in shops
        ]  # fmt: skip
        return Response(ShopQualitySerializer(rows, many=True).data)


class ShopInspectionListCreateView(ApiView):
    allowed_roles = PLATFORM_ADMIN

    def shop_at(self, pk: int) -> Shop:
        shop = Shop.objects.filter(pk=pk).first()
        if shop is None:
            raise NotFound("门店不存在")
        return shop

    @extend_schema(
        responses=ShopInspectionSerializer(many=True), operation_id="platform_shop_inspections_list"
    )
    def get(self, request: Request, pk: int) -> Response:
        rows = ShopInspection.objects.filter(shop=self.shop_at(pk))
        return Response(ShopInspectionSerializer(rows, many=True).data)

    @extend_schema(
        request=ShopInspectionSerializer,
        responses={201: ShopInspectionSerializer},
        operation_id="platform_shop_inspections_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        shop = self.shop_at(pk)
        body = ShopInspectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inspection = shop_inspection_record(actor=request_user(request), shop=shop, **body.validated_data)
        return Response(ShopInspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)
