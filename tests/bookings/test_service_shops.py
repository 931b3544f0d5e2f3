"""The tenant's service shops (its partner shops and the stores it owns), nearest first with the
great-circle distance, each with its quality score from the platform's inspections and owners'
reviews; the platform's 门店质量考核 endpoints."""

import math
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from customers.services import customer_create, vehicle_add
from directory.quality import combine, shop_inspection_record, shop_scores
from tests.bookings.world import shop_make, staff_client
from tests.conftest import PEOPLE
from tests.insurers import car

pytestmark = pytest.mark.django_db

# The owner stands at 五一广场, 长沙 (28.196, 112.977).
HERE = {"lat": "28.196", "lng": "112.977"}


def km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lng2 - lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


@pytest.fixture
def changsha(api, datang, bowei):
    """Datang partners with 岳麓店 (3.34 km due north of the owner), 芙蓉店 (4.90 km due east) and
    星沙店 (no coordinates); it owns 南湖店 (10.67 km south). 雨花店 is nobody's partner; 河西店
    partners with Bowei only."""
    shops = {
        "岳麓店": shop_make(1, "岳麓店", latitude="28.226", longitude="112.977"),
        "芙蓉店": shop_make(2, "芙蓉店", latitude="28.196", longitude="113.027", services=["保养", "钣喷"]),
        "星沙店": shop_make(3, "星沙店"),
        "南湖店": shop_make(4, "南湖店", latitude="28.100", longitude="112.977", owner_tenant_id=datang.pk),
        "雨花店": shop_make(5, "雨花店", latitude="28.190", longitude="112.980"),
        "河西店": shop_make(6, "河西店", latitude="28.200", longitude="112.970"),
    }
    for name in ("岳麓店", "芙蓉店", "星沙店"):
        assert (
            api("datang_admin")
            .post("/api/v1/partner-shops/", {"shop": shops[name].pk}, format="json")
            .status_code
            == 201
        )
    assert (
        api("bowei_admin")
        .post("/api/v1/partner-shops/", {"shop": shops["河西店"].pk}, format="json")
        .status_code
        == 201
    )
    return shops


def test_the_distances_are_the_great_circle_ones_checked_by_hand():
    # 0.03° of latitude is 0.03 × (2π × 6371 / 360) = 0.03 × 111.195 = 3.336 km.
    assert round(km(28.196, 112.977, 28.226, 112.977), 3) == 3.336
    # 0.05° of longitude at 28.196° N: 0.05 × 111.195 × cos 28.196° = 5.5597 × 0.88136 = 4.900 km.
    assert round(km(28.196, 112.977, 28.196, 113.027), 2) == 4.90


def test_an_owner_sees_the_tenants_shops_nearest_first(api, changsha):
    rows = api("datang_owner").get("/api/v1/service-shops/", HERE).json()
    assert [(r["name"], r["distance_km"]) for r in rows] == [
        ("岳麓店", 3.34), ("芙蓉店", 4.90), ("南湖店", 10.67), ("星沙店", None)]  # fmt: skip
    first = rows[0]
    assert set(first) == {"id", "name", "address", "phone", "hours", "services", "latitude", "longitude", "photos",
                          "distance_km", "score", "technical_score", "service_score", "review_count"}  # fmt: skip
    assert (first["services"], first["hours"], first["score"], first["review_count"]) == (["保养", "洗车"],
                                                                                          "08:30-18:00", None, 0)  # fmt: skip


def test_without_a_position_the_list_is_by_name_and_has_no_distance(api, changsha):
    rows = api("datang_agent").get("/api/v1/service-shops/").json()
    assert sorted(r["name"] for r in rows) == sorted(["岳麓店", "芙蓉店", "南湖店", "星沙店"])
    assert {r["distance_km"] for r in rows} == {None}
    only = api("datang_admin").get("/api/v1/service-shops/", {**HERE, "service": "钣喷"}).json()
    assert [r["name"] for r in only] == ["芙蓉店"]


