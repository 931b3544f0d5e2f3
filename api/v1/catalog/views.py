"""Products (商品管理), gift packs (礼包管理), issuing packs to customers and redeeming them (核销),
and the owner's own packs in the H5. Product images are served only on their tenant's host."""

from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import date_param, int_param, request_user
from api.permissions import request_roles
from api.roles import ADMIN_AGENT, OWNER, TENANT_ADMIN, TENANT_STAFF
from api.serializers import RemovedSerializer
from api.views import ApiListView, ApiView
from catalog.models import (
    GiftPack,
    GiftPackRule,
    IssueChannel,
    IssuedPack,
    IssueStatus,
    Product,
    RedeemMode,
)
from catalog.services import (
    own_code,
    pack_contents,
    pack_counts,
    pack_issue,
    pack_issue_campaign,
    pack_rule_add,
    pack_rule_change,
    pack_save,
    pack_values,
    product_image_set,
    product_remove,
    product_save,
    redeem,
)
from core.errors import NotFound, PermissionDenied
from core.uploads import media_response, media_signature_ok, signed_media_url
from customers.models import Customer
from customers.selectors import customers_visible
from customers.services import customer_for_owner


def _media_url(path: str) -> str:
    return signed_media_url(path)


# ---- products ---------------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    image_url = serializers.SerializerMethodField()
    image_h5_url = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "name", "kind", "kind_label", "source", "market_price", "actual_price", "stock", "on_shelf",
            "archived", "image_url", "image_h5_url", "created_at",
        ]  # fmt: skip
        read_only_fields = ["archived", "created_at"]
        extra_kwargs = {"name": {"allow_blank": True}}

    def get_image_url(self, obj: Product) -> str:
        return _media_url(obj.image)

    def get_image_h5_url(self, obj: Product) -> str:
        return _media_url(obj.image_h5)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("name", str),
            OpenApiParameter("source", str),
            OpenApiParameter("kind", str),
        ],
        operation_id="products_list",
    )
)
class ProductListCreateView(ApiListView):
    allowed_roles = TENANT_STAFF
    serializer_class = ProductSerializer

    def get_queryset(self) -> QuerySet[Product]:
        q = self.request.query_params
        rows = Product.objects.filter(archived=False)
        if q.get("name"):
            rows = rows.filter(name__icontains=q["name"].strip())
        if q.get("source"):
            rows = rows.filter(source__icontains=q["source"].strip())
        if q.get("kind"):
            rows = rows.filter(kind=q["kind"])
        return rows

    @extend_schema(
        request=ProductSerializer, responses={201: ProductSerializer}, operation_id="products_create"
    )
    def post(self, request: Request) -> Response:
        if not request_roles(request) & TENANT_ADMIN:
            raise PermissionDenied("只有管理员可以维护商品")
        body = ProductSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = product_save(actor=request_user(request), **body.validated_data)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


def _product(pk: int) -> Product:
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise NotFound("商品不存在")
    return product


class ProductDetailView(ApiView):
    allowed_roles = TENANT_ADMIN

    @extend_schema(request=ProductSerializer, responses=ProductSerializer, operation_id="products_update")
    def patch(self, request: Request, pk: int) -> Response:
        product = _product(pk)
        body = ProductSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        product = product_save(actor=request_user(request), product=product, **body.validated_data)
        return Response(ProductSerializer(product).data)

    @extend_schema(responses={200: RemovedSerializer}, operation_id="products_destroy")
    def delete(self, request: Request, pk: int) -> Response:
        return Response({"outcome": product_remove(actor=request_user(request), product=_product(pk))})


class ImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class ProductImageView(ApiView):
    allowed_roles = TENANT_ADMIN
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer},
        responses=ProductSerializer,
        operation_id="products_image",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ImageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = product_image_set(
            actor=request_user(request), product=_product(pk), content=body.validated_data["image"].read()
        )
        return Response(ProductSerializer(product).data)


# Shown before anyone logs in (the login page's logo, the favicon): the only unsigned folder.
PUBLIC_MEDIA_FOLDERS = ("branding/",)


