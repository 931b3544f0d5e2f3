"""A brokerage signs up on the public site in the browser, watches its tenant being provisioned by a
real Celery worker, and its admin logs in at the new subdomain to the setup checklist."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from accounts import sms
from config.celery import app
from subscriptions.models import Subscription
from tests.conftest import committed_db
from tests.e2e.test_branding_login import field
from tests.subscriptions.conftest import uscc

pytestmark = [pytest.mark.e2e, pytest.mark.worker, committed_db]

MOBILE = "13566660001"
PASSWORD = "Huaxin@2026"


def test_a_brokerage_signs_up_and_lands_in_its_console_with_the_setup_checklist(
    page: Page, url_on, settings
) -> None:
    queue = f"test-signup-{os.getpid()}"
    settings.SIGNUP_PROVISION_QUEUE = queue
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on(None, "/console/#/login"))
    page.get_by_test_id("login-signup").click()

    field(page, "signup-company").fill("华信保险经纪有限公司")
    field(page, "signup-uscc").fill(uscc("91440300MA5H00001"))
    field(page, "signup-mobile").fill(MOBILE)
    sent_before = len(sms.outbox)
    page.get_by_test_id("signup-send-code").click()
    expect(page.get_by_test_id("signup-send-code")).to_contain_text("秒后重发")
    code = next(m for m in sms.outbox[sent_before:] if m.mobile == MOBILE).params["code"]
    field(page, "signup-code").fill(code)
    field(page, "signup-subdomain").fill("huaxine2e")
    field(page, "signup-admin-name").fill("华信管理员")
    field(page, "signup-password").fill(PASSWORD)

    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        page.get_by_test_id("signup-submit").click()
        status = page.get_by_test_id("signup-status")
        expect(status).to_be_visible()
        expect(status).to_have_attribute("data-status", "ready", timeout=120_000)
    expect(status).to_contain_text("开通完成")
    sub = Subscription.objects.select_related("plan").get(tenant__schema_name="huaxine2e")
    assert (sub.plan.code, sub.status) == ("basic", "trialing")

    # 进入我的控制台 signs the new admin in: no password typed, a one-time ticket in the link
    # (the page leaves for the link at once, so the answer is read on its way to the page)
    issued: list[str] = []

    def keep(route) -> None:
        response = route.fetch()
        issued.append(response.json()["signin_url"])
        route.fulfill(response=response)

    page.route("**/api/v1/signup/*/ticket/", keep)
    page.get_by_test_id("signup-console-link").click()
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist).to_be_visible(timeout=20_000)  # a new tenant's first calls are slow on a busy machine
    assert "ticket" not in page.url  # dropped from the address once used
    [signin_url] = issued
    assert signin_url.startswith(url_on("huaxine2e", "/console/#/login?ticket="))

    # the same link again (another browser): spent, so the login form says why and asks the password
    assert page.context.browser is not None
    other = page.context.browser.new_page()
    other.goto(signin_url)
    expect(other.get_by_test_id("login-error")).to_contain_text("已使用")
    expect(other.get_by_test_id("login-mobile")).to_be_visible()
    expect(other.get_by_test_id("setup-checklist")).to_have_count(0)
    other.close()

    expect(checklist).to_be_visible()
    expect(page.get_by_test_id("setup-done")).to_have_text("0")
    for key in ("branding", "tiers", "insurers", "agents"):
        expect(page.get_by_test_id(f"setup-{key}")).to_have_attribute("data-done", "false")
    page.get_by_test_id("setup-tiers").get_by_role("link").click()
    expect(page).to_have_url(url_on("huaxine2e", "/console/#/tiers"))
    expect(page.get_by_test_id("tier-table")).to_contain_text("尚未设置层级")
