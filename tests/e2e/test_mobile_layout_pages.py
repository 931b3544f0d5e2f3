"""The owner H5 and the agent app on a 390×844 phone (issue 22): the owner's home leads with their
car (days to 交强险/商业险 expiry, 续保), the repair under way, unused packs and featured products,
the tiles below; 续保 opens 快速报价 on that car, whose 乘客 line and half-width cells stay on one
line, and whose prices scroll into view. Screenshots go to test-artifacts/ (not committed)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from accounts.services import membership_grant, user_create
from catalog.services import pack_issue, pack_save, product_save
from customers.services import customer_create
from tenants.models import Tenant
from tests.conftest import committed_db
from tests.e2e.test_branding_login import login
from tests.insurers import DATANG_INSURERS, enable_insurers

pytestmark = [pytest.mark.e2e, committed_db]

OWNER_MOBILE, PASSWORD = "13644449321", "Owner@2026x"
PLATE = "粤B6L390"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def phone(browser: Browser) -> Page:
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_the_owner_home_leads_with_the_car_and_quick_quote_fits_a_phone(browser: Browser, url_on) -> None:
    datang = Tenant.objects.get(schema_name="datang")
    enable_insurers("datang", DATANG_INSURERS)
    today = timezone.localdate()
    owner = user_create(mobile=OWNER_MOBILE, name="宋车主", password=PASSWORD)
    membership_grant(user=owner, role=Role.OWNER, tenant_id=datang.pk)
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="宋车主",
            mobile=OWNER_MOBILE,
            vehicles=[
                {
                    "plate": PLATE, "brand_model": "本田 雅阁", "seats": 5, "displacement": Decimal("1.5"),
                    "use": "family", "first_registered_on": today.replace(year=2022, month=3, day=15),
                    "purchase_price": Decimal("180000.00"), "ctpl_expires_on": today + timedelta(days=40),
                    "commercial_expires_on": today + timedelta(days=75),
                }
            ],
        )  # fmt: skip
        wax = product_save(actor=None, name="布局测试车蜡", kind="goods", market_price=Decimal("1288"),
                           actual_price=Decimal("1099.5"), stock=8)  # fmt: skip
        pack = pack_save(actor=None, name="布局测试礼包", expires_on=today + timedelta(days=30), redeem_mode="whole",
                         items=[{"product": wax.pk, "quantity": 1}])  # fmt: skip
        pack_issue(actor=None, pack=pack, customer=customer)

    page = phone(browser)
    page.goto(url_on("datang", "/"))
    page.get_by_test_id("login-tab-password").click()
    login(page, OWNER_MOBILE, PASSWORD)
    card = page.get_by_test_id(f"home-car-{PLATE}")
    expect(card.get_by_test_id("home-ctpl")).to_contain_text("剩 40 天")
    expect(card.get_by_test_id("home-commercial")).to_contain_text("剩 75 天")
    expect(page.get_by_test_id("home-gifts")).to_contain_text("1 个礼包未使用")
    expect(page.get_by_test_id("home-product").filter(has_text="布局测试车蜡")).to_contain_text("¥1,099.50")
    # the car first, the tiles below it
    car_box, tiles_box = card.bounding_box(), page.get_by_test_id("entry-vehicles").bounding_box()
    assert car_box and tiles_box and car_box["y"] + car_box["height"] <= tiles_box["y"]
    assert car_box["x"] >= 0 and car_box["x"] + car_box["width"] <= 390  # nothing wider than the phone
    shot(page, "owner-home-390x844.png")

    page.get_by_test_id(f"home-renew-{PLATE}").click()
    expect(page.get_by_test_id("quote-vehicle")).to_contain_text(PLATE)
    # 乘客: switch, seat stepper, "座 ×" and the limit on one line, inside the phone's width
    passenger = page.locator(".van-field").filter(has=page.get_by_test_id("cov-passenger"))
    row = passenger.locator(".van-field__body").bounding_box()
    stepper = passenger.locator(".van-stepper").bounding_box()
    switch = page.get_by_test_id("cov-passenger").bounding_box()
    assert row and stepper and switch
    assert abs(stepper["y"] + stepper["height"] / 2 - (switch["y"] + switch["height"] / 2)) < 4, (
        stepper,
        switch,
    )
    assert row["x"] + row["width"] <= 390 and row["height"] < 40, row
    shot(page, "quick-quote-form-390x844.png")

    page.get_by_test_id("quote-rate").click()
    expect(page.get_by_test_id("quote-summary")).to_be_in_viewport()
    expect(page.get_by_test_id("quote-option").first).to_be_visible()
    shot(page, "quick-quote-results-390x844.png")
    page.context.close()
