"""After-sales service orders over HTTP: the owner and the tenant's staff on the tenant's host,
the shop's staff and the insurer's staff on the platform host. Purchase prices (采购价) are shown to
the shop and, for its claims, the insurer; the owner, the agent and the tenant's staff get no
purchase price keys at all (``aftersales.selectors.sees_purchase_prices`` decides, from the
serializer context's ``viewer``)."""

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import services as svc
from aftersales.models import Decision, ItemKind, OrderState, ServiceOrder, ShopProduct, ShopProductKind
from aftersales.selectors import (
    PURCHASE_PRICE_ITEM_FIELDS,
    PURCHASE_PRICE_ORDER_FIELDS,
    claim_cost_stats,
    claims_for_insurer,
    orders_for_shop,
    orders_for_tenant_user,
    sees_purchase_prices,
    with_totals,
)
from api.auth import scope_tenant_id
from api.context import context_of
from api.params import choice_param, date_param, int_param, request_user
from api.permissions import HasAllowedRole
from api.roles import INSURER_STAFF, OWNER, PLATFORM_ADMIN, SHOP_STAFF, TENANT_PEOPLE, TENANT_STAFF
from core.errors import NotFound, PermissionDenied
from directory.models import Insurer, Shop
from directory.selectors import insurer_of, shop_of
from directory.services import insurer_staff_add


class OrderShopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()


class OrderInsurerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    short_name = serializers.CharField()


class ServiceItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    part = serializers.IntegerField(source="part_id", allow_null=True)
    name = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    # Only for the shop and the insurer (sees_purchase_prices): absent for everyone else.
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    cost_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    note = serializers.CharField()
    photos = serializers.ListField(child=serializers.CharField())
    owner_decision = serializers.ChoiceField(choices=Decision.choices)
    insurer_decision = serializers.ChoiceField(choices=Decision.choices)
    approved = serializers.BooleanField()


class ProgressSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=OrderState.choices)
    title = serializers.CharField()
    note = serializers.CharField()
    photos = serializers.ListField(child=serializers.CharField())
    actor_name = serializers.CharField()
    actor_role = serializers.CharField()
    at = serializers.DateTimeField()


class ReviewOutSerializer(serializers.Serializer):
    technical = serializers.IntegerField()
    service = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ServiceOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    no = serializers.CharField()
    state = serializers.ChoiceField(choices=OrderState.choices)
    state_label = serializers.CharField(source="get_state_display")
    tenant_name = serializers.CharField(source="tenant.name")
    shop = OrderShopSerializer()
    insurer = OrderInsurerSerializer(allow_null=True)
    claim_no = serializers.CharField()
    plate = serializers.CharField()
    vehicle_model = serializers.CharField()
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    customer_mobile = serializers.CharField()
    service = serializers.CharField()
    description = serializers.CharField()
    mileage_km = serializers.IntegerField(allow_null=True)
    quoted_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost_total = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)  # shop, insurer
    item_count = serializers.IntegerField()
    settled_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    insurer_pays = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    payment_method = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: ServiceOrder) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not sees_purchase_prices(self.context.get("viewer", "")):
            for key in PURCHASE_PRICE_ORDER_FIELDS:
                data.pop(key, None)
        return data


class ServiceOrderDetailSerializer(ServiceOrderSerializer):
    items = serializers.SerializerMethodField()
    progress = ProgressSerializer(many=True)
    review = serializers.SerializerMethodField()
    approved_total = serializers.SerializerMethodField()
    owner_approved_at = serializers.DateTimeField(allow_null=True)
    insurer_approved_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.SerializerMethodField()

    @extend_schema_field(ServiceItemSerializer(many=True))
    def get_items(self, order: ServiceOrder) -> list[dict[str, Any]]:
        costs = sees_purchase_prices(self.context.get("viewer", ""))
        rows: list[dict[str, Any]] = []
        for item in order.items.all():
            row = dict(
                ServiceItemSerializer(
                    {**item.__dict__, "part_id": item.part_id, "approved": svc.approved(item, order)}
                ).data
            )
            if not costs:
                for key in PURCHASE_PRICE_ITEM_FIELDS:
                    row.pop(key, None)
            rows.append(row)
        return rows

    @extend_schema_field(ReviewOutSerializer(allow_null=True))
    def get_review(self, order: ServiceOrder) -> dict[str, Any] | None:
        review = getattr(order, "review", None)
        return dict(ReviewOutSerializer(review).data) if review else None

    def get_approved_total(self, order: ServiceOrder) -> str:
        return f"{svc.approved_total(order, list(order.items.all())):.2f}"

    def get_actions(self, order: ServiceOrder) -> list[str]:
        return actions_for(order, self.context.get("viewer", ""))


