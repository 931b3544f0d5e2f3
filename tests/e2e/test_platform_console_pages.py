"""The branding page previews the owner H5 live; the platform suspends a tenant and its host shows
the suspended page until it is resumed."""

import pytest
from playwright.sync_api import Page, expect

from tenants.lifecycle import tenant_resume
from tenants.models import Tenant, TenantStatus
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]


def css_var(page: Page, test_id: str, name: str) -> str:
    return str(
        page.get_by_test_id(test_id).evaluate(f"el => getComputedStyle(el).getPropertyValue('{name}')")
    ).strip()


def test_the_branding_page_previews_unsaved_colours_and_title(page: Page, url_on) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    open_menu(page, "menu-branding")
    preview = page.get_by_test_id("brand-preview")
    expect(preview.get_by_test_id("brand-name")).to_have_text("大唐经纪")
    assert css_var(page, "brand-preview", "--sxb-primary") == "#C8102E"

    field(page, "branding-primary_color").fill("#0A7C3E")
    field(page, "branding-h5_title").fill("大唐车险·车主服务")
    field(page, "branding-display_name").fill("大唐车险")
    expect(page.get_by_test_id("preview-title")).to_have_text("大唐车险·车主服务")
    expect(preview.get_by_test_id("brand-name")).to_have_text("大唐车险")
    button = page.get_by_test_id("preview-primary-button")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(10, 124, 62)"
    bar = preview.get_by_test_id("brand-bar")
    assert bar.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(10, 124, 62)"
    # a half-typed colour keeps the last good one in the preview, and saving it is refused by the form
    field(page, "branding-secondary_color").fill("#F2A")
    assert (
        css_var(page, "brand-preview", "--sxb-secondary") == "#F5A623"
    )  # the saved (default) secondary colour
    # nothing was saved: the console's own bar still wears Datang's red
    sidebar_bar = page.locator(".aside").get_by_test_id("brand-bar")
    assert sidebar_bar.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(200, 16, 46)"


def test_the_platform_suspends_a_tenant_and_its_host_answers_with_the_suspended_page(
    page: Page, url_on
) -> None:
    bowei = Tenant.objects.get(schema_name="bowei")
    try:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(url_on(None, "/console/"))
        login(page, PEOPLE["platform_admin"].mobile, PASSWORD)
        page.get_by_test_id("tenant-suspend-bowei").click()
        page.locator(".el-message-box input").fill("欠费未续")
        page.locator(".el-message-box").get_by_role("button", name="暂停").click()
        expect(page.get_by_test_id("tenant-resume-bowei")).to_be_visible()

        owner = page.context.new_page()
        owner.goto(url_on("bowei", "/"))
        expect(owner.get_by_test_id("tenant-suspended")).to_have_text("服务已暂停")
        expect(owner.locator("body")).to_contain_text("博维保险经纪有限公司")

        page.get_by_test_id("tenant-resume-bowei").click()
        expect(page.get_by_test_id("tenant-suspend-bowei")).to_be_visible()
        owner.goto(url_on("bowei", "/"))
        expect(owner.get_by_test_id("brand-name")).to_have_text("博维经纪")

        # Both steps are in the platform's audit log, named for people.
        open_menu(page, "menu-platform-audit")
        rows = page.get_by_test_id("platform-audit-table").locator(".el-table__body tr")
        expect(rows.nth(0).locator("td").nth(2)).to_have_text("恢复租户")
        expect(rows.nth(1).locator("td").nth(2)).to_have_text("暂停租户")
    finally:
        bowei.refresh_from_db()
        if bowei.status != TenantStatus.ACTIVE:
            tenant_resume(actor=None, tenant_id=bowei.pk)


def test_a_support_session_opens_the_tenant_console_with_a_banner_and_is_listed_to_the_tenant(
    page: Page, url_on
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url_on(None, "/console/"))
    login(page, PEOPLE["platform_admin"].mobile, PASSWORD)
    page.get_by_test_id("tenant-support-datang").click()
    field(page, "support-reason").fill("协助核对结算单（工单 #2048）")
    with page.context.expect_page() as opened:
        page.get_by_test_id("support-start").click()
    support = opened.value
    support.set_viewport_size({"width": 1366, "height": 900})
    expect(support.get_by_test_id("support-banner")).to_contain_text(
        "平台支持 平台管理员 正在以 陈大唐 的身份操作"
    )
    expect(support.get_by_test_id("user-name")).to_have_text("陈大唐")
    assert "support_token" not in support.url  # the token left the address bar
    open_menu(support, "menu-support-sessions")
    expect(support.get_by_test_id("support-table")).to_contain_text("协助核对结算单（工单 #2048）")
    # the tenant's own admin, in their own browser, sees the session listed and no banner
    browser = page.context.browser
    assert browser is not None
    own = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    try:
        admin = own.new_page()
        admin.goto(url_on("datang", "/console/"))
        login(admin, PEOPLE["datang_admin"].mobile, PASSWORD)
        open_menu(admin, "menu-support-sessions")
        expect(admin.get_by_test_id("support-table")).to_contain_text("协助核对结算单（工单 #2048）")
        expect(admin.get_by_test_id("support-table")).to_contain_text("平台管理员")
        expect(admin.get_by_test_id("support-banner")).to_have_count(0)
    finally:
        own.close()
