"""产品推荐 in the browser: an agent opens the catalogue, shares a product (link and QR); an owner who
is not signed in opens the link, signs in, finds the product first in the mall and orders it; the order
names the agent as its promoter (the customer had none), so the sale pays his chain (tests/mall has
the amounts). Stripe is answered at the HTTP boundary as in test_gift_pack_pages."""

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
import responses
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.services import membership_grant, user_create
from catalog.services import pack_save, product_save
from customers.services import customer_create
from mall.models import Order
from network.services import agent_create, tier_create
from tenants.models import Tenant
from tests.conftest import committed_db
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]

AGENT_MOBILE, OWNER_MOBILE = "13644449711", "13644449721"
AGENT_PASSWORD, OWNER_PASSWORD = "Agent@2026x", "Owner@2026x"


@pytest.fixture
def stripe_intents() -> Iterator[responses.RequestsMock]:
    made = count(1)

    def intent(request):
        n = next(made)
        body = {"id": f"pi_cat_{time.time_ns()}_{n}", "object": "payment_intent",
                "status": "requires_payment_method", "client_secret": f"pi_cat_{n}_secret_x", "currency": "cny"}  # fmt: skip
        return 200, {}, json.dumps(body)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, "https://api.stripe.com/v1/payment_intents", callback=intent)
        yield mock


def test_an_agent_shares_a_product_and_the_owners_order_names_him(
    page: Page, url_on, stripe_intents: responses.RequestsMock
) -> None:
    with schema_context("datang"):
        tier = tier_create(actor=None, name="推荐页销售", rank=72)
        agent = agent_create(actor=None, name="推荐销售", mobile=AGENT_MOBILE, licence_no="L-9711", tier_id=tier.pk,
                             password=AGENT_PASSWORD)  # fmt: skip
        oil = product_save(actor=None, name="推荐页机油E2E", kind="goods", market_price=Decimal("210"),
                           actual_price=Decimal("188.50"), stock=5)  # fmt: skip
        pack_save(actor=None, name="推荐页礼包E2E", expires_on=timezone.localdate() + timedelta(days=30),
                  redeem_mode="whole", items=[{"product": oil.pk, "quantity": 1}])  # fmt: skip
    owner = user_create(mobile=OWNER_MOBILE, name="推荐车主", password=OWNER_PASSWORD)
    membership_grant(user=owner, role=Role.OWNER, tenant_id=Tenant.objects.get(schema_name="datang").pk)
    with schema_context("datang"):
        customer_create(actor=None, name="推荐车主", mobile=OWNER_MOBILE)  # no promoter yet

    page.goto(url_on("datang", "/agent/"))
    login(page, AGENT_MOBILE, AGENT_PASSWORD)
    page.get_by_test_id("entry-catalogue").click()
    expect(page.get_by_test_id("catalogue-product").filter(has_text="推荐页机油E2E")).to_contain_text(
        "188.50"
    )
    page.get_by_role("tab", name="礼包").click()
    expect(page.get_by_test_id("catalogue-pack").filter(has_text="推荐页礼包E2E")).to_be_visible()
    page.get_by_role("tab", name="商品与服务").click()
    page.get_by_test_id(f"share-product-{oil.pk}").click()
    expect(page.get_by_test_id("catalogue-qr")).to_be_visible()
    link = page.get_by_test_id("catalogue-link").inner_text()
    assert link == url_on("datang", f"/#/mall?product={oil.pk}&ref={agent.referral_code}")

    browser = page.context.browser
    assert browser is not None
    owner_page = browser.new_context(locale="zh-CN", viewport={"width": 414, "height": 896}).new_page()
    owner_page.set_default_timeout(15_000)
    owner_page.goto(link)
    owner_page.get_by_test_id("login-tab-password").click()
    field(owner_page, "login-mobile").fill(OWNER_MOBILE)
    field(owner_page, "login-password").fill(OWNER_PASSWORD)
    owner_page.get_by_test_id("login-submit").click()
    # Signing in returns to the shared link itself (its product and its ref), not to 首页.
    expect(owner_page).to_have_url(re.compile(rf"#/mall\?product={oil.pk}&ref={agent.referral_code}$"))
    first = owner_page.get_by_test_id("mall-product").first
    expect(first).to_have_attribute("data-product", str(oil.pk))
    first.get_by_test_id("mall-add").click()
    owner_page.get_by_test_id("mall-checkout").get_by_role("button").click()
    owner_page.get_by_test_id("cart-submit").get_by_role("button").click()
    expect(owner_page.get_by_test_id("order-status")).to_have_text("待支付")
    with schema_context("datang"):
        order = Order.objects.get(customer__mobile=OWNER_MOBILE)
        assert order.promoter_id == agent.pk and order.total == Decimal("188.50")
    owner_page.context.close()