def tenant_media(request: HttpRequest, schema: str, path: str) -> FileResponse:
    """A tenant's uploaded files, only on that tenant's own host: downloads (images inline only
    when their bytes are an image), never sniffed, sandboxed (core.uploads.media_response). Branding
    images are public; every other file needs the signed URL the API gave to someone who may see it
    (core.uploads.signed_media_url), so a pasted path, an anonymous visitor or another tenant's user
    gets a 404. Customers' document photos (documents/) are never here: only the API serves them."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name != schema or ".." in path or path.startswith("documents/"):
        raise Http404
    name = f"tenants/{schema}/{path}"
    public = path.startswith(PUBLIC_MEDIA_FOLDERS)
    if not public and not media_signature_ok(name, request.GET.get("exp"), request.GET.get("sig")):
        raise Http404
    if not default_storage.exists(name):
        raise Http404
    response = media_response(name)
    if not public:  # a signed URL is a credential: no shared cache keeps the file
        response["Cache-Control"] = "private, max-age=3600"
        response["Referrer-Policy"] = "no-referrer"
    return response


# ---- gift packs -------------------------------------------------------------------------------


class PackItemSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    product_name = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField()


class PackSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=60, allow_blank=True)
    market_value = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    actual_value = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    market_value_override = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    actual_value_override = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    contents = serializers.CharField(read_only=True, help_text="壳牌蓝喜力机油*1, 奶茶*1")
    items = PackItemSerializer(many=True)
    expires_on = serializers.DateField(allow_null=True)
    redeem_mode = serializers.ChoiceField(choices=RedeemMode.choices, default=RedeemMode.WHOLE)
    active = serializers.BooleanField(default=True)
    status = serializers.CharField(read_only=True, help_text="active / expired / inactive")
    issued_count = serializers.IntegerField(read_only=True)
    redeemed_count = serializers.IntegerField(read_only=True)


def _pack_row(pack: GiftPack, counts: dict[int, tuple[int, int]]) -> dict[str, Any]:
    market, actual = pack_values(pack)
    issued, redeemed = counts.get(pack.pk, (0, 0))
    today = timezone.localdate()
    return {
        "id": pack.pk,
        "name": pack.name,
        "market_value": market,
        "actual_value": actual,
        "market_value_override": pack.market_value_override,
        "actual_value_override": pack.actual_value_override,
        "contents": pack_contents(pack),
        "items": [
            {"product": i.product_id, "product_name": i.product.name, "quantity": i.quantity}
            for i in pack.items.select_related("product")
        ],  # fmt: skip
        "expires_on": pack.expires_on,
        "redeem_mode": pack.redeem_mode,
        "active": pack.active,
        "status": "inactive" if not pack.active else ("expired" if pack.expires_on < today else "active"),
        "issued_count": issued,
        "redeemed_count": redeemed,
    }


def _pack(pk: int) -> GiftPack:
    pack = GiftPack.objects.filter(pk=pk).first()
    if pack is None:
        raise NotFound("礼包不存在")
    return pack


class PackListCreateView(ApiView):
    """礼包查询: filter by expiry and status."""

    allowed_roles = TENANT_STAFF

    @extend_schema(
        parameters=[
            OpenApiParameter("expires_from", date),
            OpenApiParameter("expires_to", date),
            OpenApiParameter("status", str, enum=["active", "expired", "inactive"]),
            OpenApiParameter("name", str),
        ],
        responses=PackSerializer(many=True),
        operation_id="gift_packs_list",
    )
    def get(self, request: Request) -> Response:
        rows = GiftPack.objects.all()
        today = timezone.localdate()
        if (start := date_param(request, "expires_from")) is not None:
            rows = rows.filter(expires_on__gte=start)
        if (end := date_param(request, "expires_to")) is not None:
            rows = rows.filter(expires_on__lte=end)
        state = request.query_params.get("status", "")
        if state == "active":
            rows = rows.filter(active=True, expires_on__gte=today)
        elif state == "expired":
            rows = rows.filter(expires_on__lt=today)
        elif state == "inactive":
            rows = rows.filter(active=False)
        elif state:
            raise serializers.ValidationError({"status": ["应为 active、expired 或 inactive"]})
        if request.query_params.get("name"):
            rows = rows.filter(name__icontains=request.query_params["name"].strip())
        packs = list(rows)
        counts = pack_counts([p.pk for p in packs])
        return Response(PackSerializer([_pack_row(p, counts) for p in packs], many=True).data)

    @extend_schema(request=PackSerializer, responses={201: PackSerializer}, operation_id="gift_packs_create")
    def post(self, request: Request) -> Response:
        if not request_roles(request) & TENANT_ADMIN:
            raise PermissionDenied("只有管理员可以维护礼包")
        body = PackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack = pack_save(actor=request_user(request), **_pack_args(body.validated_data))
        return Response(PackSerializer(_pack_row(pack, {})).data, status=status.HTTP_201_CREATED)


def _pack_args(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "items": [dict(i) for i in data["items"]]}


class PackDetailView(ApiView):
    allowed_roles = TENANT_STAFF

    @extend_schema(responses=PackSerializer, operation_id="gift_packs_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        pack = _pack(pk)
        return Response(PackSerializer(_pack_row(pack, pack_counts([pack.pk]))).data)

    @extend_schema(request=PackSerializer, responses=PackSerializer, operation_id="gift_packs_update")
    def put(self, request: Request, pk: int) -> Response:
        if not request_roles(request) & TENANT_ADMIN:
            raise PermissionDenied("只有管理员可以维护礼包")
        pack = _pack(pk)
        body = PackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack = pack_save(actor=request_user(request), pack=pack, **_pack_args(body.validated_data))
        return Response(PackSerializer(_pack_row(pack, pack_counts([pack.pk]))).data)


class PackRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = GiftPackRule
        fields = ["id", "line", "insurer_code", "min_premium", "active"]


class PackRulesView(ApiView):
    """随保单赠送: give the pack with every matching policy issued."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(responses=PackRuleSerializer(many=True), operation_id="gift_pack_rules_list")
    def get(self, request: Request, pk: int) -> Response:
        return Response(PackRuleSerializer(_pack(pk).rules.all(), many=True).data)

    @extend_schema(
        request=PackRuleSerializer, responses={201: PackRuleSerializer}, operation_id="gift_pack_rules_create"
    )
    def post(self, request: Request, pk: int) -> Response:
        pack = _pack(pk)
        body = PackRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = pack_rule_add(actor=request_user(request), pack=pack, **body.validated_data)
        return Response(PackRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class PackRuleDetailView(ApiView):
    """Change or switch off a 随单赠送 rule (rules that gave packs are kept, not deleted)."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=PackRuleSerializer, responses=PackRuleSerializer, operation_id="gift_pack_rules_update"
    )
    def patch(self, request: Request, pk: int, rule_id: int) -> Response:
        rule = _pack(pk).rules.filter(pk=rule_id).first()
        if rule is None:
            raise NotFound("规则不存在")
        body = PackRuleSerializer(rule, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        rule = pack_rule_change(actor=request_user(request), rule=rule, **body.validated_data)
        return Response(PackRuleSerializer(rule).data)


# ---- issued packs -----------------------------------------------------------------------------


class IssuedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    redeemed = serializers.BooleanField()
    redeemed_at = serializers.DateTimeField(allow_null=True)


class IssuedSerializer(serializers.ModelSerializer):
    pack_name = serializers.CharField(source="pack.name")
    redeem_mode = serializers.CharField(source="pack.redeem_mode")
    customer_name = serializers.CharField(source="customer.name")
    channel_label = serializers.CharField(source="get_channel_display")
    status_label = serializers.SerializerMethodField()
    expired = serializers.SerializerMethodField()
    items = IssuedItemSerializer(many=True)
    policy_number = serializers.CharField(source="policy.number", default="")

    class Meta:
        model = IssuedPack
        fields = [
            "id", "code", "pack", "pack_name", "redeem_mode", "customer", "customer_name", "channel", "channel_label",
            "policy_number", "status", "status_label", "expired", "value", "market_value", "expires_on", "issued_at",
            "redeemed_at", "items",
        ]  # fmt: skip

    def get_expired(self, obj: IssuedPack) -> bool:
        return obj.expires_on < timezone.localdate() and obj.status != IssueStatus.REDEEMED

    def get_status_label(self, obj: IssuedPack) -> str:
        return "已过期" if self.get_expired(obj) else obj.get_status_display()


def issued_rows(rows: QuerySet[IssuedPack]) -> QuerySet[IssuedPack]:
    return rows.select_related("pack", "customer", "policy").prefetch_related("items")


class IssueSerializer(serializers.Serializer):
    customer = serializers.IntegerField()


class PackIssueView(ApiView):
    """Give a pack to a customer by hand (an agent: to their own customers)."""

    allowed_roles = ADMIN_AGENT

    @extend_schema(
        request=IssueSerializer, responses={201: IssuedSerializer}, operation_id="gift_packs_issue"
    )
    def post(self, request: Request, pk: int) -> Response:
        pack = _pack(pk)
        body = IssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = (
            customers_visible(user=request_user(request), roles=request_roles(request))
            .filter(pk=body.validated_data["customer"])
            .first()
        )
        if customer is None:
            raise serializers.ValidationError({"customer": ["客户不存在或不在您的名下"]})
        issued = pack_issue(
            actor=request_user(request), pack=pack, customer=customer, channel=IssueChannel.MANUAL
        )
        return Response(
            IssuedSerializer(issued_rows(IssuedPack.objects.filter(pk=issued.pk)).get()).data, status=201
        )


class CampaignIssueSerializer(serializers.Serializer):
    customers = serializers.ListField(child=serializers.IntegerField(), max_length=2000)


class CampaignIssueResultSerializer(serializers.Serializer):
    issued = serializers.IntegerField()
    codes = serializers.ListField(child=serializers.CharField())


class PackCampaignView(ApiView):
    """活动发放: the pack to many customers at once (all or none)."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(
        request=CampaignIssueSerializer,
        responses={201: CampaignIssueResultSerializer},
        operation_id="gift_packs_campaign",
    )
    def post(self, request: Request, pk: int) -> Response:
        pack = _pack(pk)
        body = CampaignIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(body.validated_data["customers"]))
        found = {c.pk: c for c in Customer.objects.filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise serializers.ValidationError(
                {"customers": [f"客户不存在：{', '.join(map(str, missing[:10]))}"]}
            )
        issued = pack_issue_campaign(
            actor=request_user(request), pack=pack, customers=[found[pk] for pk in wanted]
        )
        return Response(
            {"issued": len(issued), "codes": [i.code for i in issued]}, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("customer", int),
            OpenApiParameter("code", str),
            OpenApiParameter("pack", int),
        ],
        operation_id="gift_packs_issued_list",
    )
)
class IssuedListView(ApiListView):
    allowed_roles = TENANT_STAFF
    serializer_class = IssuedSerializer

    def get_queryset(self) -> QuerySet[IssuedPack]:
        q = self.request.query_params
        visible = customers_visible(user=request_user(self.request), roles=request_roles(self.request))
        rows = IssuedPack.objects.filter(customer__in=visible)
        for name, field in (("customer", "customer_id"), ("pack", "pack_id")):
            if (value := int_param(self.request, name)) is not None:
                rows = rows.filter(**{field: value})
        if q.get("code"):
            rows = rows.filter(code__icontains=q["code"].strip())
        return issued_rows(rows)


class RedeemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    item = serializers.IntegerField(required=False, allow_null=True)
    place = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class RedeemView(ApiView):
    """核销: exactly once, even with many concurrent attempts."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(request=RedeemSerializer, responses=IssuedSerializer, operation_id="gift_packs_redeem")
    def post(self, request: Request) -> Response:
        body = RedeemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        issued = redeem(actor=request_user(request), code=v["code"], item_id=v.get("item"), place=v["place"])
        # pack, customer and policy came with the redemption's read; the items as redeemed, read
        # after its commit (not while the code's row was locked)
        prefetch_related_objects([issued], "items")
        return Response(IssuedSerializer(issued).data)


class CodeLookupView(ApiView):
    """What a code holds, before redeeming it."""

    allowed_roles = TENANT_ADMIN

    @extend_schema(parameters=[OpenApiParameter("code", str, required=True)], responses=IssuedSerializer,
                   operation_id="gift_packs_lookup")  # fmt: skip
    def get(self, request: Request) -> Response:
        issued = issued_rows(
            IssuedPack.objects.filter(code=own_code(request.query_params.get("code", "")))
        ).first()
        if issued is None:
            raise NotFound("券码不存在")
        return Response(IssuedSerializer(issued).data)


class OwnerPacksView(ApiView):
    """The owner's packs in the H5: code (shown as a QR), contents, state."""

    allowed_roles = OWNER

    @extend_schema(responses=IssuedSerializer(many=True), operation_id="my_gift_packs_list")
    def get(self, request: Request) -> Response:
        customer = customer_for_owner(user=request_user(request))
        rows = (
            issued_rows(IssuedPack.objects.filter(customer=customer))
            if customer
            else IssuedPack.objects.none()
        )
        return Response(IssuedSerializer(rows, many=True).data)
