"""保养预约: owners book a slot of a partner shop's weekly template (never more than its capacity,
even all at once), cancel it; the shop sees its day and marks arrivals; agents see their
customers' bookings; a tenant only its own, a shop only its own, nobody else anything. The shop's
expected demand per part comes from the coming week's bookings × its service→parts mapping."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import auth_token_issue, membership_grant, user_create
from bookings.models import Booking, SlotLoad
from bookings.selectors import demand_forecast
from bookings.services import booking_create, slot_templates_set
from core.errors import StateConflict
from core.realtime import recent, shop_channel
from customers.services import customer_create, vehicle_add
from inventory.services import part_save, service_parts_set, stock_purchase
from tenants.models import Tenant
from tests.bookings.world import shop_make, staff_client
from tests.conftest import PEOPLE, committed_db

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)


def at(day, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def owner_of(schema: str, mobile: str, name: str) -> User:
    user = User.objects.filter(mobile=mobile).first() or user_create(
        mobile=mobile, name=name, password="Test@2026pw"
    )
    membership_grant(user=user, role=Role.OWNER, tenant_id=Tenant.objects.get(schema_name=schema).pk)
    return user


def client_of(api, schema: str, user: User):
    client = api(None, host=f"{schema}.localhost")
    tenant = Tenant.objects.get(schema_name=schema)
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {auth_token_issue(user=user, tenant_id=tenant.pk, second_factor=True).token}"
    )
    return client


def week_of_slots(client, capacity: int = 2) -> None:
    """Every day 09:00 and 10:00 (``capacity`` cars) and 14:00 (1 car)."""
    slots = [{"weekday": d, "start": s, "capacity": c} for d in range(7)
             for s, c in (("09:00", capacity), ("10:00", capacity), ("14:00", 1))]  # fmt: skip
    answer = client.put("/api/v1/shop/slot-templates/", {"slots": slots}, format="json")
    assert answer.status_code == 200, answer.json()


@pytest.fixture
def world(api, datang, bowei, team):
    """岳麓店 partners with Datang and Bowei, 芙蓉店 with Datang; 赵车主 (Datang's owner, customer of the
    agent 王海峰) has 湘A12345; 钱车主 is a Datang owner with no agent; 吴车主 is Bowei's owner."""
    yuelu = shop_make(1, "岳麓店", latitude="28.226", longitude="112.977")
    furong = shop_make(2, "芙蓉店", latitude="28.196", longitude="113.027")
    for key, shop in (("datang_admin", yuelu), ("datang_admin", furong), ("bowei_admin", yuelu)):
        assert api(key).post("/api/v1/partner-shops/", {"shop": shop.pk}, format="json").status_code == 201
    yuelu_staff, furong_staff = staff_client(yuelu, "13655588001"), staff_client(furong, "13655588002")
    week_of_slots(yuelu_staff)
    week_of_slots(furong_staff)
    with schema_context("datang"):
        zhao = customer_create(actor=None, name="赵车主", mobile=PEOPLE["datang_owner"].mobile,
                               promoter_id=team.lead.pk)  # fmt: skip
        car = vehicle_add(actor=None, customer=zhao, plate="湘A12345")
    return {
        "yuelu": yuelu, "furong": furong, "yuelu_staff": yuelu_staff, "furong_staff": furong_staff, "car": car,
        "zhao": api("datang_owner"), "qian": client_of(api, "datang", owner_of("datang", "13655566001", "钱车主")),
        "wu": client_of(api, "bowei", owner_of("bowei", "13655566002", "吴车主")),
    }  # fmt: skip


def book(client, shop, hhmm: str = "09:00", service: str = "保养", **extra):
    return client.post("/api/v1/bookings/", {"shop": shop.pk, "service": service,
                                             "slot_start": at(TOMORROW, hhmm).isoformat(), **extra}, format="json")  # fmt: skip


