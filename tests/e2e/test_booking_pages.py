"""保养预约 in the browser: the owner opens 保养预约 in Datang's H5 (the phone shares its position in
长沙), sees the partner shop with its score and distance, picks a slot with seats left and books;
the shop's staff see the car on their 预约看板 and mark it arrived; the owner sees it arrived. The
shop's 库存管理 shows the low-stock badge and the part under its reorder level."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from bookings.models import Booking, SlotLoad
from bookings.services import slot_templates_set
from catalog.models import PartnerShop
from customers.services import customer_create, vehicle_add
from directory.models import Shop
from directory.quality import shop_inspection_record
from directory.services import shop_staff_add
from inventory.services import part_save, stock_purchase
from tenants.models import Tenant
from tests.bookings.world import shop_make, uscc
from tests.conftest import committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import login

pytestmark = [pytest.mark.e2e, committed_db]

STAFF_MOBILE, OWNER_MOBILE, PASSWORD = "13655691001", "13655691002", "Shop@2026x"
SHOP = "预约E2E岳麓店"


def the_world() -> Shop:
    """A Datang partner shop in 长沙 (3.34 km north of the owner) with a weekly 09:00 ×1 and
    10:00 ×2, an inspection of 88, one part under its reorder level; an owner with 湘A6E2E8."""
    shop = Shop.objects.filter(uscc=uscc(903)).first() or shop_make(903, SHOP, latitude="28.226",
                                                                      longitude="112.977", services=["保养", "洗车"])  # fmt: skip
    shop_staff_add(actor=None, shop=shop, mobile=STAFF_MOBILE, name="预约小周", password=PASSWORD)
    slot_templates_set(actor=None, shop=shop, slots=[{"weekday": d, "start": t, "capacity": c} for d in range(7)
                                                     for t, c in ((time(9), 1), (time(10), 2))])  # fmt: skip
    if not shop.inspections.exists():
        shop_inspection_record(
            actor=None, shop=shop, inspected_on=date(2026, 6, 1), inspector="老李", technical_score=88
        )
        oil = part_save(
            actor=None, shop=shop, code="E2E-OIL", name="预约E2E机油", unit="L", reorder_level=Decimal("5")
        )
        stock_purchase(actor=None, part=oil, quantity=Decimal("3"), unit_cost=Decimal("38"))
    with schema_context("datang"):
        PartnerShop.objects.get_or_create(shop=shop)
    if not User.objects.filter(mobile=OWNER_MOBILE).exists():
        owner = user_create(mobile=OWNER_MOBILE, name="约车主", password=PASSWORD)
        membership_grant(user=owner, role=Role.OWNER, tenant_id=Tenant.objects.get(schema_name="datang").pk)
        with schema_context("datang"):
            vehicle_add(actor=None, customer=customer_create(actor=None, name="约车主", mobile=OWNER_MOBILE),
                        plate="湘A6E2E8")  # fmt: skip
    return shop


def test_an_owner_books_near_them_and_the_shop_sees_the_car_arrive(browser, url_on) -> None:
    shop = the_world()
    # a rerun on the kept world starts with a free day
    Booking.objects.filter(shop=shop).delete()
    SlotLoad.objects.filter(shop=shop).delete()
    tomorrow = timezone.localdate() + timedelta(days=1)

    owner = browser.new_context(locale="zh-CN", viewport={"width": 414, "height": 896}, permissions=["geolocation"],
                                timezone_id="Asia/Shanghai", geolocation={"latitude": 28.196, "longitude": 112.977})  # fmt: skip
    phone = owner.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(url_on("datang", "/"))
    phone.get_by_test_id("login-tab-password").click()
    login(phone, OWNER_MOBILE, PASSWORD)
    phone.get_by_test_id("entry-booking").click()
    card = phone.get_by_test_id("booking-shop").filter(has_text=SHOP)
    expect(card.get_by_test_id("booking-shop-score")).to_have_text("88.0 分")
    expect(card.get_by_test_id("booking-shop-distance")).to_have_text("3.34 km")
    card.click()
    phone.get_by_test_id("booking-day").nth(1).click()  # 明天
    expect(phone.get_by_test_id("booking-slot")).to_have_count(2)
    expect(phone.get_by_test_id("booking-slot").nth(0)).to_contain_text("09:00 · 余 1")
    phone.get_by_test_id("booking-slot").nth(0).click()
    phone.get_by_test_id("booking-confirm").click()
    expect(phone.get_by_test_id("my-booking").first).to_contain_text(SHOP)
    expect(phone.get_by_test_id("my-booking-state").first).to_have_text("已预约")
    booking = Booking.objects.get(shop=shop)
    assert (booking.plate, booking.service, timezone.localtime(booking.slot_start).date()) == ("湘A6E2E8", "保养",
                                                                                              tomorrow)  # fmt: skip

    console = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}
    )
    desk = console.new_page()
    desk.set_default_timeout(15_000)
    desk.goto(url_on(None, "/console/"))
    login(desk, STAFF_MOBILE, PASSWORD)
    open_menu(desk, "menu-shop-bookings")
    desk.get_by_test_id("board-next").click()
    expect(desk.get_by_test_id("board-plate")).to_have_text("湘A6E2E8")
    desk.get_by_test_id("board-arrived").click()
    expect(desk.get_by_test_id("board-state")).to_have_text("已到店")

    # pushed to the owner's open page (no reload)
    expect(phone.get_by_test_id("my-booking-state").first).to_have_text("已到店")

    open_menu(desk, "menu-shop-inventory")
    expect(desk.get_by_test_id("low-stock-badge")).to_contain_text("1")
    expect(desk.get_by_test_id("parts-table")).to_contain_text("预约E2E机油")
    owner.close()
    console.close()
