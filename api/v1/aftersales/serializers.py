"""The service order as every viewer reads it, and the item decisions the owner and the insurer
send. Purchase prices (采购价) are shown to the shop and, for its claims, the insurer; the owner,
the agent and the tenant's staff get no purchase price keys at all
(``aftersales.selectors.sees_purchase_prices`` decides, from the serializer context's ``viewer``)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aftersales import services as svc
from aftersales.models import Decision, ItemKind, OrderState, ServiceOrder
from aftersales.selectors import PURCHASE_PRICE_ITEM_FIELDS, PURCHASE_PRICE_ORDER_FIELDS, sees_purchase_prices


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


class DecisionSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=[Decision.APPROVED, Decision.DECLINED])


class DecisionsSerializer(serializers.Serializer):
    items = DecisionSerializer(many=True)


def decisions_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The validated ``DecisionsSerializer`` body as the services take it."""
    return [dict(d) for d in data["items"]]
