"""After-sales in the browser, live: an owner requests a repair (a PICC claim) in Datang's H5; the
shop's console, open beforehand, shows it without a reload; the shop accepts, estimates, works and
settles in its console; every step appears on the owner's page and their agent's app as it
happens (pushed, never reloaded); the owner reviews; PICC's claim staff see the purchase prices."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from aftersales.models import ServiceOrder
from aftersales.services import Actor, order_insurer_approve
from catalog.models import PartnerShop
from core.validators import uscc_check_char
from customers.models import Customer
from customers.services import customer_create, vehicle_add
from directory.models import Insurer, Shop
from directory.services import insurer_staff_add, shop_create, shop_staff_add
from network.models import Distributor
from network.services import agent_create, tier_create
from tenants.models import Tenant
from tests.conftest import committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import field, login
from tests.insurers import car, enable_insurers

pytestmark = [pytest.mark.e2e, committed_db]

AGENT, OWNER, STAFF, CLAIMS = "13644458011", "13644458021", "13644458031", "13644458041"
PASSWORD = "After@2026x"
SHOP = "售后E2E岳麓店"
USCC17 = "91430104MA4E2E" + "001"
PLATE = "湘A8E2E8"


def world() -> Shop:
    """Shop, staff, partner, agent, owner with a car, PICC claim staff (kept between runs)."""
    uscc = USCC17 + uscc_check_char(USCC17)
    shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
        actor=None, name=SHOP, uscc=uscc, address="长沙市岳麓区麓山南路 1 号", services=["保养", "事故车维修"]
    )
    shop_staff_add(actor=None, shop=shop, mobile=STAFF, name="岳麓技师", password=PASSWORD)
    insurer_staff_add(actor=None, insurer=Insurer.objects.get(code="PICC"), mobile=CLAIMS, name="人保查勘员",
                      password=PASSWORD)  # fmt: skip
    enable_insurers("datang", ["PICC"])
    datang = Tenant.objects.get(schema_name="datang")
    owner = User.objects.filter(mobile=OWNER).first() or user_create(
        mobile=OWNER, name="孙车主", password=PASSWORD
    )
    membership_grant(user=owner, role=Role.OWNER, tenant_id=datang.pk)
    with schema_context("datang"):
        PartnerShop.objects.get_or_create(shop=shop)
        agent = Distributor.objects.filter(mobile=AGENT).first() or agent_create(
            actor=None, name="钟售后", mobile=AGENT, licence_no="L-8011", password=PASSWORD,
            tier_id=tier_create(actor=None, name="售后页销售", rank=8).pk,
        )  # fmt: skip
        if not Customer.objects.filter(mobile=OWNER).exists():
            customer = customer_create(actor=None, name="孙车主", mobile=OWNER, promoter_id=agent.pk)
            vehicle_add(actor=None, customer=customer, **car(plate=PLATE, brand_model="大众帕萨特"))
    return shop


def test_a_repair_is_followed_live_by_owner_agent_shop_and_insurer(
    browser: Browser, page: Page, url_on
) -> None:
    world()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url_on(None, "/console/"))
    login(page, STAFF, PASSWORD)
    open_menu(page, "menu-service-orders")
    shop = page

    agent = browser.new_context(locale="zh-CN", viewport={"width": 414, "height": 896}).new_page()
    agent.set_default_timeout(15_000)
    agent.goto(url_on("datang", "/agent/"))
    login(agent, AGENT, PASSWORD)
    agent.get_by_test_id("entry-service").click()

    owner = browser.new_context(locale="zh-CN", viewport={"width": 414, "height": 896}).new_page()
    owner.set_default_timeout(15_000)
    owner.goto(url_on("datang", "/"))
    owner.get_by_test_id("login-tab-password").click()
    login(owner, OWNER, PASSWORD)
    owner.get_by_test_id("entry-service").click()
    owner.get_by_test_id("service-request-new").click()
    owner.get_by_text(SHOP).click()
    owner.get_by_test_id("service-kind-事故车维修").click()
    field(owner, "service-description").fill("左前叶子板刮擦，需钣金喷漆")
    owner.get_by_test_id("service-claim").click()
    owner.get_by_test_id("service-insurer-PICC").click()
    field(owner, "service-claim-no").fill("RDAA20264301E2E0001")
    owner.get_by_test_id("service-request-submit").click()
    expect(owner.get_by_test_id("service-order-state")).to_have_text("施工申请")
    order = ServiceOrder.objects.filter(plate=PLATE).latest("pk")

    # The shop's list and the agent's list show the new request without a reload.
    shop.get_by_test_id(f"so-row-{order.no}").click()
    expect(shop.get_by_test_id("so-state")).to_have_text("施工申请")
    agent.get_by_test_id(f"service-order-{order.no}").click()
    expect(agent.get_by_test_id("service-order-state")).to_have_text("施工申请")

    shop.get_by_test_id("so-accept").click()
    expect(owner.get_by_test_id("service-order-state")).to_have_text("已接单")
    expect(agent.get_by_test_id("service-order-state")).to_have_text("已接单")

    shop.get_by_test_id("so-estimate").click()
    shop.get_by_test_id("so-add-labour").click()
    field(shop, "so-labour-name").fill("钣金喷漆工时")
    field(shop, "so-labour-price").fill("600")
    field(shop, "so-labour-cost").fill("260")
    shop.get_by_test_id("so-submit-estimate").click()
    expect(owner.get_by_test_id("service-order-state")).to_have_text("待确认报价")
    expect(owner.get_by_test_id("service-item-钣金喷漆工时")).to_contain_text("600.00")
    expect(owner.get_by_test_id("service-item-cost")).to_have_count(0)  # never the purchase price
    expect(agent.get_by_test_id("service-item-钣金喷漆工时")).to_contain_text("600.00")
    expect(agent.get_by_test_id("service-item-cost")).to_have_count(0)  # agents: sale prices only

    owner.get_by_test_id("service-approve").click()
    # never at one tap: the owner confirms the items and the amount first
    expect(owner.locator(".van-dialog")).to_contain_text("确认 1 项维修，合计 ¥600.00")
    expect(owner.get_by_test_id("service-order-state")).to_have_text("待确认报价")
    owner.locator(".van-dialog__confirm").click()
    expect(owner.get_by_test_id("service-approve")).to_have_count(0)
    # PICC's 核损 (the insurer's own page is checked below)
    order.refresh_from_db()
    claims = User.objects.get(mobile=CLAIMS)
    items = [{"item": i.pk, "decision": "approved"} for i in order.items.all()]
    order_insurer_approve(
        actor=Actor(claims, "insurer", insurer_id=order.insurer_id), order=order, decisions=items
    )
    expect(owner.get_by_test_id("service-order-state")).to_have_text("已确认")
    expect(shop.get_by_test_id("so-state")).to_have_text("已确认")

    for step, label in (("so-start", "施工中"), ("so-complete", "已完工"), ("so-settle", "已结算")):
        shop.get_by_test_id(step).click()
        # each of the three steps is confirmed first (a claim's 结算: the insurer pays, no method asked)
        expect(shop.get_by_test_id("so-confirm-text")).to_be_visible()
        shop.get_by_test_id("so-confirm-ok").click()
        expect(owner.get_by_test_id("service-order-state")).to_have_text(label)
        expect(agent.get_by_test_id("service-order-state")).to_have_text(label)
    expect(owner.get_by_test_id("service-order-approved")).to_contain_text("600.00")

    owner.get_by_test_id("review-submit").click()
    expect(owner.get_by_test_id("service-order-state")).to_have_text("已评价")
    expect(shop.get_by_test_id("so-state")).to_have_text("已评价")
    order.refresh_from_db()
    assert (order.state, order.settled_amount, order.insurer_pays) == (
        "reviewed",
        Decimal("600.00"),
        Decimal("600.00"),
    )

    insurer = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    insurer.set_default_timeout(15_000)
    insurer.goto(url_on(None, "/console/"))
    login(insurer, CLAIMS, PASSWORD)
    open_menu(insurer, "menu-claims")
    insurer.get_by_test_id(f"claim-row-{order.no}").click()
    expect(insurer.get_by_test_id("claim-item-cost").first).to_contain_text("260.00")
    for p in (agent, owner, insurer):
        p.context.close()
