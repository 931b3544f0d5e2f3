"""GET /api/v1/my/home/: the owner H5's home in one call. A card per car with the days left on its
交强险 and 商业险 (续保 offered within 90 days), its next maintenance and inspection and its open
reminders; unused gift packs; the tenant's on-shelf products. Owner only, their own records only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from catalog.services import pack_issue, pack_save, product_save
from customers.services import customer_create
from tests.conftest import PEOPLE
from tests.insurers import car

pytestmark = pytest.mark.django_db


def test_the_owner_sees_each_car_its_deadlines_reminders_packs_and_products(api, team):
    today = timezone.localdate()
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="赵车主",
            mobile=PEOPLE["datang_owner"].mobile,
            promoter_id=team.lead.pk,
            vehicles=[
                car(
                    ctpl_expires_on=today + timedelta(days=40),
                    commercial_expires_on=today + timedelta(days=200),
                ),
                car(
                    plate="粤B3099Z",
                    vin="",
                    ctpl_expires_on=today + timedelta(days=120),
                    commercial_expires_on=None,
                ),
            ],
        )
        first, second = customer.vehicles.order_by("id")
        first.next_maintenance_on, first.next_inspection_on = (
            today + timedelta(days=12),
            today + timedelta(days=300),
        )
        first.save()
        # registering the cars scheduled their reminders (renewal 45 days ahead, maintenance overdue)
        oil = product_save(actor=None, name="全合成机油", kind="goods", market_price=Decimal("399"),
                           actual_price=Decimal("299"), stock=5)  # fmt: skip
        product_save(actor=None, name="售罄的轮胎", kind="goods", market_price=Decimal("800"),
                     actual_price=Decimal("700"), stock=0)  # fmt: skip
        pack = pack_save(actor=None, name="保养礼包", expires_on=today + timedelta(days=30), redeem_mode="whole",
                         items=[{"product": oil.pk, "quantity": 1}])  # fmt: skip
        pack_issue(actor=None, pack=pack, customer=customer)
        # someone else's car and pack in the same tenant
        other = customer_create(
            actor=None, name="钱先生", mobile="13912340077", vehicles=[car(plate="粤B5555Z", vin="")]
        )
        pack_issue(actor=None, pack=pack, customer=other)

    home = api("datang_owner").get("/api/v1/my/home/")
    assert home.status_code == 200, home.json()
    body = home.json()
    assert body["today"] == today.isoformat()
    cars = body["cars"]
    assert [c["plate"] for c in cars] == ["粤B2088Z", "粤B3099Z"]
    assert (cars[0]["ctpl_days"], cars[0]["commercial_days"], cars[0]["renewal_due"]) == (40, 200, True)
    assert (cars[1]["ctpl_days"], cars[1]["commercial_days"], cars[1]["renewal_due"]) == (120, None, False)
    assert cars[0]["next_maintenance_on"] == (today + timedelta(days=12)).isoformat()
    reminders = [(r["kind_label"], r["due_on"]) for r in cars[0]["reminders"]]
    assert ("续保提醒", (today + timedelta(days=40)).isoformat()) in reminders
    assert ("保养提醒", "2022-09-15") in reminders  # registered 2022-03-15, 6-monthly, never maintained
    assert "续保提醒" not in [r["kind_label"] for r in cars[1]["reminders"]]  # 120 days: not yet
    assert [(p["name"], p["status_label"], p["value"]) for p in body["gift_packs"]] == [
        ("保养礼包", "未兑换", "299.00")
    ]
    assert [p["name"] for p in body["products"]] == ["全合成机油"]  # on shelf and in stock
    assert body["repair"] is None


def test_only_owners_and_only_their_own_tenant(api):
    assert api("datang_agent").get("/api/v1/my/home/").status_code == 403
    assert api("datang_admin").get("/api/v1/my/home/").status_code == 403
    assert api(None, host="datang.localhost").get("/api/v1/my/home/").status_code == 401
    # a Datang owner's token on Bowei's host
    assert api("datang_owner", host="bowei.localhost").get("/api/v1/my/home/").status_code in (401, 403)
    # an owner with no record yet: empty, not an error, nothing of anyone else's
    with schema_context("bowei"):
        customer_create(actor=None, name="孙女士", mobile="13912340088", vehicles=[car(vin="")])
    body = api("datang_owner").get("/api/v1/my/home/").json()
    assert body["cars"] == [] and body["gift_packs"] == [] and body["repair"] is None
