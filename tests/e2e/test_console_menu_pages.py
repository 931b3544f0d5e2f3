"""Every console role walks its grouped menu (销售 / 客户 / 分销与结算 / 商品与商城 / 售后 / 设置 on a
tenant's host; 平台管理 / 门店 / 理赔 on the platform's): each page opens under its 位置：首页 > 组 > 页
breadcrumb, finishes loading, and no page raises a script error or logs a console error (a failed call
logs one too). SXB_SCREENSHOTS=<dir> saves what each role sees first."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from core.validators import uscc_check_char
from directory.models import Insurer, Shop
from directory.services import insurer_staff_add, shop_create, shop_staff_add
from tenants.models import Tenant
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.test_branding_login import login

pytestmark = [pytest.mark.e2e, committed_db]

FINANCE, STAFF, CLAIMS = "13644459002", "13644459031", "13644459041"
STAFF_PASSWORD = "Menu@2026x"
USCC17 = "91430104MA4M3N" + "001"

TENANT_GROUPS = ["销售", "客户", "分销与结算", "商品与商城", "售后", "设置"]


def world() -> None:
    """A finance user at Datang, a shop with staff and PICC claim staff (kept between runs)."""
    datang = Tenant.objects.get(schema_name="datang")
    finance = User.objects.filter(mobile=FINANCE).first() or user_create(
        mobile=FINANCE, name="钱财务", password=STAFF_PASSWORD
    )
    membership_grant(user=finance, role=Role.FINANCE, tenant_id=datang.pk)
    uscc = USCC17 + uscc_check_char(USCC17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name="菜单E2E门店", uscc=uscc, address="长沙市岳麓区 1 号", services=["保养"]
    )
    shop_staff_add(actor=None, shop=shop, mobile=STAFF, name="菜单技师", password=STAFF_PASSWORD)
    insurer_staff_add(actor=None, insurer=Insurer.objects.get(code="PICC"), mobile=CLAIMS, name="菜单查勘员",
                      password=STAFF_PASSWORD)  # fmt: skip


# role -> (host, mobile, password, the groups it sees in order)
ROLES = {
    "platform_admin": (None, PEOPLE["platform_admin"].mobile, PASSWORD, ["平台管理"]),
    "tenant_admin": ("datang", PEOPLE["datang_admin"].mobile, PASSWORD, TENANT_GROUPS),
    "finance": ("datang", FINANCE, STAFF_PASSWORD, TENANT_GROUPS),
    "shop_staff": (None, STAFF, STAFF_PASSWORD, ["门店"]),
    "insurer_staff": (None, CLAIMS, STAFF_PASSWORD, ["理赔"]),
}


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    return errors


def walk(page: Page) -> list[str]:
    """Open every item of every group; returns '组 > 页' for each page visited."""
    visited = []
    groups = page.locator("[data-testid=console-menu] > .el-sub-menu")
    for g in range(groups.count()):
        group = groups.nth(g)
        title = group.locator(".el-sub-menu__title").first
        group_label = title.inner_text().strip()
        items = group.locator(".el-menu-item")
        if not items.first.is_visible():
            title.click()
        for i in range(items.count()):
            item = items.nth(i)
            label = item.inner_text().strip()
            item.click()
            expect(page.get_by_test_id("breadcrumb")).to_have_text(f"位置：首页 > {group_label} > {label}")
            # the page's own loading masks are gone: its first calls have answered
            expect(page.locator(".el-main .el-loading-mask:visible")).to_have_count(0)
            expect(item).to_have_class(lambda c: "is-active" in c) if False else expect(
                item
            ).to_contain_class("is-active")
            visited.append(f"{group_label} > {label}")
    return visited


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_walks_its_grouped_menu_without_an_error(browser: Browser, url_on, role: str) -> None:
    world()
    schema, mobile, password, groups = ROLES[role]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url_on(schema, "/console/"))
    login(page, mobile, password)
    menu = page.get_by_test_id("console-menu")
    expect(menu).to_be_visible()
    # watched from here: the login's first answer is a 401 otp_required for admins and finance (the
    # second factor), which Chromium logs as a failed resource
    errors = watch_errors(page)
    shots = os.environ.get("SXB_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        expect(page.locator(".el-main .el-loading-mask:visible")).to_have_count(0)
        page.screenshot(path=f"{shots}/menu-{role}.png")
    titles = menu.locator(":scope > .el-sub-menu > .el-sub-menu__title")
    expect(titles).to_have_text(groups)
    # every group title fits the 900 px screen (the flat list used to put five items below the fold)
    for t in range(titles.count()):
        box = titles.nth(t).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900, titles.nth(t).inner_text()
    visited = walk(page)
    assert len(visited) >= 2, visited
    assert errors == [], errors
    context.close()
