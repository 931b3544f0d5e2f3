"""The shop's console in the browser, on the platform host: a part falls to its reorder level while the
console is open; the header's 消息 badge lights up at once (pushed, no reload); the drawer shows the
alert, and opening it marks it read and goes to the inventory page."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core.validators import uscc_check_char
from directory.models import Shop
from directory.services import shop_create, shop_staff_add
from inventory.models import Part
from inventory.services import part_save, stock_consume, stock_purchase
from tests.conftest import committed_db
from tests.e2e.test_branding_login import login

pytestmark = [pytest.mark.e2e, committed_db]

STAFF, PASSWORD = "13655591071", "Inbox@2026shop"
USCC17 = "91430104MA4NTC071"


def shop_with_brake_pads() -> tuple[Shop, Part]:
    """A shop whose staff member logs in, and 3 sets of brake pads with a reorder level of 2."""
    uscc = USCC17 + uscc_check_char(USCC17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name="消息E2E星沙店", uscc=uscc, address="长沙市长沙县星沙大道 9 号", services=["保养"]
    )
    shop_staff_add(actor=None, shop=shop, mobile=STAFF, name="星沙店长", password=PASSWORD)
    pads = part_save(actor=None, shop=shop, code="BRK-E2E", name="E2E刹车片", unit="套", unit_cost="120.00",
                     sale_price="199.00", reorder_level="2")  # fmt: skip
    stock_purchase(actor=None, part=pads, quantity="3", unit_cost="120.00")
    return shop, pads


def test_a_low_stock_alert_lights_the_open_shop_console_s_badge(page: Page, url_on) -> None:
    shop, pads = shop_with_brake_pads()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on(None, "/console/"))
    login(page, STAFF, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("星沙店长")
    badge = page.get_by_test_id("inbox-badge").locator(".el-badge__content")
    expect(badge).to_be_hidden()

    # 3 → 2: the pads reach their reorder level while the console is open.
    stock_consume(actor=None, shop=shop, reference="WO-E2E-1", lines=[(pads.pk, Decimal("1"), "")])
    expect(badge).to_have_text("1", timeout=15_000)

    page.get_by_test_id("inbox-open").click()
    item = page.get_by_test_id("inbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("库存预警：E2E刹车片")
    expect(item).to_contain_text("配件 BRK-E2E E2E刹车片 库存 2.00")
    item.click()
    expect(page).to_have_url(re.compile(r"#/shop-inventory"))
    expect(badge).to_be_hidden()
