"""The order's answer by hand (``order_detail``, issue 20) is the DRF serializer's, byte for byte:
every key in the same order, decimals quantized to their places as strings, datetimes in the
current timezone, nulls as nulls, for every viewer (purchase prices only for the shop and the
insurer), on orders with no items, with a part and labour, a claim with its insurer, and a review."""

import json
from decimal import Decimal

import pytest
from django.db.models import prefetch_related_objects
from django.utils import timezone

from aftersales.models import ServiceOrder
from api.v1.aftersales.common import detail
from api.v1.aftersales.serializers import ServiceOrderDetailSerializer, order_detail
from tests.aftersales.test_flow import decide, estimate, request_service

pytestmark = pytest.mark.django_db

VIEWERS = ("owner", "agent", "staff", "shop", "insurer", "")


def same(order: ServiceOrder) -> None:
    for viewer in VIEWERS:
        drf = ServiceOrderDetailSerializer(order, context={"viewer": viewer}).data
        mine = order_detail(order, viewer)
        assert json.dumps(mine, ensure_ascii=False) == json.dumps(drf, ensure_ascii=False), viewer


def test_the_answer_by_hand_is_the_serializers(api, garage, shop_api, django_capture_on_commit_callbacks):
    owner, shop = api("datang_owner"), shop_api()
    with django_capture_on_commit_callbacks(execute=True):
        bare = api("datang_owner").post(
            "/api/v1/service-orders/",
            {
                "shop": garage.shop.pk,
                "vehicle": garage.vehicle.pk,
                "service": "保养",
                "description": "无里程",
            },
            format="json",
        )
        assert bare.status_code == 201, bare.json()
        claim = request_service(
            api, garage, service="事故车维修", insurer=garage.picc.pk, claim_no="RDAA2026430100009999"
        )
        full = request_service(api, garage)
        for made in (claim, full):
            assert (
                shop.post(f"/api/v1/shop/service-orders/{made['id']}/accept/", {}, format="json").status_code
                == 200
            )
            quoted = estimate(shop, made["id"], garage)
            approved = owner.post(
                f"/api/v1/service-orders/{made['id']}/approve/",
                decide(quoted["items"], declined={"机油滤芯"}),
                format="json",
            )
            assert approved.status_code == 200, approved.json()
        for name in ("start", "complete", "settle"):
            body = {"payment_method": "wechat"} if name == "settle" else {}
            done = shop.post(f"/api/v1/shop/service-orders/{full['id']}/{name}/", body, format="json")
            assert done.status_code == 200, done.json()
        reviewed = owner.post(
            f"/api/v1/service-orders/{full['id']}/review/",
            {"technical": 4, "service": 5, "comment": "好"},
            format="json",
        )
        assert reviewed.status_code == 200, reviewed.json()

    rows = ServiceOrder.objects.all()
    nothing, insured, done = (detail(rows, made["id"]) for made in (bare.json(), claim, full))
    assert nothing.mileage_km is None and nothing.insurer is None and nothing.settled_amount is None
    assert not hasattr(nothing, "review") or nothing.review is None
    assert insured.insurer is not None and insured.insurer_approved_at is None
    assert done.review.technical == 4 and done.settled_amount is not None
    assert {i.kind for i in done.items.all()} == {"part", "labour"}
    for order in (nothing, insured, done):
        same(order)
        with timezone.override("Asia/Shanghai"):
            same(order)
        with timezone.override("UTC"):
            same(order)

    # the step's in-memory values: decimals not yet quantized, photos, notes
    for item in done.items.all():
        item.quantity, item.unit_price, item.note = Decimal("4"), Decimal("80.005"), "换件"
        item.photos = ["https://img.example/1.jpg", "https://img.example/2.jpg"]
    for p in done.progress.all():
        p.photos = ["https://img.example/p.jpg"]
    done.quoted_total, done.cost_total, done.item_count = Decimal("7"), Decimal("12.5"), 3  # type: ignore[attr-defined]
    same(done)


def test_the_step_answer_without_items_is_the_serializers(api, garage):
    made = request_service(api, garage)
    order = ServiceOrder.objects.select_related("tenant", "shop", "insurer").get(pk=made["id"])
    prefetch_related_objects([order], "items", "progress")
    order.quoted_total, order.cost_total, order.item_count = Decimal("0.00"), Decimal("0.00"), 0  # type: ignore[attr-defined]
    same(order)