def actions_for(order: ServiceOrder, viewer: str) -> list[str]:
    """What the viewer may do next (the buttons a page shows)."""
    s = order.state
    acts: list[str] = []
    if viewer == "owner":
        if s == OrderState.QUOTED and not order.owner_approved_at:
            acts.append("approve")
        if s in svc.OPEN_FOR_CANCEL:
            acts.append("cancel")
        if s == OrderState.SETTLED:
            acts.append("review")
    elif viewer == "shop":
        acts += {
            OrderState.REQUESTED: ["accept", "reject"],
            OrderState.ACCEPTED: ["estimate"],
            OrderState.APPROVED: ["start"],
            OrderState.IN_PROGRESS: ["complete"],
            OrderState.COMPLETED: ["settle"],
        }.get(OrderState(s), [])
        if s in svc.OPEN_FOR_CANCEL:
            acts.append("cancel")
    elif viewer == "insurer" and s == OrderState.QUOTED and not order.insurer_approved_at:
        acts.append("approve")
    return acts


def _filtered(request: Request, rows: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    if state := choice_param(request, "state", OrderState.values):
        rows = rows.filter(state=state)
    if (shop := int_param(request, "shop", message="门店编号应为整数")) is not None:
        rows = rows.filter(shop_id=shop)
    search = request.query_params.get("search", "").strip()
    if search:
        rows = rows.filter(
            Q(no__icontains=search) | Q(plate__icontains=search.upper()) | Q(customer_name__icontains=search)
        )
    since, until = date_param(request, "date_from"), date_param(request, "date_to")
    if since:
        rows = rows.filter(created_at__date__gte=since)
    if until:
        rows = rows.filter(created_at__date__lte=until)
    return rows


def _one(rows: QuerySet[ServiceOrder], pk: int) -> ServiceOrder:
    """The order a step acts on, if the viewer may see it: the bare row (the service locks and
    re-reads it; the answer is read afresh with ``_detail`` after the step)."""
    order = rows.filter(pk=pk).first()
    if order is None:
        raise NotFound("工单不存在", code="service_order_not_found")
    return order


def _detail(rows: QuerySet[ServiceOrder], pk: int) -> ServiceOrder:
    order = (
        with_totals(rows)
        .select_related("tenant", "review")
        .prefetch_related("items", "progress")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound("工单不存在", code="service_order_not_found")
    return order


LIST_PARAMS = [
    OpenApiParameter("state", str, enum=OrderState.values),
    OpenApiParameter("shop", int),
    OpenApiParameter("search", str),
    OpenApiParameter("date_from", str),
    OpenApiParameter("date_to", str),
]


# ---- the tenant's host -----------------------------------------------------------------------


def _tenant_rows(request: Request) -> QuerySet[ServiceOrder]:
    tenant_id = scope_tenant_id(request)
    assert tenant_id is not None
    return orders_for_tenant_user(
        user=request_user(request), roles=set(context_of(request).roles), tenant_id=tenant_id
    )


def _tenant_viewer(request: Request) -> str:
    roles = set(context_of(request).roles)
    return "staff" if roles & TENANT_STAFF else "owner"


class RequestSerializer(serializers.Serializer):
    shop = serializers.IntegerField()
    vehicle = serializers.IntegerField()
    service = serializers.CharField(max_length=30, allow_blank=True)
    description = serializers.CharField(max_length=2000, allow_blank=True)
    mileage_km = serializers.IntegerField(required=False, allow_null=True)
    insurer = serializers.IntegerField(required=False, allow_null=True)
    claim_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="service_orders_list"))
