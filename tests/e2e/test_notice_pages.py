"""The admin pushes a policy in the console; the agent's app, already open, shows the badge at once
(the real-time stream, no reload), the agent reads it, and the console's receipt shows it read."""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from network.services import agent_create, tier_create
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]

AGENT_MOBILE, AGENT_PASSWORD = "13633330071", "Agent@2026push"


def open_messages(phone: Page) -> None:
    """Tap the 消息 tab. A tap that lands while the badge is being redrawn can be lost: tap again."""
    for _ in range(3):
        phone.get_by_test_id("tab-messages").click()
        try:
            phone.wait_for_url(re.compile(r"#/messages"), timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    expect(phone).to_have_url(re.compile(r"#/messages"))


def test_a_pushed_policy_lights_the_open_agent_app_s_badge_and_comes_back_as_read(page: Page, url_on) -> None:
    with schema_context("datang"):
        tier = tier_create(actor=None, name="政策推送测试职级", rank=71)
        agent_create(actor=None, name="冯推送", mobile=AGENT_MOBILE, licence_no="L-PUSH-71", tier_id=tier.pk,
                     password=AGENT_PASSWORD)  # fmt: skip

    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 800})
    phone.goto(url_on("datang", "/agent/"))
    login(phone, AGENT_MOBILE, AGENT_PASSWORD)
    expect(phone.get_by_test_id("user-name")).to_contain_text("冯推送")
    tab = phone.get_by_test_id("tab-messages")
    expect(tab).to_be_visible()
    expect(tab.locator(".van-badge")).to_have_count(0)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    open_menu(page, "menu-announcements")
    page.get_by_test_id("announcement-new").click()
    field(page, "announcement-title").fill("平安车险手续费调整")
    page.get_by_test_id("announcement-body").click()
    page.keyboard.type("即日起交强险手续费上调至 4%")
    for test_id, day in (("announcement-from", "2026-12-01"), ("announcement-until", "2026-12-31")):
        box = page.locator(f'[data-testid="{test_id}"] input, input[data-testid="{test_id}"]').first
        box.fill(day)
        box.press("Enter")
    page.locator(".el-radio", has_text="按职级").click()
    page.get_by_test_id("announcement-tiers").click()
    page.locator(".el-select-dropdown__item:visible", has_text="政策推送测试职级").click()
    page.keyboard.press("Escape")
    page.get_by_test_id("announcement-submit").click()
    table = page.get_by_test_id("announcement-table")
    expect(table).to_contain_text("平安车险手续费调整")
    expect(table).to_contain_text("0 / 1 已读")

    # The phone was never reloaded: the push brought the badge.
    expect(tab.locator(".van-badge")).to_have_text("1", timeout=15_000)
    open_messages(phone)
    item = phone.get_by_test_id("announcement-item")
    expect(item).to_contain_text("平安车险手续费调整")
    item.click()
    expect(phone.get_by_test_id("announcement-detail")).to_contain_text("即日起交强险手续费上调至 4%")
    expect(phone.get_by_test_id("announcement-detail")).to_contain_text("2026-12-01 至 2026-12-31")
    phone.go_back()
    expect(phone.get_by_test_id("tab-messages").locator(".van-badge")).to_have_count(0)

    page.reload()
    expect(page.get_by_test_id("announcement-table")).to_contain_text("1 / 1 已读")
    page.get_by_test_id("announcement-receipts").first.click()
    expect(page.get_by_test_id("receipt-table")).to_contain_text("冯推送")
