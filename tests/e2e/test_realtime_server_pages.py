"""The console's live badge when streams are served by the stream server on its own port (as
`make run` does: REALTIME_STREAM_PORT): the page opens its EventSource on that port of its own host,
the Content-Security-Policy lets it, and a low-stock alert lights the badge without a reload."""

import copy
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core.validators import uscc_check_char
from directory.models import Shop
from directory.services import shop_create, shop_staff_add
from inventory.models import Part
from inventory.services import part_save, stock_consume, stock_purchase
from tests.conftest import committed_db
from tests.e2e.test_branding_login import login
from tests.realtime.test_stream_server import stream_port  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, committed_db]

STAFF, PASSWORD = "13655591072", "Stream@2026shop"
USCC17 = "91430104MA4NTC072"


def shop_with_filters() -> tuple[Shop, Part]:
    uscc = USCC17 + uscc_check_char(USCC17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name="推送E2E开福店", uscc=uscc, address="长沙市开福区芙蓉北路 2 号", services=["保养"]
    )
    shop_staff_add(actor=None, shop=shop, mobile=STAFF, name="开福店长", password=PASSWORD)
    part = part_save(actor=None, shop=shop, code="FLT-E2E", name="E2E机滤", unit="个", unit_cost="30.00",
                     sale_price="58.00", reorder_level="2")  # fmt: skip
    stock_purchase(actor=None, part=part, quantity="3", unit_cost="30.00")
    return shop, part


def test_the_badge_lights_through_the_stream_server_on_its_own_port(
    page: Page,
    url_on,
    settings,
    stream_port: int,  # noqa: F811
) -> None:
    settings.REALTIME_STREAM_PORT = str(stream_port)
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["connect-src"] += [f"localhost:{stream_port}", f"*.localhost:{stream_port}"]
    settings.CONTENT_SECURITY_POLICY = policy
    shop, part = shop_with_filters()
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/realtime/stream/" in r.url else None)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on(None, "/console/"))
    login(page, STAFF, PASSWORD)
    expect(page.get_by_test_id("user-name")).to_contain_text("开福店长")
    badge = page.get_by_test_id("inbox-badge").locator(".el-badge__content")
    expect(badge).to_be_hidden()
    page.wait_for_timeout(1000)  # the stream opens after the first count

    stock_consume(actor=None, shop=shop, reference="WO-E2E-S1", lines=[(part.pk, Decimal("1"), "")])
    expect(badge).to_have_text("1", timeout=15_000)
    assert streams and all(
        url.startswith(f"http://localhost:{stream_port}/api/v1/realtime/stream/") for url in streams
    )
    assert blocked == []