class ServiceOrderListView(generics.ListAPIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_PEOPLE
    serializer_class = ServiceOrderSerializer

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        return with_totals(_filtered(self.request, _tenant_rows(self.request))).select_related("tenant")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": _tenant_viewer(self.request)}

    @extend_schema(request=RequestSerializer, responses={201: ServiceOrderDetailSerializer},
                   operation_id="service_orders_request")  # fmt: skip
    def post(self, request: Request) -> Response:
        if "owner" not in context_of(request).roles:
            raise PermissionDenied("施工申请由车主在车主端提交")
        body = RequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        order = svc.order_request(
            actor=request_user(request), tenant=context_of(request).tenant,
            shop_id=v["shop"], vehicle_id=v["vehicle"], service=v["service"], description=v["description"],
            mileage_km=v.get("mileage_km"), insurer_id=v.get("insurer"), claim_no=v.get("claim_no", ""),
        )  # fmt: skip
        data = ServiceOrderDetailSerializer(
            _detail(_tenant_rows(request), order.pk), context={"viewer": "owner"}
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class ServiceOrderDetailView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=ServiceOrderDetailSerializer, operation_id="service_orders_detail")
    def get(self, request: Request, pk: int) -> Response:
        viewer = _tenant_viewer(request)
        order = _detail(_tenant_rows(request), pk)
        if viewer == "staff" or order.owner_id != request.user.pk:
            viewer = "staff"
        else:
            viewer = "owner"
        ctx = {"viewer": viewer}
        return Response(ServiceOrderDetailSerializer(order, context=ctx).data)


class DecisionSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=[Decision.APPROVED, Decision.DECLINED])


class DecisionsSerializer(serializers.Serializer):
    items = DecisionSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReviewInSerializer(serializers.Serializer):
    technical = serializers.IntegerField()
    service = serializers.IntegerField()
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _owner_order(request: Request, pk: int) -> tuple[svc.Actor, ServiceOrder]:
    order = _one(_tenant_rows(request), pk)
    return svc.Actor(request_user(request), "owner"), order


class OwnerActionView(APIView):
    """车主: approve the estimate item by item, cancel, or review."""

    permission_classes = [HasAllowedRole]
    allowed_roles = OWNER
    action = ""

    def post(self, request: Request, pk: int) -> Response:
        actor, order = _owner_order(request, pk)
        if self.action == "approve":
            body: serializers.Serializer = DecisionsSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            svc.order_owner_approve(
                actor=actor, order=order, decisions=[dict(d) for d in body.validated_data["items"]]
            )
        elif self.action == "cancel":
            body = ReasonSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            svc.order_cancel(actor=actor, order=order, reason=body.validated_data["reason"])
        else:
            body = ReviewInSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            svc.order_review(actor=actor, order=order, **body.validated_data)
        fresh = _detail(_tenant_rows(request), pk)
        return Response(ServiceOrderDetailSerializer(fresh, context={"viewer": "owner"}).data)


def _action_view(base: type[APIView], name: str, request_body: Any, operation_id: str) -> type[APIView]:
    """A subclass of ``base`` doing ``name``, documented as its own operation."""

    @extend_schema(request=request_body, responses=ServiceOrderDetailSerializer, operation_id=operation_id)
    def post(self: Any, request: Request, pk: int) -> Response:
        return base.post(self, request, pk)  # type: ignore[attr-defined]

    return type(
        f"{base.__name__.removesuffix('ActionView')}{name.title()}View",
        (base,),
        {"action": name, "post": post},
    )


OwnerApproveView = _action_view(OwnerActionView, "approve", DecisionsSerializer, "service_orders_approve")
OwnerCancelView = _action_view(OwnerActionView, "cancel", ReasonSerializer, "service_orders_cancel")
OwnerReviewView = _action_view(OwnerActionView, "review", ReviewInSerializer, "service_orders_review")


class OrderShopBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrderOptionsSerializer(serializers.Serializer):
    insurers = OrderInsurerSerializer(many=True)
    services = serializers.ListField(child=serializers.CharField())
    shops = OrderShopBriefSerializer(many=True)


class ServiceOrderOptionsView(APIView):
    """What an owner can choose in a request: the insurers the tenant works with (for a claim); and
    the shops of the orders this user sees (the staff's list filters by them)."""

    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=OrderOptionsSerializer, operation_id="service_orders_options")
    def get(self, request: Request) -> Response:
        from quotes.models import InsurerTerms

        ids = InsurerTerms.objects.filter(enabled=True).values_list("insurer_id", flat=True)
        insurers = Insurer.objects.filter(pk__in=list(ids), active=True)
        shop_ids = _tenant_rows(request).order_by().values_list("shop_id", flat=True).distinct()
        shops = Shop.objects.filter(pk__in=list(shop_ids)).order_by("name").values("id", "name")
        return Response(
            {
                "insurers": OrderInsurerSerializer(insurers, many=True).data,
                "services": ["保养", "维修", "钣金喷漆", "轮胎", "美容", "事故车维修"],
                "shops": OrderShopBriefSerializer(shops, many=True).data,
            }  # fmt: skip
        )