def test_an_owner_books_a_slot_and_the_shop_sees_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = book(world["zhao"], world["yuelu"], "10:00", vehicle=world["car"].pk, note="顺便看下刹车")
    assert made.status_code == 201, made.json()
    booking = made.json()
    assert (booking["plate"], booking["customer_name"], booking["state"], booking["shop_name"]) == (
        "湘A12345", "赵车主", "booked", "岳麓店")  # fmt: skip
    day = world["yuelu_staff"].get("/api/v1/shop/bookings/", {"date": TOMORROW.isoformat()}).json()
    assert [(b["plate"], b["service"], b["tenant_name"]) for b in day] == [
        ("湘A12345", "保养", "大唐保险经纪有限公司")
    ]
    slots = world["zhao"].get(
        f"/api/v1/service-shops/{world['yuelu'].pk}/slots/", {"date": TOMORROW.isoformat()}
    )
    assert [(s["capacity"], s["booked"], s["remaining"]) for s in slots.json()] == [
        (2, 0, 2),
        (2, 1, 1),
        (1, 0, 1),
    ]
    pushed = recent(shop_channel(world["yuelu"].pk))
    assert pushed[-1]["event"] == "booking.created" and pushed[-1]["data"]["plate"] == "湘A12345"


def test_a_full_slot_refuses_the_next_owner_and_a_cancel_frees_it(world):
    assert book(world["zhao"], world["yuelu"], "14:00").status_code == 201
    full = book(world["qian"], world["yuelu"], "14:00")
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    assert "slot_start" in full.json()["fields"]
    mine = world["zhao"].get("/api/v1/bookings/").json()[0]
    cancelled = world["zhao"].post(f"/api/v1/bookings/{mine['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert world["zhao"].post(f"/api/v1/bookings/{mine['id']}/cancel/").status_code == 409
    assert book(world["qian"], world["yuelu"], "14:00").status_code == 201
    assert SlotLoad.objects.get(shop=world["yuelu"], start=at(TOMORROW, "14:00")).booked == 1


def test_the_same_owner_cannot_book_one_slot_twice(world):
    assert book(world["zhao"], world["yuelu"]).status_code == 201
    again = book(world["zhao"], world["yuelu"])
    assert again.status_code == 409 and again.json()["code"] == "booking_duplicate"


def test_bookings_are_seen_by_their_owner_agent_tenant_and_shop_only(api, world):
    zhao = book(world["zhao"], world["yuelu"], "09:00").json()
    qian = book(world["qian"], world["yuelu"], "10:00").json()
    wu = book(world["wu"], world["yuelu"], "09:00").json()

    def ids(client, path="/api/v1/bookings/", **query):
        answer = client.get(path, query)
        assert answer.status_code == 200, answer.json()
        return sorted(b["id"] for b in answer.json())

    assert ids(world["zhao"]) == [zhao["id"]]
    assert ids(world["qian"]) == [qian["id"]]
    assert ids(api("datang_agent")) == [zhao["id"]]  # 赵车主 is 王海峰's customer; 钱车主 nobody's
    assert ids(api("datang_admin")) == sorted([zhao["id"], qian["id"]])
    assert ids(world["wu"]) == [wu["id"]]
    assert ids(api("bowei_admin")) == [wu["id"]]
    assert ids(api("bowei_agent")) == []
    day = {"date": TOMORROW.isoformat()}
    assert ids(world["yuelu_staff"], "/api/v1/shop/bookings/", **day) == sorted(
        [zhao["id"], qian["id"], wu["id"]]
    )
    assert ids(world["furong_staff"], "/api/v1/shop/bookings/", **day) == []
    # Walls: another tenant's owner cannot cancel; a token on another host, anonymous and the
    # platform host get nothing; another shop cannot mark the booking.
    assert world["wu"].post(f"/api/v1/bookings/{zhao['id']}/cancel/").status_code == 404
    assert world["qian"].post(f"/api/v1/bookings/{zhao['id']}/cancel/").status_code == 404
    assert api("datang_owner", host="bowei.localhost").get("/api/v1/bookings/").status_code == 401
    assert api(None, host="datang.localhost").get("/api/v1/bookings/").status_code == 401
    assert api("platform_admin").get("/api/v1/bookings/").status_code == 404
    assert api("platform_admin").get("/api/v1/shop/bookings/", day).status_code == 403
    assert api(None).get("/api/v1/shop/bookings/", day).status_code == 401
    assert api("datang_admin").get("/api/v1/shop/bookings/", day).status_code == 404
    refused = world["furong_staff"].post(
        f"/api/v1/shop/bookings/{zhao['id']}/mark/", {"state": "arrived"}, format="json"
    )
    assert refused.status_code == 404
    assert api("datang_agent").post("/api/v1/bookings/", {}, format="json").status_code == 403
    assert Booking.objects.get(pk=zhao["id"]).state == "booked"


def test_the_tenant_admin_filters_the_bookings_by_state_shop_and_day(api, world):
    """保养预约 in the tenant console: the admin narrows the tenant's bookings; a bad filter is a 400
    naming it; another tenant's admin filtering by the same shop still sees only its own."""
    zhao = book(world["zhao"], world["yuelu"], "09:00").json()
    qian = book(world["qian"], world["furong"], "10:00").json()
    wu = book(world["wu"], world["yuelu"], "14:00").json()
    assert world["qian"].post(f"/api/v1/bookings/{qian['id']}/cancel/").status_code == 200
    admin = api("datang_admin")

    def ids(client=admin, **query):
        answer = client.get("/api/v1/bookings/", query)
        assert answer.status_code == 200, answer.json()
        return sorted(b["id"] for b in answer.json())

    assert ids(shop=world["yuelu"].pk) == [zhao["id"]]
    assert ids(shop=world["furong"].pk) == [qian["id"]]
    assert ids(state="cancelled") == [qian["id"]]
    assert ids(state="booked", shop=world["furong"].pk) == []
    tomorrow, after = TOMORROW.isoformat(), (TOMORROW + timedelta(days=1)).isoformat()
    assert ids(date_from=tomorrow, date_to=tomorrow) == sorted([zhao["id"], qian["id"]])
    assert ids(date_from=after) == []
    assert ids(api("bowei_admin"), shop=world["yuelu"].pk) == [wu["id"]]
    for query, field in (
        ({"state": "done"}, "state"),
        ({"shop": "岳麓"}, "shop"),
        ({"date_from": "11/27"}, "date_from"),
    ):
        bad = admin.get("/api/v1/bookings/", query)
        assert bad.status_code == 400 and field in bad.json()["fields"], (query, bad.json())


def test_the_shop_marks_arrivals_and_no_shows(world):
    zhao = book(world["zhao"], world["yuelu"], "14:00").json()
    staff = world["yuelu_staff"]
    arrived = staff.post(f"/api/v1/shop/bookings/{zhao['id']}/mark/", {"state": "arrived"}, format="json")
    assert arrived.status_code == 200 and arrived.json()["state_label"] == "已到店"
    again = staff.post(f"/api/v1/shop/bookings/{zhao['id']}/mark/", {"state": "no_show"}, format="json")
    assert again.status_code == 409
    assert world["zhao"].post(f"/api/v1/bookings/{zhao['id']}/cancel/").status_code == 409
    bad = staff.post(f"/api/v1/shop/bookings/{zhao['id']}/mark/", {"state": "cancelled"}, format="json")
    assert bad.status_code == 400 and "state" in bad.json()["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shop": 999999}, "shop"),
        ({"service": "钣喷"}, "service"),
        ({"service": ""}, "service"),
        ({"slot_start": "tomorrow"}, "slot_start"),
        ({"slot_start": "HH:07"}, "slot_start"),
        ({"slot_start": "PAST"}, "slot_start"),
        ({"slot_start": "FAR"}, "slot_start"),
        ({"vehicle": 999999}, "vehicle"),
        ({"note": "长" * 201}, "note"),
    ],
)
def test_bad_booking_input_is_a_400_naming_the_field(world, change, field):
    body = {
        "shop": world["yuelu"].pk,
        "service": "保养",
        "slot_start": at(TOMORROW, "09:00").isoformat(),
        **change,
    }
    special = {"HH:07": at(TOMORROW, "09:07"), "PAST": at(TOMORROW - timedelta(days=2), "09:00"),
               "FAR": at(TOMORROW + timedelta(days=60), "09:00")}  # fmt: skip
    if body["slot_start"] in special:
        body["slot_start"] = special[body["slot_start"]].isoformat()
    answer = world["zhao"].post("/api/v1/bookings/", body, format="json")
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["fields"]


