"""A shop's counter in the browser: a member of a shop's staff logs into the console on the platform
host, lands on 门店核销 (which names the shop), looks up a partner tenant's gift pack code, sees its
contents and redeems it; the redemption's place is the shop."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from catalog.models import IssuedPack, IssueStatus, PartnerShop, Product
from catalog.services import pack_issue, pack_save, product_save
from core.validators import uscc_check_char
from customers.models import Customer
from customers.services import customer_create
from directory.models import Shop
from directory.services import shop_create, shop_staff_add
from tests.conftest import committed_db
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]

STAFF_MOBILE, CUSTOMER_MOBILE = "13655690001", "13655690002"
STAFF_PASSWORD = "Shop@2026x"
SHOP, PRODUCT, PACK = "门店核销E2E福田店", "门店核销E2E机油", "门店核销E2E礼包"
USCC17 = "91440300MA5G7777" + "1"


def partner_shop() -> Shop:
    """The shop (the committed world keeps it between runs), one member of staff, a Datang partner."""
    uscc = USCC17 + uscc_check_char(USCC17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name=SHOP, uscc=uscc, address="深圳福田区深南大道 1 号", services=["保养"]
    )
    shop_staff_add(actor=None, shop=shop, mobile=STAFF_MOBILE, name="门店小核", password=STAFF_PASSWORD)
    with schema_context("datang"):
        PartnerShop.objects.get_or_create(shop=shop)
    return shop


def datang_code() -> str:
    """A fresh Datang gift pack code for the customer (a new one on every run)."""
    with schema_context("datang"):
        oil = Product.objects.filter(name=PRODUCT).first() or product_save(
            actor=None, name=PRODUCT, kind="goods", market_price=Decimal("210"),
            actual_price=Decimal("100"), stock=1000,
        )  # fmt: skip
        pack = pack_save(actor=None, name=PACK, expires_on=timezone.localdate() + timedelta(days=5),
                         redeem_mode="whole", items=[{"product": oil.pk, "quantity": 2}])  # fmt: skip
        customer = Customer.objects.filter(mobile=CUSTOMER_MOBILE).first() or customer_create(
            actor=None, name="到店车主", mobile=CUSTOMER_MOBILE
        )
        return pack_issue(actor=None, pack=pack, customer=customer).code


def test_shop_staff_redeem_a_partner_tenants_pack_at_their_counter(page: Page, url_on) -> None:
    shop = partner_shop()
    code = datang_code()

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url_on(None, "/console/"))
    login(page, STAFF_MOBILE, STAFF_PASSWORD)
    # shop staff land on 门店核销, which names their shop
    expect(page.get_by_test_id("redeem-shop")).to_have_text(SHOP)
    expect(page.get_by_test_id("menu-shop-redeem")).to_be_visible()
    expect(page.get_by_test_id("menu-redeem")).to_have_count(0)
    expect(page.get_by_test_id("redeem-place")).to_have_count(0)

    field(page, "redeem-code").fill(code.lower())
    page.get_by_test_id("redeem-lookup").click()
    expect(page.get_by_test_id("redeem-pack")).to_have_text(PACK)
    expect(page.get_by_test_id("redeem-items")).to_contain_text(PRODUCT)
    expect(page.get_by_test_id("redeem-card")).to_contain_text("到店车主")
    expect(page.get_by_test_id("redeem-status")).to_have_text("未兑换")
    page.get_by_test_id("redeem-whole").click()
    expect(page.get_by_test_id("redeem-confirm-text")).to_contain_text("核销后不能撤销")
    page.get_by_test_id("redeem-confirm-ok").click()
    expect(page.get_by_test_id("redeem-status")).to_have_text("已兑换")
    expect(page.get_by_test_id("redeem-whole")).to_have_count(0)

    with schema_context("datang"):
        issued = IssuedPack.objects.get(code=code)
        assert issued.status == IssueStatus.REDEEMED
        assert issued.redemptions.get().place == shop.name == SHOP
