"""A garage for the service-order tests: 岳麓店 (Datang's partner) with staff, parts in stock and a
second shop nobody partners with; Datang's owner 赵车主 with a car, promoted by 王海峰 (the lead of
``team``); PICC's and CPIC's claim staff on the platform host."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import auth_token_issue
from catalog.models import PartnerShop
from core.validators import uscc_check_char
from customers.models import Vehicle
from customers.services import customer_create, vehicle_add
from directory.models import Insurer, Shop
from directory.services import insurer_staff_add, shop_create, shop_staff_add
from inventory.models import Part
from inventory.services import part_save, stock_purchase
from tests.conftest import PEOPLE
from tests.insurers import car


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


@dataclass
class Garage:
    shop: Shop
    other_shop: Shop
    staff: User
    oil: Part  # 机油 5W-30: cost 45.00, sale 68.00, 10 in stock
    filter: Part  # 机油滤芯: cost 18.00, sale 35.00, 5 in stock
    vehicle: Vehicle
    picc: Insurer
    cpic: Insurer


def bearer(api, user: User, host: str | None = None):
    from tenants.models import Tenant

    client = api(None, host=host)
    tenant_id = Tenant.objects.get(schema_name=host.split(".")[0]).pk if host else None
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {auth_token_issue(user=user, tenant_id=tenant_id, second_factor=True).token}"
    )
    return client


@pytest.fixture
def garage(datang, insurers, team) -> Garage:
    shop = shop_create(actor=None, name="福瑞卡岳麓店", uscc=uscc("91430104MA4QW1234"), address="长沙市岳麓区麓山南路 88 号",
                       services=["保养", "维修", "事故车维修"], latitude=Decimal("28.180000"), longitude=Decimal("112.940000"))  # fmt: skip
    other = shop_create(actor=None, name="雨花汽修", uscc=uscc("91430111MA4QW5678"), services=["保养"])
    staff = shop_staff_add(actor=None, shop=shop, mobile="13655597001", name="岳麓店技师老李")
    shop_staff_add(actor=None, shop=other, mobile="13655597002", name="雨花店小周")
    oil = part_save(actor=None, shop=shop, code="OIL-5W30", name="机油 5W-30", unit="升", unit_cost="45.00", sale_price="68.00",
                    reorder_level="4")  # fmt: skip
    flt = part_save(
        actor=None, shop=shop, code="FLT-01", name="机油滤芯", unit_cost="18.00", sale_price="35.00"
    )
    stock_purchase(actor=None, part=oil, quantity="10", unit_cost="45.00")
    stock_purchase(actor=None, part=flt, quantity="5", unit_cost="18.00")
    picc, cpic = Insurer.objects.get(code="PICC"), Insurer.objects.get(code="CPIC")
    insurer_staff_add(actor=None, insurer=picc, mobile="13655596001", name="人保理赔员")
    insurer_staff_add(actor=None, insurer=cpic, mobile="13655596002", name="太保理赔员")
    with schema_context("datang"):
        PartnerShop.objects.create(shop=shop)
        customer = customer_create(actor=None, name="赵车主", mobile=PEOPLE["datang_owner"].mobile,
                                   promoter_id=team.lead.pk)  # fmt: skip
        vehicle = vehicle_add(
            actor=None, customer=customer, **car(plate="湘A12345", brand_model="丰田凯美瑞")
        )
    oil.refresh_from_db()
    flt.refresh_from_db()
    return Garage(
        shop=shop, other_shop=other, staff=staff, oil=oil, filter=flt, vehicle=vehicle, picc=picc, cpic=cpic
    )


@pytest.fixture
def shop_api(api, garage):
    return lambda mobile="13655597001": bearer(api, User.objects.get(mobile=mobile))


@pytest.fixture
def insurer_api(api, garage):
    return lambda mobile="13655596001": bearer(api, User.objects.get(mobile=mobile))
