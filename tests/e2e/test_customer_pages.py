"""An agent adds a customer and their car on the phone; the owner logs in on the tenant's H5 and
sees the car and its renewal reminder."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.services import membership_grant, user_create
from customers.models import Customer
from network.services import agent_create, tier_create
from tenants.models import Tenant
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.mobile_date import pick_date
from tests.e2e.test_branding_login import field, login

pytestmark = [pytest.mark.e2e, committed_db]

AGENT_MOBILE, OWNER_MOBILE = "13644449011", "13644449021"


def test_agent_adds_a_customer_with_a_car_on_the_phone_and_the_owner_sees_it(page: Page, url_on) -> None:
    datang = Tenant.objects.get(schema_name="datang")
    with schema_context("datang"):
        tier = tier_create(actor=None, name="客户页销售", rank=9)
        agent_create(
            actor=None,
            name="孔销售",
            mobile=AGENT_MOBILE,
            licence_no="L-9011",
            tier_id=tier.pk,
            password="Agent@2026x",
        )
    owner = user_create(mobile=OWNER_MOBILE, name="", password="Owner@2026x")
    membership_grant(user=owner, role=Role.OWNER, tenant_id=datang.pk)
    expires = timezone.localdate() + timedelta(days=20)

    page.goto(url_on("datang", "/agent/"))
    login(page, AGENT_MOBILE, "Agent@2026x")
    page.get_by_test_id("entry-customers").click()
    page.get_by_text("新增").click()
    field(page, "customer-name").fill("冯车主")
    field(page, "customer-mobile").fill(OWNER_MOBILE)
    field(page, "vehicle-plate").fill("粤B7E2")  # a bad plate first: the error shows by the field
    page.get_by_test_id("customer-save").click()
    expect(page.locator(".van-field__error-message").first).to_contain_text("车牌号格式不正确")

    field(page, "vehicle-plate").fill("粤B7E2E8")
    field(page, "vehicle-brand").fill("本田 雅阁")
    pick_date(page, "vehicle-ctpl-expiry", expires)  # the date picker: open, turn the wheels, 确认
    page.get_by_test_id("customer-save").click()
    expect(page.get_by_test_id("vehicle-row")).to_contain_text("粤B7E2E8")
    expect(page.get_by_test_id("vehicle-row")).to_contain_text(f"交强险到期 {expires.isoformat()}")

    page.get_by_test_id("vehicle-add").click()
    page.locator('input[data-testid="vehicle-plate"]').last.fill("粤BD72029")
    page.get_by_test_id("vehicle-save").click()
    expect(page.get_by_test_id("vehicle-row")).to_have_count(2)

    with schema_context("datang"):
        customer = Customer.objects.get(mobile=OWNER_MOBILE)
        assert customer.promoter is not None and customer.promoter.name == "孔销售"
        assert sorted(customer.vehicles.values_list("plate", flat=True)) == ["粤B7E2E8", "粤BD72029"]

    owner_page = page.context.new_page()
    owner_page.goto(url_on("datang", "/"))
    owner_page.get_by_test_id("login-tab-password").click()
    login(owner_page, OWNER_MOBILE, "Owner@2026x")
    owner_page.get_by_test_id("entry-vehicles").click()
    cars = owner_page.get_by_test_id("my-vehicle")
    expect(cars).to_have_count(2)
    expect(cars.first).to_contain_text("粤B7E2E8")
    expect(owner_page.get_by_test_id("reminder").first).to_contain_text("粤B7E2E8 交强险将于")


def test_admin_adds_a_customer_in_the_console_finds_them_and_records_a_follow_up(page: Page, url_on) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    open_menu(page, "menu-customers")
    page.get_by_test_id("customer-new").click()
    field(page, "customer-name").fill("蒋控台")
    field(page, "customer-mobile").fill("13644449031")
    field(page, "customer-id_number").fill("110105194912310021")  # wrong check digit
    field(page, "vehicle-plate").fill("粤B7C0N1")
    page.get_by_test_id("customer-save").click()
    expect(page.locator(".el-form-item__error").first).to_contain_text("身份证号校验位不正确")
    field(page, "customer-id_number").fill("11010519491231002X")
    page.get_by_test_id("customer-save").click()

    field(page, "customers-keyword").fill("粤B7C0N1")
    page.get_by_test_id("customers-search").click()
    table = page.get_by_test_id("customers-table")
    expect(table).to_contain_text("蒋控台")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("1")  # 绑定车辆数

    page.get_by_test_id("customer-follow-ups").first.click()
    field(page, "followup-content").fill("电话介绍续保方案")
    page.get_by_test_id("followup-save").click()
    expect(page.get_by_test_id("followup-table")).to_contain_text("电话介绍续保方案")
    with schema_context("datang"):
        customer = Customer.objects.get(mobile="13644449031")
        assert customer.id_number_masked == "110105********002X"
        assert customer.follow_ups.get().author_name == "陈大唐"
