"""The owner H5's home in one call (issue 22): a card per car (plate, days to 交强险/商业险 expiry,
next maintenance and inspection, open reminders), the repair in progress, unused gift packs and the
tenant's featured products. Owner only; everything is the caller's own, in their tenant's schema."""

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.models import OrderState
from aftersales.selectors import orders_for_tenant_user
from api.auth import scope_tenant_id
from api.params import request_user
from api.roles import OWNER
from api.v1.catalog.views import ProductSerializer
from api.views import ApiView
from catalog.models import IssuedPack, IssueStatus, Product
from customers.selectors import reminders_for_owner
from customers.services import customer_for_owner

# A policy this close to its end is offered 续保 (the renewal window: quotes.services allows 90 days ahead).
RENEWAL_DAYS = 90
FEATURED = 4
LIVE_REPAIR = [OrderState.REQUESTED, OrderState.ACCEPTED, OrderState.QUOTED, OrderState.APPROVED,
               OrderState.IN_PROGRESS, OrderState.COMPLETED]  # fmt: skip


class HomeReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    due_on = serializers.DateField()


class HomeCarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plate = serializers.CharField()
    brand_model = serializers.CharField()
    ctpl_expires_on = serializers.DateField(allow_null=True)
    ctpl_days = serializers.IntegerField(allow_null=True, help_text="days from today; negative once expired")
    commercial_expires_on = serializers.DateField(allow_null=True)
    commercial_days = serializers.IntegerField(allow_null=True)
    renewal_due = serializers.BooleanField(
        help_text=f"a policy ends within {RENEWAL_DAYS} days (or has ended)"
    )
    next_maintenance_on = serializers.DateField(allow_null=True)
    next_inspection_on = serializers.DateField(allow_null=True)
    reminders = HomeReminderSerializer(many=True)


class HomeRepairSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    no = serializers.CharField()
    plate = serializers.CharField()
    service = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    shop_name = serializers.CharField()
    updated_at = serializers.DateTimeField()


class HomePackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    expires_on = serializers.DateField()


class OwnerHomeSerializer(serializers.Serializer):
    today = serializers.DateField()
    cars = HomeCarSerializer(many=True)
    repair = HomeRepairSerializer(allow_null=True)
    gift_packs = HomePackSerializer(many=True)
    products = ProductSerializer(many=True)


def _days(day: date | None, today: date) -> int | None:
    return (day - today).days if day else None


class OwnerHomeView(ApiView):
    allowed_roles = OWNER

    @extend_schema(responses=OwnerHomeSerializer, operation_id="my_home")
    def get(self, request: Request) -> Response:
        user = request_user(request)
        today = timezone.localdate()
        customer = customer_for_owner(user=user)
        cars: list[dict[str, Any]] = []
        packs: list[IssuedPack] = []
        if customer is not None:
            reminders: dict[int | None, list[Any]] = {}
            for r in reminders_for_owner(customer=customer, today=today):
                reminders.setdefault(r.vehicle_id, []).append(
                    {"id": r.pk, "kind": r.kind, "kind_label": r.get_kind_display(), "due_on": r.due_on}
                )
            for v in customer.vehicles.order_by("id"):
                ctpl, commercial = _days(v.ctpl_expires_on, today), _days(v.commercial_expires_on, today)
                cars.append(
                    {
                        "id": v.pk, "plate": v.plate, "brand_model": v.brand_model,
                        "ctpl_expires_on": v.ctpl_expires_on, "ctpl_days": ctpl,
                        "commercial_expires_on": v.commercial_expires_on, "commercial_days": commercial,
                        "renewal_due": any(d is not None and d <= RENEWAL_DAYS for d in (ctpl, commercial)),
                        "next_maintenance_on": v.next_maintenance_on, "next_inspection_on": v.next_inspection_on,
                        "reminders": reminders.get(v.pk, []),
                    }
                )  # fmt: skip
            packs = list(
                IssuedPack.objects.filter(
                    customer=customer,
                    status__in=[IssueStatus.ISSUED, IssueStatus.PARTIAL],
                    expires_on__gte=today,
                )
                .select_related("pack")
                .order_by("expires_on", "id")
            )
        tenant_id = scope_tenant_id(request)
        live = (
            orders_for_tenant_user(user=user, roles={"owner"}, tenant_id=tenant_id)
            .filter(state__in=LIVE_REPAIR)
            .select_related("shop")
            .order_by("-updated_at", "-id")
            .first()
            if tenant_id is not None
            else None
        )
        featured = Product.objects.filter(on_shelf=True, archived=False).exclude(kind="goods", stock=0)[
            :FEATURED
        ]
        body = {
            "today": today,
            "cars": cars,
            "repair": {
                "id": live.pk,
                "no": live.no,
                "plate": live.plate,
                "service": live.service,
                "state": live.state,
                "state_label": live.get_state_display(),
                "shop_name": live.shop.name,
                "updated_at": live.updated_at,
            }
            if live
            else None,  # fmt: skip
            "gift_packs": [
                {
                    "id": p.pk,
                    "name": p.pack.name,
                    "status": p.status,
                    "status_label": p.get_status_display(),
                    "value": p.value,
                    "expires_on": p.expires_on,
                }
                for p in packs
            ],  # fmt: skip
            "products": list(featured),
        }
        return Response(OwnerHomeSerializer(body).data)