def test_a_shop_of_another_tenant_cannot_be_booked(api, world, bowei):
    hexi = shop_make(6, "河西店", services=["保养"])
    assert (
        api("bowei_admin").post("/api/v1/partner-shops/", {"shop": hexi.pk}, format="json").status_code == 201
    )
    answer = book(world["zhao"], hexi)
    assert answer.status_code == 400 and "shop" in answer.json()["fields"]


@pytest.mark.parametrize(
    ("slots", "field"),
    [
        ([{"weekday": 7, "start": "09:00", "capacity": 1}], "slots.0.weekday"),
        ([{"weekday": 1, "start": "9点", "capacity": 1}], "slots.0.start"),
        ([{"weekday": 1, "start": "09:00", "capacity": 0}], "slots.0.capacity"),
        (
            [
                {"weekday": 1, "start": "09:00", "capacity": 1},
                {"weekday": 1, "start": "09:00", "capacity": 2},
            ],
            "slots.1.start",
        ),  # fmt: skip
    ],
)
def test_bad_slot_templates_are_a_400_naming_the_field(world, slots, field):
    answer = world["yuelu_staff"].put("/api/v1/shop/slot-templates/", {"slots": slots}, format="json")
    assert answer.status_code == 400 and field in answer.json()["fields"], answer.json()


