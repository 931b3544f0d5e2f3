"""A shop's inventory: purchases at a unit cost, consumptions by service orders (all lines or none,
never below zero without a recorded override), returns by reference exactly once, adjustments
with a reason, low-stock alerts, the demand forecast, and the shop's endpoints with their walls."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import StateConflict
from core.events import DomainEvent
from core.realtime import recent, shop_channel
from inventory.models import MoveKind, Part, StockMove
from inventory.services import part_save, stock_consume, stock_purchase, stock_return
from tests.bookings.world import shop_make, staff_client
from tests.conftest import committed_db

pytestmark = pytest.mark.django_db


def oil_and_filter(shop, *, oil_stock: str = "10", filter_stock: str = "3"):
    oil = part_save(actor=None, shop=shop, code="OIL-5W30", name="机油 5W-30", unit="L", unit_cost=Decimal("38"),
                    sale_price=Decimal("68"), reorder_level=Decimal("4"))  # fmt: skip
    oil_filter = part_save(actor=None, shop=shop, code="FLT-01", name="机滤", unit="个", unit_cost=Decimal("25"),
                           sale_price=Decimal("45"), reorder_level=Decimal("2"))  # fmt: skip
    stock_purchase(actor=None, part=oil, quantity=Decimal(oil_stock), unit_cost=Decimal("38"))
    stock_purchase(actor=None, part=oil_filter, quantity=Decimal(filter_stock), unit_cost=Decimal("25"))
    oil.refresh_from_db()
    oil_filter.refresh_from_db()
    return oil, oil_filter


def test_a_purchase_raises_the_stock_and_sets_the_purchase_price():
    shop = shop_make(1, "芙蓉店")
    oil, _ = oil_and_filter(shop)
    move = stock_purchase(actor=None, part=oil, quantity=Decimal("12"), unit_cost=Decimal("36.50"))
    oil.refresh_from_db()
    assert oil.stock == Decimal("22") and oil.unit_cost == Decimal("36.50")
    assert (move.kind, move.quantity, move.unit_cost, move.stock_after) == ("purchase", Decimal("12"),
                                                                             Decimal("36.50"), Decimal("22"))  # fmt: skip
    # The stock is always the sum of its ledger.
    assert sum(m.quantity for m in oil.moves.all()) == oil.stock


def test_a_consumption_is_all_or_nothing_and_names_the_short_part():
    shop = shop_make(1, "芙蓉店")
    oil, oil_filter = oil_and_filter(shop, oil_stock="2", filter_stock="3")
    with pytest.raises(StateConflict) as refused:
        stock_consume(actor=None, shop=shop, reference="WO-1001",
                      lines=[(oil_filter.pk, Decimal("1"), "机滤"), (oil.pk, Decimal("4"), "机油")])  # fmt: skip
    assert refused.value.status_code == 409
    assert refused.value.fields == {"items": ["机油 5W-30 库存不足：需要 4，现有 2"]}
    oil.refresh_from_db()
    oil_filter.refresh_from_db()
    assert (oil.stock, oil_filter.stock) == (Decimal("2"), Decimal("3"))
    assert not StockMove.objects.filter(reference="WO-1001").exists()


def test_two_lines_of_one_part_are_checked_together():
    shop = shop_make(1, "芙蓉店")
    oil, _ = oil_and_filter(shop, oil_stock="5")
    with pytest.raises(StateConflict) as refused:
        stock_consume(actor=None, shop=shop, reference="WO-1002",
                      lines=[(oil.pk, Decimal("3"), "首次"), (oil.pk, Decimal("3"), "补加")])  # fmt: skip
    assert refused.value.fields["items"] == ["机油 5W-30 库存不足：需要 6，现有 5"]


def test_an_override_takes_stock_below_zero_and_records_why():
    shop = shop_make(1, "芙蓉店")
    oil, oil_filter = oil_and_filter(shop, oil_stock="2")
    moves = stock_consume(actor=None, shop=shop, reference="WO-1003", override_reason="急修，货在路上",
                          lines=[(oil.pk, Decimal("4.5"), "机油"), (oil_filter.pk, Decimal("1"), "机滤")])  # fmt: skip
    oil.refresh_from_db()
    assert oil.stock == Decimal("-2.5")
    by_part = {m.part_id: m for m in moves}
    assert by_part[oil.pk].override_reason == "急修，货在路上"
    assert by_part[oil.pk].unit_cost == Decimal("38") and by_part[oil.pk].stock_after == Decimal("-2.5")
    # The filter did not go below zero: nothing was overridden on it.
    assert by_part[oil_filter.pk].override_reason == "" and by_part[oil_filter.pk].stock_after == Decimal("2")


def test_a_return_reverses_a_consumption_once():
    shop = shop_make(1, "芙蓉店")
    oil, oil_filter = oil_and_filter(shop)
    stock_consume(actor=None, shop=shop, reference="WO-1004",
                  lines=[(oil.pk, Decimal("4"), ""), (oil_filter.pk, Decimal("1"), "")])  # fmt: skip
    first = stock_return(actor=None, shop=shop, reference="WO-1004")
    again = stock_return(actor=None, shop=shop, reference="WO-1004")
    oil.refresh_from_db()
    oil_filter.refresh_from_db()
    assert sorted(m.quantity for m in first) == [Decimal("1"), Decimal("4")] and again == []
    assert (oil.stock, oil_filter.stock) == (Decimal("10"), Decimal("3"))
    assert StockMove.objects.filter(reference="WO-1004", kind=MoveKind.RETURN).count() == 2


def test_the_ledger_is_append_only():
    shop = shop_make(1, "芙蓉店")
    oil, _ = oil_and_filter(shop)
    move = oil.moves.first()
    assert move is not None
    move.note = "改写"
    with pytest.raises(RuntimeError):
        move.save()
    with pytest.raises(RuntimeError):
        move.delete()


def test_crossing_the_reorder_level_alerts_the_shop_once(django_capture_on_commit_callbacks):
    shop = shop_make(1, "芙蓉店")
    oil, _ = oil_and_filter(shop)  # stock 10, reorder level 4
    with django_capture_on_commit_callbacks(execute=True):
        stock_consume(actor=None, shop=shop, reference="WO-1", lines=[(oil.pk, Decimal("5"), "")])  # 5: above
        stock_consume(
            actor=None, shop=shop, reference="WO-2", lines=[(oil.pk, Decimal("1"), "")]
        )  # 4: crosses
        stock_consume(
            actor=None, shop=shop, reference="WO-3", lines=[(oil.pk, Decimal("1"), "")]
        )  # 3: already under
    alerts = DomainEvent.objects.filter(kind="part.low_stock", object_id=str(oil.pk))
    assert [e.payload["stock"] for e in alerts] == ["4.00"]
    pushed = [m for m in recent(shop_channel(shop.pk)) if m["event"] == "part.low_stock"]
    assert pushed[-1]["data"]["code"] == "OIL-5W30" and pushed[-1]["data"]["stock"] == "4.00"


def test_lines_of_one_part_move_it_one_after_the_other_and_alert_at_the_crossing(
    django_capture_on_commit_callbacks,
):
    shop = shop_make(1, "芙蓉店")
    oil, oil_filter = oil_and_filter(shop)  # oil 10 (reorder level 4), filter 3 (level 2)
    with django_capture_on_commit_callbacks(execute=True):
        moves = stock_consume(actor=None, shop=shop, reference="WO-7",
                              lines=[(oil.pk, Decimal("6"), "首次"), (oil_filter.pk, Decimal("1"), "机滤"),
                                     (oil.pk, Decimal("1.5"), "补加")])  # fmt: skip
    # 10 − 6 = 4 crosses the level (4), 4 − 1.5 = 2.5 is under it already; the filter 3 − 1 = 2 crosses
    assert [(m.part_id, m.quantity, m.stock_after, m.note) for m in moves] == [
        (oil.pk, Decimal("-6"), Decimal("4"), "首次"),
        (oil_filter.pk, Decimal("-1"), Decimal("2"), "机滤"),
        (oil.pk, Decimal("-1.5"), Decimal("2.5"), "补加"),
    ]
    stored = StockMove.objects.filter(reference="WO-7").order_by("pk")
    assert [(m.part_id, m.quantity, m.stock_after, m.unit_cost) for m in stored] == [
        (oil.pk, Decimal("-6.00"), Decimal("4.00"), Decimal("38.00")),
        (oil_filter.pk, Decimal("-1.00"), Decimal("2.00"), Decimal("25.00")),
        (oil.pk, Decimal("-1.50"), Decimal("2.50"), Decimal("38.00")),
    ]
    oil.refresh_from_db()
    oil_filter.refresh_from_db()
    assert (oil.stock, oil_filter.stock) == (Decimal("2.50"), Decimal("2.00"))
    from core.models import AuditEvent

    audit = AuditEvent.objects.get(action="stock.consume")
    assert (audit.summary, audit.object_type, audit.object_id, audit.actor_id, audit.actor_name, audit.data) == (
        "WO-7 领用 3 项", "shop", str(shop.pk), None, "system", {},
    )  # fmt: skip
    alerts = DomainEvent.objects.filter(kind="part.low_stock").order_by("pk")
    assert [(e.payload["code"], e.payload["stock"]) for e in alerts] == [
        ("OIL-5W30", "4.00"),
        ("FLT-01", "2.00"),
    ]


def test_the_parts_a_consumption_locks_and_an_estimate_reads_are_read_as_the_orm_reads_them():
    from django.db import transaction

    from inventory.services import parts_of

    shop, other = shop_make(1, "芙蓉店"), shop_make(2, "岳麓店")
    oil, oil_filter = oil_and_filter(shop)
    elsewhere, _ = oil_and_filter(other)
    with transaction.atomic():
        locked = parts_of(shop.pk, [oil_filter.pk, oil.pk, oil.pk, elsewhere.pk], lock=True)
    assert list(locked) == sorted([oil.pk, oil_filter.pk])  # in id order; another shop's part is not there
    read = parts_of(shop.pk, [elsewhere.pk, oil.pk, oil_filter.pk])  # the estimate's read, unlocked
    assert {pk: p.__dict__.keys() for pk, p in read.items()} == {
        pk: p.__dict__.keys() for pk, p in locked.items()
    }
    assert [(p.pk, p.stock, p.sale_price) for p in read.values()] == [
        (p.pk, p.stock, p.sale_price) for p in locked.values()
    ]
    for pk, part in locked.items():
        fresh = Part.objects.get(pk=pk)
        assert part.__dict__.keys() == fresh.__dict__.keys()
        assert {k: v for k, v in part.__dict__.items() if k != "_state"} == {
            k: v for k, v in fresh.__dict__.items() if k != "_state"
        }
        assert (part._state.adding, part._state.db) == (False, "default")


# ---- the shop's endpoints --------------------------------------------------------------------


def test_the_shop_keeps_parts_purchases_and_adjustments_over_http(api):
    shop = shop_make(1, "芙蓉店")
    client = staff_client(shop, "13655588001")
    made = client.post("/api/v1/shop/parts/", {"code": "brk-02", "name": "刹车片", "unit": "套", "unit_cost": "120",
                                               "sale_price": "260", "reorder_level": "2"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    part = made.json()
    assert (part["code"], part["stock"], part["low_stock"]) == ("BRK-02", "0.00", True)
    bought = client.post(f"/api/v1/shop/parts/{part['id']}/purchase/", {"quantity": "6", "unit_cost": "115"},
                         format="json")  # fmt: skip
    assert bought.status_code == 201 and bought.json()["stock_after"] == "6.00"
    adjusted = client.post(f"/api/v1/shop/parts/{part['id']}/adjust/", {"quantity": "-1", "reason": "盘点少一套"},
                           format="json")  # fmt: skip
    assert adjusted.status_code == 201 and adjusted.json()["stock_after"] == "5.00"
    too_much = client.post(f"/api/v1/shop/parts/{part['id']}/adjust/", {"quantity": "-9", "reason": "报损"},
                           format="json")  # fmt: skip
    assert too_much.status_code == 409 and too_much.json()["code"] == "stock_insufficient"
    forced = client.post(f"/api/v1/shop/parts/{part['id']}/adjust/",
                         {"quantity": "-9", "reason": "报损", "override_reason": "账实不符待查"}, format="json")  # fmt: skip
    assert forced.status_code == 201 and forced.json()["override_reason"] == "账实不符待查"
    moves = client.get("/api/v1/shop/stock-moves/", {"part": part["id"]}).json()
    assert [(m["kind"], m["quantity"], m["stock_after"]) for m in moves] == [
        ("adjustment", "-9.00", "-4.00"), ("adjustment", "-1.00", "5.00"), ("purchase", "6.00", "6.00")]  # fmt: skip
    assert Part.objects.get(pk=part["id"]).unit_cost == Decimal("115")
    low = client.get("/api/v1/shop/parts/", {"low": "1"}).json()
    assert [p["code"] for p in low] == ["BRK-02"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/shop/parts/", {"code": "", "name": "x"}, "code"),
        ("/api/v1/shop/parts/", {"code": "X1", "name": ""}, "name"),
        ("/api/v1/shop/parts/", {"code": "X1", "name": "x", "unit_cost": "-1"}, "unit_cost"),
        ("/api/v1/shop/parts/", {"code": "X1", "name": "x", "sale_price": "abc"}, "sale_price"),
        ("/api/v1/shop/parts/", {"code": "OIL-5W30", "name": "重复"}, "code"),
        ("purchase", {"quantity": "0", "unit_cost": "1"}, "quantity"),
        ("purchase", {"quantity": "2"}, "unit_cost"),
        ("adjust", {"quantity": "-1", "reason": ""}, "reason"),
        ("adjust", {"quantity": "0", "reason": "盘点"}, "quantity"),
        ("edit", {"code": "", "name": "机油"}, "code"),
        ("edit", {"code": "FLT-01", "name": "机油"}, "code"),
        ("/api/v1/shop/service-parts/", {"service": "", "parts": []}, "service"),
        (
            "/api/v1/shop/service-parts/",
            {"service": "保养", "parts": [{"part": 999999, "quantity": "1"}]},
            "parts.0.part",
        ),  # fmt: skip
        (
            "/api/v1/shop/service-parts/",
            {"service": "保养", "parts": [{"part": "oil", "quantity": "1"}]},
            "parts.0.part",
        ),  # fmt: skip
    ],
)
def test_bad_input_is_a_400_naming_the_field(path, body, field):
    shop = shop_make(1, "芙蓉店")
    oil, _ = oil_and_filter(shop)
    client = staff_client(shop, "13655588001")
    if path == "edit":
        path = f"/api/v1/shop/parts/{oil.pk}/"
    elif not path.startswith("/"):
        path = f"/api/v1/shop/parts/{oil.pk}/{path}/"
    send = client.put if "service-parts" in path or path.endswith(f"/{oil.pk}/") else client.post
    answer = send(path, body, format="json")
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["fields"]


def test_a_shop_sees_only_its_own_inventory(api):
    furong = shop_make(1, "芙蓉店", services=["保养"])
    yuelu = shop_make(2, "岳麓店", services=["保养"])
    oil, _ = oil_and_filter(furong)
    mine, theirs = staff_client(furong, "13655588001"), staff_client(yuelu, "13655588002")
    assert [p["code"] for p in mine.get("/api/v1/shop/parts/").json()] == ["FLT-01", "OIL-5W30"]
    assert theirs.get("/api/v1/shop/parts/").json() == []
    assert theirs.get("/api/v1/shop/stock-moves/").json() == []
    for path in (f"/api/v1/shop/parts/{oil.pk}/purchase/", f"/api/v1/shop/parts/{oil.pk}/adjust/"):
        refused = theirs.post(path, {"quantity": "1", "unit_cost": "1", "reason": "x"}, format="json")
        assert refused.status_code == 404
    assert (
        theirs.put(f"/api/v1/shop/parts/{oil.pk}/", {"code": "X", "name": "x"}, format="json").status_code
        == 404
    )
    linked = theirs.put("/api/v1/shop/service-parts/", {"service": "保养", "parts": [{"part": oil.pk, "quantity": "4"}]},
                        format="json")  # fmt: skip
    assert linked.status_code == 400 and "parts.0.part" in linked.json()["fields"]
    oil.refresh_from_db()
    assert oil.stock == Decimal("10") and oil.name == "机油 5W-30"
    # Other hosts and people: a tenant host has no shop counter, the platform admin and anonymous none.
    for path in ("/api/v1/shop/parts/", "/api/v1/shop/stock-moves/", "/api/v1/shop/service-parts/",
                 "/api/v1/shop/demand/", "/api/v1/shop/slot-templates/", "/api/v1/shop/bookings/?date=2026-12-01"):  # fmt: skip
        assert api("datang_admin").get(path).status_code == 404
        assert api("platform_admin").get(path).status_code == 403
        assert api(None).get(path).status_code == 401


def test_the_parts_list_costs_a_fixed_number_of_queries(steady_hosts):
    shop = shop_make(1, "芙蓉店")
    client = staff_client(shop, "13655588001")
    oil_and_filter(shop)
    client.get("/api/v1/shop/parts/")  # warms the host and token caches
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/shop/parts/")
    for n in range(5):
        part_save(actor=None, shop=shop, code=f"P{n}", name=f"配件{n}")
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/api/v1/shop/parts/").json()) == 7
    assert len(more) == len(few)


@committed_db
def test_twenty_concurrent_consumptions_of_one_from_ten_take_exactly_ten():
    shop = shop_make(901, "并发测试店")
    oil = part_save(
        actor=None, shop=shop, code="OIL-C", name="并发机油", unit="L", reorder_level=Decimal("0")
    )
    stock_purchase(actor=None, part=oil, quantity=Decimal("10"), unit_cost=Decimal("38"))
    start = threading.Barrier(20)
    outcome: list[str] = []

    def consume(n: int) -> None:
        try:
            start.wait()
            stock_consume(actor=None, shop=shop, reference=f"WO-C{n}", lines=[(oil.pk, Decimal("1"), "")])
            outcome.append("ok")
        except StateConflict:
            outcome.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=consume, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    oil.refresh_from_db()
    assert sorted(outcome) == ["ok"] * 10 + ["refused"] * 10
    assert oil.stock == Decimal("0")
    assert StockMove.objects.filter(part=oil, kind=MoveKind.CONSUMPTION).count() == 10
    assert sum(m.quantity for m in oil.moves.all()) == Decimal("0")


@committed_db
def test_concurrent_consumptions_of_two_parts_in_either_order_take_exactly_the_stock():
    shop = shop_make(904, "并发两件店")  # 901: the test above, 902: the bookings one (committed rows stay)
    oil = part_save(
        actor=None, shop=shop, code="OIL-D", name="并发机油", unit="L", reorder_level=Decimal("0")
    )
    flt = part_save(actor=None, shop=shop, code="FLT-D", name="并发机滤", reorder_level=Decimal("0"))
    stock_purchase(actor=None, part=oil, quantity=Decimal("10"), unit_cost=Decimal("38"))
    stock_purchase(actor=None, part=flt, quantity=Decimal("5"), unit_cost=Decimal("25"))
    start = threading.Barrier(16)
    outcome: list[str] = []

    def consume(n: int) -> None:
        lines = [(oil.pk, Decimal("2"), ""), (flt.pk, Decimal("1"), "")]
        try:
            start.wait()
            stock_consume(actor=None, shop=shop, reference=f"WO-D{n}", lines=lines[:: 1 if n % 2 else -1])
            outcome.append("ok")
        except StateConflict:
            outcome.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=consume, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 10 L at 2 a time and 5 filters at 1 a time: five orders get both, eleven get nothing
    assert sorted(outcome) == ["ok"] * 5 + ["refused"] * 11
    oil.refresh_from_db()
    flt.refresh_from_db()
    assert (oil.stock, flt.stock) == (Decimal("0"), Decimal("0"))
    taken = StockMove.objects.filter(shop=shop, kind=MoveKind.CONSUMPTION)
    assert sorted(m.stock_after for m in taken.filter(part=oil)) == [Decimal(n) for n in (0, 2, 4, 6, 8)]
    assert sorted(m.stock_after for m in taken.filter(part=flt)) == [Decimal(n) for n in (0, 1, 2, 3, 4)]
    # the same five references took both parts
    assert {m.reference for m in taken.filter(part=oil)} == {m.reference for m in taken.filter(part=flt)}
