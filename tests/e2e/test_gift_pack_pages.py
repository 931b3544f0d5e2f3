"""Gift packs and the mall in the browser.

1. The administrator adds a product in 商品管理; a pack of it exists; an agent gives the pack to a
   customer from the customer's page on the phone; the owner (that customer's mobile) sees the pack
   and its code as a QR in the H5; the administrator redeems the code in 礼包核销; the H5 then shows
   it 已兑换.
2. The owner buys in the H5 mall. Stripe is answered at the HTTP boundary (``responses``, as in
   tests/mall); Stripe.js cannot load (no network), so the order page shows 待支付 and keeps asking;
   a signed ``payment_intent.succeeded`` webhook to the platform host pays the order, and the open
   page shows 已支付 without a reload."""

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
import responses
import stripe
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.services import membership_grant, user_create
from catalog.models import IssuedPack, IssueStatus, Product
from catalog.services import pack_save, product_save
from customers.services import customer_create
from mall.models import Order, OrderStatus
from network.services import agent_create, tier_create
from tenants.models import Tenant
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]

AGENT_MOBILE, OWNER_MOBILE, BUYER_MOBILE = "13644449611", "13644449621", "13644449631"
AGENT_PASSWORD, OWNER_PASSWORD = "Agent@2026x", "Owner@2026x"
PRODUCT, PACK = "礼包页机油E2E", "礼包页续保礼包E2E"
MALL_PRODUCT = "商城页雨刮E2E"
STRIPE_API = "https://api.stripe.com/v1"


@pytest.fixture
def stripe_api() -> Iterator[responses.RequestsMock]:
    """Stripe's answers to the server (the live server runs in this process): a PaymentIntent per order."""
    made = count(1)

    def intent(request):
        n = next(made)
        body = {"id": f"pi_e2e_{time.time_ns()}_{n}", "object": "payment_intent",
                "status": "requires_payment_method", "client_secret": f"pi_e2e_{n}_secret_x", "currency": "cny"}  # fmt: skip
        return 200, {}, json.dumps(body)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, f"{STRIPE_API}/payment_intents", callback=intent)
        yield mock


def owner_with_customer(mobile: str, name: str, promoter_id: int | None = None) -> None:
    """An H5 account (owner membership in Datang) and the customer it is."""
    owner = user_create(mobile=mobile, name=name, password=OWNER_PASSWORD)
    membership_grant(user=owner, role=Role.OWNER, tenant_id=Tenant.objects.get(schema_name="datang").pk)
    with schema_context("datang"):
        customer_create(actor=None, name=name, mobile=mobile, promoter_id=promoter_id)


def owner_logs_in(page: Page, url_on, mobile: str) -> None:
    page.goto(url_on("datang", "/"))
    page.get_by_test_id("login-tab-password").click()
    login(page, mobile, OWNER_PASSWORD)
    expect(page.get_by_test_id("user-name")).to_be_visible()


