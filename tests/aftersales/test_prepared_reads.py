"""The steps' hot reads compiled once per process (``core.prepared``, issue 20): each gives what the
ORM gives for the same queryset — the same rows, the same values after Django's conversions, the
related rows ``select_related`` brings — in one query, in whichever schema the connection is on."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from aftersales import services as svc
from aftersales.models import ProgressEvent, ServiceItem, ServiceOrder
from aftersales.selectors import orders_for_shop
from api.v1.aftersales.shop import LOCKED_FOR_SHOP
from core.prepared import Prepared
from customers.models import Customer
from customers.services import customer_create
from tests.aftersales.test_flow import decide, estimate, request_service

pytestmark = pytest.mark.django_db

ORDER_RELATED = ("tenant", "insurer")  # the shop: the staff's own (shop_of), set by the view


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _reviewed_claim(api, garage, shop_api) -> int:
    """An order through every step to 已评价, then made a claim of PICC's (the read is what is
    tested: the insurer's row must come along)."""
    owner, shop = api("datang_owner"), shop_api()
    order = request_service(api, garage)
    shop_url, owner_url = (
        f"/api/v1/shop/service-orders/{order['id']}",
        f"/api/v1/service-orders/{order['id']}",
    )
    assert shop.post(f"{shop_url}/accept/", {}, format="json").status_code == 200
    quoted = estimate(shop, order["id"], garage)
    assert owner.post(f"{owner_url}/approve/", decide(quoted["items"]), format="json").status_code == 200
    for name in ("start", "complete", "settle"):
        paid = {"payment_method": "cash"} if name == "settle" else {}
        assert shop.post(f"{shop_url}/{name}/", paid, format="json").status_code == 200
    review = owner.post(
        f"{owner_url}/review/", {"technical": 4, "service": 5, "comment": "快"}, format="json"
    )
    assert review.status_code == 200, review.json()
    ServiceOrder.objects.filter(pk=order["id"]).update(insurer=garage.picc, claim_no="PICC-2026-001")
    return int(order["id"])


def test_the_locked_read_brings_what_the_orm_brings_in_one_query(api, garage, shop_api):
    pk = _reviewed_claim(api, garage, shop_api)
    with transaction.atomic():
        expected = svc.locked_read(orders_for_shop(shop_id=garage.shop.pk), pk, shop=False).first()
        with CaptureQueriesContext(connection) as queries:
            got = LOCKED_FOR_SHOP.first(pk=pk, shop_id=garage.shop.pk)
            # the related rows came with it: reading them costs no query
            assert got is not None
            related = {name: _fields(getattr(got, name)) for name in ORDER_RELATED}
            review = _fields(got.review)
        assert len(queries.captured_queries) == 1
        assert "FOR UPDATE" in queries.captured_queries[0]["sql"]
    assert expected is not None
    assert _fields(got) == _fields(expected)
    assert related == {name: _fields(getattr(expected, name)) for name in ORDER_RELATED}
    assert review == _fields(expected.review)
    assert (got.review.technical, got.review.service, got.review.comment) == (4, 5, "快")
    assert got.insurer is not None and got.insurer.code == "PICC" and got.tenant.schema_name == "datang"
    assert got.settled_amount == Decimal("387.00")  # 4 L × 68 + 35 + 80 labour, all approved


def test_another_shops_order_is_not_found_by_the_locked_read(api, garage, shop_api):
    pk = int(request_service(api, garage)["id"])
    with transaction.atomic():
        assert LOCKED_FOR_SHOP.first(pk=pk, shop_id=garage.other_shop.pk) is None
        found = LOCKED_FOR_SHOP.first(pk=pk, shop_id=garage.shop.pk)
        assert found is not None and found.pk == pk


def test_items_and_progress_are_converted_as_the_orm_converts_them(api, garage, shop_api):
    pk = _reviewed_claim(api, garage, shop_api)
    items, progress = svc.ITEMS.all(order_id=pk), svc.PROGRESS.all(order_id=pk)
    assert [_fields(i) for i in items] == [_fields(i) for i in ServiceItem.objects.filter(order_id=pk)]
    assert [_fields(p) for p in progress] == [_fields(p) for p in ProgressEvent.objects.filter(order_id=pk)]
    assert [(i.name, i.quantity, i.amount) for i in items] == [
        ("机油 5W-30", Decimal("4.00"), Decimal("272.00")),
        ("机油滤芯", Decimal("1.00"), Decimal("35.00")),
        ("更换机油机滤工时", Decimal("1.00"), Decimal("80.00")),
    ]
    assert [p.state for p in progress] == [
        "requested", "accepted", "quoted", "approved", "in_progress", "completed", "settled", "reviewed",
    ]  # fmt: skip
    assert all(p.at.tzinfo is not None and isinstance(p.photos, list) for p in progress)


def test_one_compiled_read_serves_each_tenant_its_own_rows(datang, bowei):
    build_calls = []

    def build(since):
        build_calls.append(since)
        return Customer.objects.filter(pk__gte=since).order_by("pk")

    for schema, name, mobile in (
        ("datang", "大唐的客户", "13655598101"),
        ("bowei", "博维的客户", "13655598102"),
    ):
        with schema_context(schema):
            customer_create(actor=None, name=name, mobile=mobile)
    read = Prepared(build)
    for schema in ("datang", "bowei", "datang"):
        with schema_context(schema):
            expected = list(Customer.objects.filter(pk__gte=1).order_by("pk").values_list("pk", "name"))
            assert expected, schema
            assert [(c.pk, c.name) for c in read.all(since=1)] == expected
    with schema_context("datang"):
        datang_names = {c.name for c in read.all(since=1)}
    with schema_context("bowei"):
        bowei_names = {c.name for c in read.all(since=1)}
    assert "大唐的客户" in datang_names and "大唐的客户" not in bowei_names
    assert "博维的客户" in bowei_names and "博维的客户" not in datang_names
    assert len(build_calls) == 1  # compiled once, with its marker; never built again


def test_a_read_whose_argument_never_reaches_the_sql_is_refused(db):
    read = Prepared(lambda unused: Customer.objects.filter(pk=1))
    with pytest.raises(TypeError, match="never reach the SQL"):
        read.all(unused=5)
    with pytest.raises(TypeError, match="takes"):
        svc.ITEMS.all(order=5)
