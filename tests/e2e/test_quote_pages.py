"""An agent quick-quotes a customer's car on the phone, saves and sends the quote; the owner opens
it on the tenant's H5 and accepts 平安's option, and the policies are issued.

The car: 粤B, 5 seats, 2.0 L, registered 2022, one claim-free year (A1, NCD 0.8), 广东, 交强险 and
车船税 with 三者险 100万 only: 交强险 950 × (1 − 10%) = 855.00, 车船税 420 × 12/12 = 420.00,
三者险 人保 1100 × 0.8 × 0.85 = 748.00, total 2023.00 (the cheapest); 平安 2026.17."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.services import membership_grant, user_create
from customers.services import customer_create
from network.services import agent_create, tier_create
from quotes.models import Quote, QuoteStatus
from tenants.models import Tenant
from tests.conftest import committed_db
from tests.e2e.test_branding_login import field, login
from tests.insurers import DATANG_INSURERS, enable_insurers

pytestmark = [pytest.mark.e2e, committed_db]

AGENT_MOBILE, OWNER_MOBILE = "13644449211", "13644449221"
PLATE = "粤B5Q7K3"


def option(page: Page, insurer: str):
    return page.locator(f'[data-testid="quote-option"][data-insurer="{insurer}"]')


def test_agent_quotes_and_sends_the_owner_accepts_pingan_and_the_policies_are_issued(
    page: Page, url_on
) -> None:
    datang = Tenant.objects.get(schema_name="datang")
    enable_insurers("datang", DATANG_INSURERS)
    today = timezone.localdate()
    # The owner already has an H5 account: registering the customer links it by mobile.
    owner = user_create(mobile=OWNER_MOBILE, name="韩车主", password="Owner@2026x")
    membership_grant(user=owner, role=Role.OWNER, tenant_id=datang.pk)
    with schema_context("datang"):
        tier = tier_create(actor=None, name="报价页销售", rank=7)
        agent = agent_create(
            actor=None,
            name="韦销售",
            mobile=AGENT_MOBILE,
            licence_no="L-9211",
            tier_id=tier.pk,
            password="Agent@2026x",
        )
        customer_create(
            actor=None,
            name="韩车主",
            mobile=OWNER_MOBILE,
            promoter_id=agent.pk,
            vehicles=[
                {
                    "plate": PLATE,
                    "brand_model": "丰田 凯美瑞",
                    "seats": 5,
                    "displacement": Decimal("2.0"),
                    "use": "family",
                    "first_registered_on": today.replace(year=2022, month=3, day=15),
                    "purchase_price": Decimal("215000.00"),
                    "ctpl_expires_on": today + timedelta(days=40),
                }
            ],
        )

    # The agent opens the customer's car and quotes it.
    page.goto(url_on("datang", "/agent/"))
    login(page, AGENT_MOBILE, "Agent@2026x")
    page.get_by_test_id("entry-customers").click()
    page.get_by_test_id("customer-row").filter(has_text="韩车主").click()
    expect(page.get_by_test_id("vehicle-row")).to_contain_text(PLATE)
    page.get_by_test_id("vehicle-quote").click()
    expect(page.get_by_test_id("quote-vehicle")).to_contain_text(PLATE)
    expect(page.get_by_test_id("quote-province")).to_have_value("广东")
    expect(page.get_by_test_id("quote-ctpl-class")).to_have_value("A1")
    for cover in ("cov-own-damage", "cov-driver", "cov-passenger"):
        page.get_by_test_id(cover).click()

    # A bad seat count first: the server's error shows by the field.
    page.get_by_text("核对 / 修改车辆信息").click()
    field(page, "quote-seats").fill("0")
    page.get_by_test_id("quote-rate").click()
    expect(page.locator(".van-field", has=page.locator('input[data-testid="quote-seats"]'))).to_contain_text(
        re.compile(r"座")
    )
    field(page, "quote-seats").fill("5")
    page.get_by_test_id("quote-rate").click()

    options = page.get_by_test_id("quote-option")
    expect(options).to_have_count(6)
    expect(page.get_by_test_id("option-cheapest")).to_have_count(1)
    picc = option(page, "PICC")
    expect(picc.get_by_test_id("option-cheapest")).to_have_text("最低价")
    expect(picc.get_by_test_id("option-total")).to_have_text("¥2,023.00")
    expect(option(page, "PINGAN").get_by_test_id("option-total")).to_have_text("¥2,026.17")
    expect(picc.get_by_test_id("option-commission")).to_contain_text("¥221.20")  # 855 × 4% + 748 × 25%
    picc.get_by_test_id("option-toggle").click()
    breakdown = picc.get_by_test_id("option-breakdown")
    expect(breakdown).to_contain_text("950.00 × (1 − 10%) = 855.00")
    expect(breakdown).to_contain_text("420.00 × 12/12 = 420.00")
    expect(breakdown).to_contain_text("1100.00 × NCD 0.8 × 系数 0.85 = 748.00")

    page.get_by_test_id("quote-create").click()
    expect(page.get_by_test_id("quote-status")).to_have_text("平台已报价")
    expect(page.get_by_test_id("quote-option")).to_have_count(6)
    page.get_by_test_id("quote-send").click()
    field(page, "send-note").fill("平安服务好，只贵三元")
    page.get_by_test_id("dialog-confirm").click()
    expect(page.get_by_test_id("quote-status")).to_have_text("代理人已报价")
    expect(page.get_by_test_id("quote-history")).to_contain_text("平安服务好，只贵三元")

    # The owner sees it in 我的报价, without the tenant's commission, and accepts 平安.
    owner_page = page.context.new_page()
    owner_page.goto(url_on("datang", "/"))
    owner_page.get_by_test_id("login-tab-password").click()
    login(owner_page, OWNER_MOBILE, "Owner@2026x")
    owner_page.get_by_test_id("entry-quotes").click()
    rows = owner_page.get_by_test_id("quote-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(PLATE)
    expect(rows.first).to_contain_text("代理人已报价")
    rows.first.click()
    expect(owner_page.get_by_test_id("quote-option")).to_have_count(6)
    expect(owner_page.get_by_test_id("option-commission")).to_have_count(0)
    expect(owner_page.get_by_test_id("quote-send")).to_have_count(0)
    option(owner_page, "PINGAN").get_by_test_id("option-accept").click()
    expect(owner_page.get_by_test_id("action-dialog")).to_contain_text("¥2,026.17")
    owner_page.get_by_test_id("dialog-confirm").click()
    expect(owner_page.get_by_test_id("quote-status")).to_have_text("已出单")
    policies = owner_page.get_by_test_id("policy-row")
    expect(policies).to_have_count(2)
    expect(owner_page.get_by_test_id("quote-policies")).to_contain_text(re.compile(r"PINGANJQ\d+"))
    expect(owner_page.get_by_test_id("option-accept")).to_have_count(0)

    # Back on the agent's phone, the customer's page lists the quote and its policies.
    page.go_back()
    page.get_by_role("tab", name="报价保单").click()
    expect(page.get_by_test_id("customer-quotes").get_by_test_id("quote-row")).to_contain_text("已出单")
    expect(page.get_by_test_id("customer-policies").get_by_test_id("policy-row")).to_have_count(2)
    expect(page.get_by_test_id("customer-policies")).to_contain_text(re.compile(r"PINGANJQ\d+"))

    with schema_context("datang"):
        quote = Quote.objects.select_related("chosen_option__insurer").get(plate=PLATE)
        assert quote.status == QuoteStatus.ISSUED
        assert quote.chosen_option is not None and quote.chosen_option.insurer.code == "PINGAN"
        assert quote.chosen_option.total == Decimal("2026.17")
        numbers = sorted(quote.policies.values_list("number", flat=True))
        assert numbers[0].startswith("PINGANJQ") and numbers[1].startswith("PINGANSY")
