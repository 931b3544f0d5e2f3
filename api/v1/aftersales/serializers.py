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


# ---- the detail by hand ------------------------------------------------------------------------
# ``ServiceOrderDetailSerializer`` builds (deep-copies) its fields, and one ``ServiceItemSerializer``
# per item, on every answer: a fifth of a step's CPU (issue 20). ``order_detail`` gives the same
# dict, key for key and in the same order, formatting each value with a DRF field built once here
# (the same ``to_representation``: decimals quantized and as strings, datetimes in the current
# timezone and ``DATETIME_FORMAT``, ``None`` kept as ``None`` as ``Serializer.to_representation``
# does). The serializer stays for the schema; tests/aftersales/test_order_detail.py holds the two
# equal.
_INT = serializers.IntegerField()
_STR = serializers.CharField()
_BOOL = serializers.BooleanField()
_AT = serializers.DateTimeField()
_STATE = serializers.ChoiceField(choices=OrderState.choices)
_KIND = serializers.ChoiceField(choices=ItemKind.choices)
_DECISION = serializers.ChoiceField(choices=Decision.choices)
_QUANTITY = serializers.DecimalField(max_digits=10, decimal_places=2)
_MONEY = serializers.DecimalField(max_digits=12, decimal_places=2)
_TOTAL = serializers.DecimalField(max_digits=14, decimal_places=2)


def _out(field: serializers.Field, value: Any) -> Any:
    return None if value is None else field.to_representation(value)


def _photos(photos: list[Any] | None) -> list[str | None] | None:
    return None if photos is None else [None if p is None else str(p) for p in photos]


def order_detail(order: ServiceOrder, viewer: str) -> dict[str, Any]:
    """``ServiceOrderDetailSerializer(order, context={"viewer": viewer}).data``, without building a
    serializer: the order with its totals (``quoted_total``, ``cost_total``, ``item_count``), tenant,
    shop, insurer and review, its items and progress prefetched."""
    costs = sees_purchase_prices(viewer)
    shop, insurer, items = order.shop, order.insurer, list(order.items.all())
    data: dict[str, Any] = {
        "id": _out(_INT, order.id),
        "no": _out(_STR, order.no),
        "state": _out(_STATE, order.state),
        "state_label": _out(_STR, order.get_state_display()),
        "tenant_name": _out(_STR, order.tenant.name),
        "shop": {
            "id": _out(_INT, shop.id),
            "name": _out(_STR, shop.name),
            "address": _out(_STR, shop.address),
            "phone": _out(_STR, shop.phone),
        },
        "insurer": None
        if insurer is None
        else {
            "id": _out(_INT, insurer.id),
            "code": _out(_STR, insurer.code),
            "short_name": _out(_STR, insurer.short_name),
        },
        "claim_no": _out(_STR, order.claim_no),
        "plate": _out(_STR, order.plate),
        "vehicle_model": _out(_STR, order.vehicle_model),
        "customer_id": _out(_INT, order.customer_id),
        "customer_name": _out(_STR, order.customer_name),
        "customer_mobile": _out(_STR, order.customer_mobile),
        "service": _out(_STR, order.service),
        "description": _out(_STR, order.description),
        "mileage_km": _out(_INT, order.mileage_km),
        "quoted_total": _out(_TOTAL, order.quoted_total),  # type: ignore[attr-defined]
    }
    if costs:
        data["cost_total"] = _out(_TOTAL, order.cost_total)  # type: ignore[attr-defined]
    data["item_count"] = _out(_INT, order.item_count)  # type: ignore[attr-defined]
    data["settled_amount"] = _out(_MONEY, order.settled_amount)
    data["insurer_pays"] = _out(_MONEY, order.insurer_pays)
    data["payment_method"] = _out(_STR, order.payment_method)
    data["created_at"] = _out(_AT, order.created_at)
    data["updated_at"] = _out(_AT, order.updated_at)
    data["items"] = [_item(item, order, costs) for item in items]
    data["progress"] = [
        {
            "state": _out(_STATE, p.state),
            "title": _out(_STR, p.title),
            "note": _out(_STR, p.note),
            "photos": _photos(p.photos),
            "actor_name": _out(_STR, p.actor_name),
            "actor_role": _out(_STR, p.actor_role),
            "at": _out(_AT, p.at),
        }
        for p in order.progress.all()
    ]
    review = getattr(order, "review", None)
    data["review"] = (
        {
            "technical": _out(_INT, review.technical),
            "service": _out(_INT, review.service),
            "comment": _out(_STR, review.comment),
            "created_at": _out(_AT, review.created_at),
        }
        if review
        else None
    )
    data["approved_total"] = f"{svc.approved_total(order, items):.2f}"
    data["owner_approved_at"] = _out(_AT, order.owner_approved_at)
    data["insurer_approved_at"] = _out(_AT, order.insurer_approved_at)
    data["actions"] = actions_for(order, viewer)
    return data


def _item(item: Any, order: ServiceOrder, costs: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": _out(_INT, item.id),
        "kind": _out(_KIND, item.kind),
        "part": _out(_INT, item.part_id),
        "name": _out(_STR, item.name),
        "quantity": _out(_QUANTITY, item.quantity),
        "unit_price": _out(_MONEY, item.unit_price),
        "amount": _out(_MONEY, item.amount),
    }
    if costs:
        row["unit_cost"] = _out(_MONEY, item.unit_cost)
        row["cost_amount"] = _out(_MONEY, item.cost_amount)
    row["note"] = _out(_STR, item.note)
    row["photos"] = _photos(item.photos)
    row["owner_decision"] = _out(_DECISION, item.owner_decision)
    row["insurer_decision"] = _out(_DECISION, item.insurer_decision)
    row["approved"] = _out(_BOOL, svc.approved(item, order))
    return row


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