def test_a_pack_is_given_by_the_agent_seen_by_the_owner_and_redeemed_in_the_console(
    page: Page, url_on
) -> None:
    with schema_context("datang"):
        tier = tier_create(actor=None, name="礼包页销售", rank=61)
        agent = agent_create(actor=None, name="礼销售", mobile=AGENT_MOBILE, licence_no="L-9611", tier_id=tier.pk,
                             password=AGENT_PASSWORD)  # fmt: skip
    owner_with_customer(OWNER_MOBILE, "礼车主", promoter_id=agent.pk)

    # The administrator adds the product in 商品管理.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    open_menu(page, "menu-products")
    page.get_by_test_id("product-new").click()
    field(page, "product-name").fill(PRODUCT)
    field(page, "product-source").fill("壳牌华南")
    field(page, "product-market_price").fill("210")
    field(page, "product-actual_price").fill("250")
    page.get_by_test_id("product-save").click()
    # the server's check shows by the field
    expect(page.get_by_test_id("product-dialog")).to_contain_text("实际价格")
    field(page, "product-actual_price").fill("100")
    field(page, "product-stock").fill("40")
    page.get_by_test_id("product-save").click()
    row = page.get_by_test_id("products-table").locator("tbody tr", has_text=PRODUCT)
    expect(row).to_contain_text("壳牌华南")
    expect(row).to_contain_text("210.00")

    with schema_context("datang"):
        oil = Product.objects.get(name=PRODUCT)
        pack_save(actor=None, name=PACK, expires_on=timezone.localdate() + timedelta(days=30),
                  redeem_mode="whole", items=[{"product": oil.pk, "quantity": 2}])  # fmt: skip

    # 礼包管理 lists it with the values taken from its contents.
    open_menu(page, "menu-gift-packs")
    pack_row = page.get_by_test_id("packs-table").locator("tbody tr", has_text=PACK)
    expect(pack_row).to_contain_text("420.00")
    expect(pack_row).to_contain_text(f"{PRODUCT}*2")
    expect(pack_row).to_contain_text("有效")

    # The agent gives it to the customer from the customer's page.
    agent_page = page.context.new_page()
    agent_page.set_viewport_size({"width": 414, "height": 896})
    agent_page.goto(url_on("datang", "/agent/"))
    login(agent_page, AGENT_MOBILE, AGENT_PASSWORD)
    agent_page.get_by_test_id("entry-customers").click()
    agent_page.get_by_test_id("customer-row").filter(has_text="礼车主").click()
    agent_page.get_by_role("tab", name="礼包").click()
    agent_page.get_by_test_id("gift-send").click()
    agent_page.get_by_test_id("gift-pack-option").filter(has_text=PACK).click()
    agent_page.get_by_role("button", name="确认送出").click()
    code_box = agent_page.get_by_test_id("gift-given-code")
    expect(code_box).to_have_text(re.compile(r"^DATANG-[0-9A-Z]+$"))
    code = code_box.inner_text().strip()
    expect(agent_page.get_by_test_id("customer-gift-pack").filter(has_text=code)).to_contain_text("未兑换")

    # The owner sees the pack, its contents and its code as a QR.
    owner_page = page.context.new_page()
    owner_page.set_viewport_size({"width": 414, "height": 896})
    owner_logs_in(owner_page, url_on, OWNER_MOBILE)
    owner_page.get_by_test_id("entry-gifts").click()
    card = owner_page.locator(f'[data-testid="gift-pack"][data-code="{code}"]')
    expect(card.get_by_test_id("gift-pack-name")).to_have_text(PACK)
    expect(card).to_contain_text(f"{PRODUCT} × 2")
    expect(card.get_by_test_id("gift-pack-status")).to_have_text("未兑换")
    expect(card.get_by_test_id("gift-pack-code")).to_have_text(code)
    expect(card.get_by_test_id("gift-pack-qr")).to_be_visible()

    # The administrator redeems the code in 礼包核销; a second attempt is refused clearly.
    page.bring_to_front()
    open_menu(page, "menu-redeem")
    field(page, "redeem-code").fill(code.lower())
    field(page, "redeem-place").fill("大唐南山店")
    page.get_by_test_id("redeem-lookup").click()
    expect(page.get_by_test_id("redeem-pack")).to_have_text(PACK)
    expect(page.get_by_test_id("redeem-items")).to_contain_text(PRODUCT)
    page.get_by_test_id("redeem-whole").click()
    expect(page.get_by_test_id("redeem-confirm-text")).to_contain_text("核销后不能撤销")
    page.get_by_test_id("redeem-confirm-ok").click()
    expect(page.get_by_test_id("redeem-status")).to_have_text("已兑换")
    expect(page.get_by_test_id("redeem-whole")).to_have_count(0)
    page.get_by_test_id("redeem-next").click()
    field(page, "redeem-code").fill(code)
    page.get_by_test_id("redeem-lookup").click()
    expect(page.get_by_test_id("redeem-status")).to_have_text("已兑换")
    field(page, "redeem-code").fill("BOWEI-ZZZZZZZZZZ")
    page.get_by_test_id("redeem-lookup").click()
    expect(page.get_by_test_id("redeem-error")).to_contain_text("不属于本机构")

    # The H5 shows it redeemed.
    owner_page.bring_to_front()
    owner_page.reload()
    card = owner_page.locator(f'[data-testid="gift-pack"][data-code="{code}"]')
    expect(card.get_by_test_id("gift-pack-status")).to_have_text("已兑换")
    expect(card.get_by_test_id("gift-pack-qr")).to_have_count(0)

    with schema_context("datang"):
        issued = IssuedPack.objects.get(code=code)
        assert issued.status == IssueStatus.REDEEMED
        assert issued.redemptions.get().place == "大唐南山店"


def test_the_owner_buys_in_the_mall_and_the_webhook_pays_the_open_order(
    page: Page, url_on, stripe_api: responses.RequestsMock
) -> None:
    owner_with_customer(BUYER_MOBILE, "商城车主")
    with schema_context("datang"):
        wiper = product_save(actor=None, name=MALL_PRODUCT, kind="goods", source="博世", market_price=Decimal("168"),
                             actual_price=Decimal("88.50"), stock=5)  # fmt: skip

    owner_logs_in(page, url_on, BUYER_MOBILE)
    page.get_by_test_id("entry-mall").click()
    card = page.locator(f'[data-testid="mall-product"][data-product="{wiper.pk}"]')
    expect(card).to_contain_text(MALL_PRODUCT)
    card.get_by_test_id("mall-add").click()
    card.get_by_test_id("mall-add").click()
    page.get_by_test_id("mall-checkout").get_by_role("button").click()
    expect(page.get_by_test_id("cart-line")).to_contain_text(MALL_PRODUCT)
    page.get_by_test_id("cart-submit").get_by_role("button").click()

    expect(page.get_by_test_id("order-status")).to_have_text("待支付")
    expect(page.get_by_test_id("order-total")).to_have_text("¥177.00")
    expect(page.get_by_test_id("payment-unavailable")).to_be_visible()
    with schema_context("datang"):
        order = Order.objects.get(customer__mobile=BUYER_MOBILE)
        assert order.status == OrderStatus.PENDING_PAYMENT and order.total == Decimal("177.00")
        assert Product.objects.get(pk=wiper.pk).stock == 3  # held for the order
    sent = stripe_api.calls[0].request.body
    assert "amount=17700" in str(sent)

    # Stripe tells the platform host the payment succeeded.
    payload = json.dumps({
        "id": f"evt_e2e_{time.time_ns()}", "object": "event", "type": "payment_intent.succeeded",
        "api_version": "2025-01-27", "created": int(time.time()),
        "data": {"object": {"id": order.payment_intent, "object": "payment_intent",
                            "metadata": {"tenant": "datang", "order": str(order.pk)}}},
    })  # fmt: skip
    header = stripe.WebhookSignature.generate_signature_header(payload, settings.STRIPE_WEBHOOK_SECRET)
    request = urllib.request.Request(
        url_on(None, "/api/v1/payments/stripe/webhook/"),
        data=payload.encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200

    # The open page picks it up by itself.
    expect(page.get_by_test_id("order-status")).to_have_text("已支付")
    expect(page.get_by_test_id("order-paid")).to_be_visible()
    page.get_by_role("button", name="我的订单").click()
    expect(page.get_by_test_id("mall-order-row").filter(has_text=MALL_PRODUCT)).to_contain_text("已支付")