def test_each_tenant_sees_only_its_own_shops(api, changsha):
    assert [r["name"] for r in api("bowei_admin").get("/api/v1/service-shops/", HERE).json()] == ["河西店"]
    assert api(None, host="datang.localhost").get("/api/v1/service-shops/").status_code == 401
    assert api("platform_admin").get("/api/v1/service-shops/").status_code == 404  # not on the platform host
    assert api("datang_owner", host="bowei.localhost").get("/api/v1/service-shops/").status_code == 401
    yuelu = changsha["岳麓店"].pk
    assert (
        api("bowei_agent").get(f"/api/v1/service-shops/{yuelu}/slots/", {"date": "2026-12-01"}).status_code
        == 404
    )
    day = {"date": "2026-12-01"}
    assert api("datang_agent").get(f"/api/v1/service-shops/{yuelu}/slots/", day).status_code == 200
    assert (
        api(None, host="datang.localhost").get(f"/api/v1/service-shops/{yuelu}/slots/", day).status_code
        == 401
    )
    assert api("platform_admin").get(f"/api/v1/service-shops/{yuelu}/slots/", day).status_code == 404
    assert api("datang_agent").get(f"/api/v1/service-shops/{yuelu}/slots/").status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "north", "lng": "112"}, "lat"),
        ({"lat": "95", "lng": "112"}, "lat"),
        ({"lat": "28.1"}, "lng"),
        ({"lat": "28.1", "lng": "190"}, "lng"),
    ],  # fmt: skip
)
def test_a_bad_position_is_a_400_naming_it(api, changsha, query, field):
    answer = api("datang_owner").get("/api/v1/service-shops/", query)
    assert answer.status_code == 400 and field in answer.json()["fields"]


def test_the_technical_score_is_the_mean_of_the_last_three_inspections(api, changsha):
    shop = changsha["岳麓店"]
    for day, score in (
        (date(2026, 1, 10), 60),
        (date(2026, 3, 1), 80),
        (date(2026, 6, 1), 90),
        (date(2026, 9, 1), 85),
    ):
        shop_inspection_record(
            actor=None, shop=shop, inspected_on=day, inspector="质检员老李", technical_score=score
        )
    # (80 + 90 + 85) / 3 = 85.0: the January 60 is older than the last three.
    scores = shop_scores([shop.pk, changsha["芙蓉店"].pk])
    assert scores[shop.pk].technical_score == Decimal("85.0") and scores[shop.pk].score == Decimal("85.0")
    assert scores[shop.pk].service_score is None and scores[shop.pk].inspection_count == 4
    assert scores[changsha["芙蓉店"].pk].score is None
    row = next(
        r for r in api("datang_owner").get("/api/v1/service-shops/", HERE).json() if r["id"] == shop.pk
    )
    assert (row["score"], row["technical_score"], row["service_score"]) == ("85.0", "85.0", None)


def test_the_score_weighs_technique_sixty_and_service_forty():
    # 0.6 × 85 + 0.4 × 90 = 51 + 36 = 87.0; one part alone is the score; none is None.
    assert combine(Decimal("85.0"), Decimal("90.0")) == Decimal("87.0")
    assert combine(None, Decimal("70.0")) == Decimal("70.0")
    assert combine(None, None) is None


def test_the_platform_admin_records_inspections_and_lists_scores(api, changsha):
    platform = api("platform_admin")
    shop = changsha["芙蓉店"]
    made = platform.post(f"/api/v1/platform/shops/{shop.pk}/inspections/",
                         {"inspected_on": "2026-05-20", "inspector": "质检员老李", "technical_score": 72,
                          "notes": "举升机年检过期"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    platform.post(f"/api/v1/platform/shops/{shop.pk}/inspections/",
                  {"inspected_on": "2026-08-20", "inspector": "质检员老李", "technical_score": 91}, format="json")  # fmt: skip
    listed = platform.get(f"/api/v1/platform/shops/{shop.pk}/inspections/").json()
    assert [i["technical_score"] for i in listed] == [91, 72]
    quality = {r["name"]: r for r in platform.get("/api/v1/platform/shop-quality/").json()}
    assert (quality["芙蓉店"]["technical_score"], quality["芙蓉店"]["inspection_count"]) == ("81.5", 2)
    assert quality["雨花店"]["score"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"inspected_on": "", "inspector": "李", "technical_score": 80}, "inspected_on"),
        ({"inspected_on": "2026-05-20", "inspector": "", "technical_score": 80}, "inspector"),
        ({"inspected_on": "2026-05-20", "inspector": "李", "technical_score": 101}, "technical_score"),
        ({"inspected_on": "2099-05-20", "inspector": "李", "technical_score": 80}, "inspected_on"),
        ({"inspected_on": "2026-05-20", "inspector": "李"}, "technical_score"),
    ],  # fmt: skip
)
def test_a_bad_inspection_is_a_400_naming_the_field(api, changsha, body, field):
    answer = api("platform_admin").post(f"/api/v1/platform/shops/{changsha['芙蓉店'].pk}/inspections/", body,
                                        format="json")  # fmt: skip
    assert answer.status_code == 400 and field in answer.json()["fields"]


