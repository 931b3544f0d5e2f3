"""core.bulk.insert writes what bulk_create writes (issue 20: the estimate's items, the stock moves,
a step's progress), and core.bulk.update what save(update_fields=...) writes (a step's order)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError

from aftersales.models import ServiceItem, ServiceOrder
from core.bulk import insert, update
from tests.aftersales.test_flow import request_service

pytestmark = pytest.mark.django_db


def test_insert_writes_the_rows_bulk_create_writes(api, garage):
    order = ServiceOrder.objects.get(pk=request_service(api, garage)["id"])

    def lines() -> list[ServiceItem]:
        return [
            ServiceItem(order=order, kind="part", part=garage.oil, name="机油", quantity=Decimal("4"),
                        unit_price=Decimal("68.5"), unit_cost=Decimal("45"), amount=Decimal("274.00"),
                        cost_amount=Decimal("180"), photos=["a.jpg", {"at": 1}], note="换", sort=0),
            ServiceItem(order=order, kind="labour", name="工时", quantity=Decimal("1.25"), unit_price=Decimal("80"),
                        unit_cost=Decimal("30"), amount=Decimal("100.00"), cost_amount=Decimal("37.50"), sort=1,
                        insurer_decision="approved"),
        ]  # fmt: skip

    ours, django = lines(), lines()
    insert(ours)
    ServiceItem.objects.bulk_create(django)

    def row(item: ServiceItem) -> dict:
        return {k: v for k, v in item.__dict__.items() if k not in ("_state", "id")}

    assert [i.pk for i in ours] == sorted(i.pk for i in ours) and all(i.pk for i in ours)
    for mine, theirs in zip(ours, django, strict=True):
        assert (mine._state.adding, mine._state.db) == (False, "default")
        assert row(mine) == row(theirs)
        assert row(ServiceItem.objects.get(pk=mine.pk)) == row(ServiceItem.objects.get(pk=theirs.pk))
    assert ServiceItem.objects.get(pk=ours[0].pk).photos == ["a.jpg", {"at": 1}]
    insert([])  # nothing to write: no statement


def test_update_writes_what_save_with_update_fields_writes(api, garage):
    """A step's write of its order: the named fields only, updated_at moved on as auto_now moves it."""
    ours = ServiceOrder.objects.get(pk=request_service(api, garage)["id"])
    theirs = ServiceOrder.objects.get(pk=request_service(api, garage)["id"])
    before = ours.updated_at
    for order in (ours, theirs):
        order.state, order.settled_amount, order.payment_method = "settled", Decimal("387.5"), "cash"
        order.plate = "湘Z99999"  # not among the fields written: stays as stored
    update(ours, ["state", "updated_at", "settled_amount", "payment_method"])
    theirs.save(update_fields=["state", "updated_at", "settled_amount", "payment_method"])
    for order in (ours, theirs):
        stored = ServiceOrder.objects.get(pk=order.pk)
        assert (stored.state, stored.settled_amount, stored.payment_method) == (
            "settled",
            Decimal("387.50"),
            "cash",
        )
        assert stored.plate == "湘A12345" and stored.updated_at == order.updated_at
    assert ours.updated_at > before
    gone = ServiceOrder(pk=ours.pk + 10_000, state="settled")
    with pytest.raises(DatabaseError):  # as save(update_fields=...) says of a row that is not there
        update(gone, ["state"])