def test_the_demand_forecast_multiplies_bookings_by_the_parts_each_service_uses(world):
    shop = world["yuelu"]
    oil = part_save(
        actor=None, shop=shop, code="OIL-5W30", name="机油 5W-30", unit="L", reorder_level=Decimal("8")
    )
    oil_filter = part_save(actor=None, shop=shop, code="FLT-01", name="机滤")
    wash = part_save(actor=None, shop=shop, code="WASH", name="洗车液", unit="瓶")
    stock_purchase(actor=None, part=oil, quantity=Decimal("10"), unit_cost=Decimal("38"))
    stock_purchase(actor=None, part=oil_filter, quantity=Decimal("5"), unit_cost=Decimal("25"))
    stock_purchase(actor=None, part=wash, quantity=Decimal("3"), unit_cost=Decimal("12"))
    service_parts_set(
        actor=None, shop=shop, service="保养", parts=[(oil.pk, Decimal("4.5")), (oil_filter.pk, Decimal("1"))]
    )
    service_parts_set(actor=None, shop=shop, service="洗车", parts=[(wash.pk, Decimal("0.5"))])
    # Three 保养 and one 洗车 booked tomorrow; one more 保养 cancelled (it does not count).
    book(world["zhao"], shop, "09:00")
    book(world["qian"], shop, "09:00")
    book(world["wu"], shop, "10:00")
    book(world["zhao"], shop, "10:00", service="洗车")
    gone = book(world["qian"], shop, "14:00").json()
    world["qian"].post(f"/api/v1/bookings/{gone['id']}/cancel/")
    rows = world["yuelu_staff"].get("/api/v1/shop/demand/").json()
    # 机油: 3 × 4.5 = 13.5 L against 10 in stock, 3.5 short; 机滤 3 × 1 = 3 of 5; 洗车液 1 × 0.5 of 3.
    assert [(r["code"], r["demand"], r["stock"], r["shortfall"], r["services"]) for r in rows] == [
        ("FLT-01", "3.00", "5.00", "0.00", {"保养": 3}),
        ("OIL-5W30", "13.50", "10.00", "3.50", {"保养": 3}),
        ("WASH", "0.50", "3.00", "0.00", {"洗车": 1}),
    ]
    # Seen from the day after tomorrow, tomorrow's bookings are past: nothing is expected.
    assert demand_forecast(shop=shop, days=7, today=TOMORROW + timedelta(days=1)) == []
    assert world["yuelu_staff"].get("/api/v1/shop/demand/", {"days": "90"}).status_code == 400
    assert world["furong_staff"].get("/api/v1/shop/demand/").json() == []


@committed_db
def test_eight_owners_at_once_fill_a_three_car_slot_and_no_more():
    shop = shop_make(902, "并发预约店", owner_tenant_id=Tenant.objects.get(schema_name="datang").pk)
    slot_templates_set(actor=None, shop=shop, slots=[{"weekday": TOMORROW.weekday(),
                                                      "start": at(TOMORROW, "11:00").time(), "capacity": 3}])  # fmt: skip
    owners = [owner_of("datang", f"136555771{n:02d}", f"并发车主{n}") for n in range(8)]
    start = threading.Barrier(8)
    outcome: list[str] = []

    def attempt(user: User) -> None:
        try:
            with schema_context("datang"):
                start.wait()
                booking_create(actor=user, shop_id=shop.pk, service="保养", slot_start=at(TOMORROW, "11:00"))
            outcome.append("booked")
        except StateConflict as refused:
            outcome.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome) == ["booked"] * 3 + ["slot_full"] * 5
    assert Booking.objects.filter(shop=shop, state="booked").count() == 3
    assert SlotLoad.objects.get(shop=shop).booked == 3