def test_only_the_platform_admin_reaches_the_quality_pages(api, changsha):
    shop = changsha["芙蓉店"].pk
    for path in ("/api/v1/platform/shop-quality/", f"/api/v1/platform/shops/{shop}/inspections/"):
        assert api("datang_admin").get(path).status_code == 404
        assert api(None).get(path).status_code == 401
        assert (
            api("datang_admin", host="localhost", token_host="datang.localhost").get(path).status_code == 401
        )
    assert api("platform_admin").get("/api/v1/platform/shops/999999/inspections/").status_code == 404


def reviewed_order(owner, shop_staff, shop, vehicle, technical: int, service: int) -> None:
    """One order through the after-sales flow (labour only), reviewed by the owner with these stars."""
    made = owner.post("/api/v1/service-orders/", {"shop": shop.pk, "vehicle": vehicle.pk, "service": "保养",
                                                  "description": "常规保养"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    order = made.json()["id"]
    shop_staff.post(f"/api/v1/shop/service-orders/{order}/accept/", {}, format="json")
    quoted = shop_staff.post(f"/api/v1/shop/service-orders/{order}/estimate/", {"items": [
        {"kind": "labour", "name": "保养工时", "quantity": "1", "unit_price": "80.00", "unit_cost": "30.00"}]},
        format="json")  # fmt: skip
    assert quoted.status_code == 200, quoted.json()
    items = [{"item": i["id"], "decision": "approved"} for i in quoted.json()["items"]]
    assert (
        owner.post(f"/api/v1/service-orders/{order}/approve/", {"items": items}, format="json").status_code
        == 200
    )
    for step in ("start", "complete", "settle"):
        assert (
            shop_staff.post(
                f"/api/v1/shop/service-orders/{order}/{step}/",
                {"payment_method": "cash"} if step == "settle" else {},
                format="json",
            ).status_code
            == 200
        )
    review = owner.post(f"/api/v1/service-orders/{order}/review/", {"technical": technical, "service": service},
                        format="json")  # fmt: skip
    assert review.status_code == 200, review.json()


def test_owners_reviews_make_the_service_score_and_mix_with_inspections(api, changsha):
    shop = changsha["岳麓店"]
    staff = staff_client(shop, "13655588001")
    # 赵车主 (datang_owner) without an agent: no agent's push channel sees these orders.
    with schema_context("datang"):
        customer = customer_create(actor=None, name="赵车主", mobile=PEOPLE["datang_owner"].mobile)
        vehicle = vehicle_add(actor=None, customer=customer, **car(plate="湘A12345"))
    owner = api("datang_owner")
    reviewed_order(owner, staff, shop, vehicle, technical=5, service=4)
    reviewed_order(owner, staff, shop, vehicle, technical=3, service=4)
    # Stars: (5 + 4) / 2 = 4.5 and (3 + 4) / 2 = 3.5; mean 4.0 × 20 = 80.0.
    only_reviews = shop_scores([shop.pk])[shop.pk]
    assert (only_reviews.service_score, only_reviews.review_count, only_reviews.score) == (Decimal("80.0"), 2,
                                                                                           Decimal("80.0"))  # fmt: skip
    shop_inspection_record(
        actor=None, shop=shop, inspected_on=date(2026, 6, 1), inspector="老李", technical_score=85
    )
    # 0.6 × 85 + 0.4 × 80 = 51 + 32 = 83.0
    row = next(
        r for r in api("datang_owner").get("/api/v1/service-shops/", HERE).json() if r["id"] == shop.pk
    )
    assert (row["score"], row["technical_score"], row["service_score"], row["review_count"]) == ("83.0", "85.0",
                                                                                                 "80.0", 2)  # fmt: skip


def test_the_shop_list_costs_the_same_queries_for_two_shops_or_six(api, changsha, datang, steady_hosts):
    owner = api("datang_owner")
    owner.get("/api/v1/service-shops/", HERE)  # warms the host and token caches
    with CaptureQueriesContext(connection) as four:
        assert len(owner.get("/api/v1/service-shops/", HERE).json()) == 4
    for seq in range(10, 12):
        shop_make(seq, f"新店{seq}", latitude="28.2", longitude="112.9", owner_tenant_id=datang.pk)
    with CaptureQueriesContext(connection) as six:
        assert len(owner.get("/api/v1/service-shops/", HERE).json()) == 6
    assert len(six) == len(four)
