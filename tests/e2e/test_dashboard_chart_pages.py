"""工作台's charts really draw: with open repairs seeded at Datang, the admin's 在修车辆 chart paints its
canvas (ECharts, loaded lazily) with the tenant's colour, not a blank box. Waits for the pixels, never
for a time. SXB_SCREENSHOTS=<dir> saves the dashboard as dashboard-tenant_admin.png."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from aftersales.models import ServiceOrder
from core.validators import uscc_check_char
from directory.models import Shop
from directory.services import shop_create
from tenants.models import Tenant
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.test_branding_login import login

pytestmark = [pytest.mark.e2e, committed_db]

USCC17 = "91430104MA4C7A" + "002"

# Painted pixels of a canvas inside the element with this test id (0 while blank or not there yet).
PAINTED = """(testId) => {
  const canvas = document.querySelector(`[data-testid="${testId}"] canvas`)
  if (!canvas || !canvas.width || !canvas.height) return 0
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
  let painted = 0
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++
  return painted
}"""


def seed() -> None:
    """Two repairs under way and one finished at Datang (kept between runs: created once)."""
    uscc = USCC17 + uscc_check_char(USCC17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name="看板E2E门店", uscc=uscc, address="长沙市岳麓区 2 号", services=["维修"]
    )
    owner = User.objects.get(mobile=PEOPLE["datang_owner"].mobile)
    datang = Tenant.objects.get(schema_name="datang")
    for n, state in enumerate(["requested", "in_progress", "settled"], start=1):
        ServiceOrder.objects.get_or_create(
            no=f"SO-CHART-{n}",
            defaults=dict(
                tenant=datang, shop=shop, owner=owner, customer_id=1, vehicle_id=1, customer_name="赵车主",
                customer_mobile=owner.mobile, plate=f"湘A7C00{n}", service="维修", description="保险杠", state=state,
            ),
        )  # fmt: skip


def test_the_admin_dashboard_chart_paints_its_canvas(page: Page, url_on) -> None:
    seed()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    chart = page.get_by_test_id("dashboard-repairs-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("dashboard-repairs-empty")).to_have_count(0)
    # the canvas holds a drawing: thousands of painted pixels, not a blank box
    page.wait_for_function(f"({PAINTED})('dashboard-repairs-chart') > 2000")
    assert page.evaluate(PAINTED, "dashboard-repairs-chart") > 2000
    shots = os.environ.get("SXB_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/dashboard-tenant_admin.png")