@extend_schema_view(get=extend_schema(operation_id="customers_service_orders"))
class CustomerServiceOrdersView(generics.ListAPIView):
    """客户施工记录: a customer's service orders, for the staff who can see the customer."""

    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_STAFF
    serializer_class = ServiceOrderSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        from customers.selectors import customers_visible

        customer = (
            customers_visible(user=request_user(self.request), roles=set(context_of(self.request).roles))
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if customer is None:
            raise NotFound("客户不存在")
        return with_totals(_tenant_rows(self.request).filter(customer_id=customer.pk)).select_related(
            "tenant"
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": "staff"}


# ---- the shop's console (platform host) ------------------------------------------------------


def _shop_actor(request: Request) -> svc.Actor:
    shop = shop_of(request_user(request))
    return svc.Actor(request_user(request), "shop", shop_id=shop.pk)


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="shop_service_orders_list"))
class ShopOrderListView(generics.ListAPIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = SHOP_STAFF
    serializer_class = ServiceOrderSerializer

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        actor = _shop_actor(self.request)
        assert actor.shop_id is not None
        return with_totals(_filtered(self.request, orders_for_shop(shop_id=actor.shop_id))).select_related(
            "tenant"
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": "shop"}


class ShopOrderDetailView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = SHOP_STAFF

    @extend_schema(responses=ServiceOrderDetailSerializer, operation_id="shop_service_orders_detail")
    def get(self, request: Request, pk: int) -> Response:
        actor = _shop_actor(request)
        order = _detail(orders_for_shop(shop_id=actor.shop_id or 0), pk)
        return Response(ServiceOrderDetailSerializer(order, context={"viewer": "shop"}).data)


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


class ShopActionView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = SHOP_STAFF
    action = ""

    def post(self, request: Request, pk: int) -> Response:
        actor = _shop_actor(request)
        rows = orders_for_shop(shop_id=actor.shop_id or 0)
        order = _one(rows, pk)
        if self.action == "estimate":
            body: serializers.Serializer = EstimateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            items = [
                {k: v for k, v in dict(i).items() if v is not None} for i in body.validated_data["items"]
            ]
            svc.order_estimate(actor=actor, order=order, items=items, note=body.validated_data["note"])
        else:
            body = StepSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            v = body.validated_data
            match self.action:
                case "accept":
                    svc.order_accept(actor=actor, order=order, note=v["note"])
                case "reject":
                    svc.order_reject(actor=actor, order=order, reason=v["reason"])
                case "cancel":
                    svc.order_cancel(actor=actor, order=order, reason=v["reason"])
                case "start":
                    svc.order_start(actor=actor, order=order, override_reason=v["override_reason"])
                case "complete":
                    svc.order_complete(actor=actor, order=order, note=v["note"])
                case "settle":
                    svc.order_settle(actor=actor, order=order, payment_method=v["payment_method"])
        fresh = _detail(rows, pk)
        return Response(ServiceOrderDetailSerializer(fresh, context={"viewer": "shop"}).data)


SHOP_ACTIONS = ("accept", "reject", "estimate", "start", "complete", "settle", "cancel")
SHOP_ACTION_VIEWS: dict[str, type[APIView]] = {
    name: _action_view(
        ShopActionView,
        name,
        EstimateSerializer if name == "estimate" else StepSerializer,
        f"shop_service_orders_{name}",
    )
    for name in SHOP_ACTIONS
}


# ---- the insurer's console (platform host) ---------------------------------------------------


def _insurer_actor(request: Request) -> svc.Actor:
    insurer = insurer_of(request_user(request))
    return svc.Actor(request_user(request), "insurer", insurer_id=insurer.pk)


@extend_schema_view(get=extend_schema(parameters=LIST_PARAMS, operation_id="insurer_claims_list"))
class InsurerClaimListView(generics.ListAPIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = INSURER_STAFF
    serializer_class = ServiceOrderSerializer

    def get_queryset(self) -> QuerySet[ServiceOrder]:
        actor = _insurer_actor(self.request)
        rows = claims_for_insurer(insurer_id=actor.insurer_id or 0)
        return with_totals(_filtered(self.request, rows)).select_related("tenant")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": "insurer"}


class InsurerClaimDetailView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = INSURER_STAFF

    @extend_schema(responses=ServiceOrderDetailSerializer, operation_id="insurer_claims_detail")
    def get(self, request: Request, pk: int) -> Response:
        actor = _insurer_actor(request)
        order = _detail(claims_for_insurer(insurer_id=actor.insurer_id or 0), pk)
        return Response(ServiceOrderDetailSerializer(order, context={"viewer": "insurer"}).data)


class InsurerClaimApproveView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = INSURER_STAFF

    @extend_schema(request=DecisionsSerializer, responses=ServiceOrderDetailSerializer,
                   operation_id="insurer_claims_approve")  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        actor = _insurer_actor(request)
        rows = claims_for_insurer(insurer_id=actor.insurer_id or 0)
        body = DecisionsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        svc.order_insurer_approve(actor=actor, order=_detail(rows, pk),
                                  decisions=[dict(d) for d in body.validated_data["items"]])  # fmt: skip
        return Response(ServiceOrderDetailSerializer(_detail(rows, pk), context={"viewer": "insurer"}).data)


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


class InsurerClaimStatsView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = INSURER_STAFF

    @extend_schema(responses=ClaimStatsSerializer, operation_id="insurer_claims_stats")
    def get(self, request: Request) -> Response:
        insurer = insurer_of(request_user(request))
        stats = claim_cost_stats(insurer_id=insurer.pk)
        return Response(ClaimStatsSerializer({"insurer": insurer, **stats}).data)


class InsurerStaffSerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60, allow_blank=True)
    password = serializers.CharField(max_length=128, required=False, allow_blank=True)


class PlatformInsurerStaffView(APIView):
    permission_classes = [HasAllowedRole]
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
        insurer_staff_add(actor=request_user(request), insurer=insurer, mobile=v["mobile"], name=v["name"],
                          password=v.get("password") or None)  # fmt: skip
        return Response(status=status.HTTP_201_CREATED)


# ---- the shop's own products -------------------------------------------------------------------


class ShopProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShopProduct
        fields = ["id", "kind", "name", "description", "market_price", "price", "image_url", "active"]
        extra_kwargs = {
            "name": {"allow_blank": True, "validators": []},
            "image_url": {"validators": []},
            "kind": {"choices": ShopProductKind.choices},
        }


class ShopProductListView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = SHOP_STAFF

    @extend_schema(responses=ShopProductSerializer(many=True), operation_id="shop_products_list")
    def get(self, request: Request) -> Response:
        shop = shop_of(request_user(request))
        return Response(ShopProductSerializer(ShopProduct.objects.filter(shop=shop), many=True).data)

    @extend_schema(
        request=ShopProductSerializer,
        responses={201: ShopProductSerializer},
        operation_id="shop_products_create",
    )
    def post(self, request: Request) -> Response:
        shop = shop_of(request_user(request))
        body = ShopProductSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = svc.shop_product_save(actor=request_user(request), shop=shop, **body.validated_data)
        return Response(ShopProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ShopProductDetailView(APIView):
    permission_classes = [HasAllowedRole]
    allowed_roles = SHOP_STAFF

    @extend_schema(
        request=ShopProductSerializer, responses=ShopProductSerializer, operation_id="shop_products_update"
    )
    def put(self, request: Request, pk: int) -> Response:
        shop = shop_of(request_user(request))
        product = ShopProduct.objects.filter(shop=shop, pk=pk).first()
        if product is None:
            raise NotFound("商品不存在")
        body = ShopProductSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = svc.shop_product_save(
            actor=request_user(request), shop=shop, product=product, **body.validated_data
        )
        return Response(ShopProductSerializer(saved).data)


class PartnerShopProductsView(APIView):
    """A partner shop's own products, on the tenant's host (the owner's shop page)."""

    permission_classes = [HasAllowedRole]
    allowed_roles = TENANT_PEOPLE

    @extend_schema(responses=ShopProductSerializer(many=True), operation_id="service_shops_products")
    def get(self, request: Request, pk: int) -> Response:
        from catalog.models import PartnerShop

        tenant_id = scope_tenant_id(request)
        shop = Shop.objects.filter(pk=pk, active=True).first()
        if shop is None or not (
            shop.owner_tenant_id == tenant_id or PartnerShop.objects.filter(shop=shop).exists()
        ):
            raise NotFound("门店不存在")
        rows = ShopProduct.objects.filter(shop=shop, active=True)
        return Response(ShopProductSerializer(rows, many=True).data)


class PlatformInsurerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    active = serializers.BooleanField()
    staff = serializers.ListField(child=serializers.CharField())


class PlatformInsurerListView(APIView):
    """The insurer directory for the platform admin: each insurer with its staff (to add claim staff)."""

    permission_classes = [HasAllowedRole]
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
