"""A person logs in on a tenant's host and sees that tenant's name and colour."""

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts import sms
from tests.conftest import PASSWORD, PEOPLE, committed_db

pytestmark = [pytest.mark.e2e, committed_db]

DATANG_RED = "rgb(200, 16, 46)"  # #C8102E
BOWEI_BLUE = "rgb(11, 95, 165)"  # #0B5FA5


def brand_colour(page: Page) -> str:
    return str(page.get_by_test_id("brand-bar").evaluate("el => getComputedStyle(el).backgroundColor"))


def field(page: Page, test_id: str) -> Locator:
    """Vant and Element Plus put the test id on the field's wrapper; type into its input."""
    return page.locator(
        f'[data-testid="{test_id}"] input, [data-testid="{test_id}"] textarea, '
        f'input[data-testid="{test_id}"], textarea[data-testid="{test_id}"]'
    ).first


def login(page: Page, mobile: str, password: str) -> None:
    field(page, "login-mobile").fill(mobile)
    field(page, "login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    # Admins and finance have a second step: the SMS code sent after the password (the dev SMS
    # backend keeps it in sms.outbox; live_server runs in this process).
    otp = page.get_by_test_id("login-otp")
    outcome = page.get_by_test_id("user-name").or_(otp).or_(page.get_by_test_id("login-error"))
    expect(outcome.first).to_be_visible()
    if otp.is_visible():
        code = next(m.params["code"] for m in reversed(sms.outbox) if m.mobile == mobile)
        field(page, "login-otp").fill(code)
        page.get_by_test_id("login-submit").click()


def test_agent_logs_in_on_datang_and_sees_datang_then_bowei_shows_bowei(page: Page, url_on) -> None:
    page.goto(url_on("datang", "/agent/"))
    login(page, PEOPLE["datang_agent"].mobile, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("王海峰")
    expect(page.get_by_test_id("brand-name")).to_have_text("大唐经纪")
    assert brand_colour(page) == DATANG_RED
    assert page.title() == "大唐经纪"

    page.goto(url_on("bowei", "/agent/"))
    expect(page.get_by_test_id("brand-name")).to_have_text("博维经纪")
    assert brand_colour(page) == BOWEI_BLUE
    # the Datang session does not follow the agent to Bowei's host
    expect(page.get_by_test_id("login-submit")).to_be_visible()


def test_the_datang_agent_cannot_log_in_on_bowei(page: Page, url_on) -> None:
    page.goto(url_on("bowei", "/agent/"))
    login(page, PEOPLE["datang_agent"].mobile, PASSWORD)
    expect(page.get_by_test_id("login-error")).to_contain_text("手机号或密码错误")


def test_owner_logs_in_on_the_datang_h5_with_a_password(page: Page, url_on) -> None:
    page.goto(url_on("datang", "/"))
    expect(page.get_by_test_id("brand-name")).to_have_text("大唐经纪")
    page.get_by_test_id("login-tab-password").click()
    login(page, PEOPLE["datang_owner"].mobile, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("赵车主")
    assert brand_colour(page) == DATANG_RED


def test_tenant_admin_sees_the_console_home(page: Page, url_on) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("陈大唐")
    expect(page.get_by_test_id("brand-name")).to_have_text("大唐经纪")


def test_platform_admin_creates_a_tenant_in_the_console(page: Page, url_on) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on(None, "/console/"))
    login(page, PEOPLE["platform_admin"].mobile, PASSWORD)
    page.get_by_test_id("tenant-new").click()
    fields = {
        "name": "安达保险代理有限公司",
        "schema_name": "anda",
        "domain": "anda.localhost",
        "display_name": "安达代理",
        "primary_color": "#2E7D32",
        "admin_mobile": "13633334444",
        "admin_name": "安管理",
        "admin_password": "Anda@2026x",
    }
    for name, value in fields.items():
        field(page, f"tenant-form-{name}").fill(value)
    page.get_by_test_id("tenant-form-submit").click()
    # Provisioning migrates a whole schema (every tenant app) inside the request: give it time.
    expect(page.get_by_test_id("tenant-table")).to_contain_text("anda.localhost", timeout=90_000)

    # the new tenant's admin logs in at its host and sees its branding
    page.goto(url_on("anda", "/console/"))
    expect(page.get_by_test_id("brand-name")).to_have_text("安达代理")
    login(page, "13633334444", "Anda@2026x")
    expect(page.get_by_test_id("user-name")).to_contain_text("安管理")
    assert brand_colour(page) == "rgb(46, 125, 50)"
