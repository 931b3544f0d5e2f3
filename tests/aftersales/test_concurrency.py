"""Concurrent starts of orders that draw on the same part: the stock is updated under a row lock, so
no update is lost and the shop's stock never goes negative without an override."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from aftersales.models import ServiceOrder
from aftersales.services import (
    Actor,
    order_accept,
    order_estimate,
    order_owner_approve,
    order_request,
    order_start,
)
from catalog.models import PartnerShop
from core.errors import DomainError
from core.validators import uscc_check_char
from customers.services import customer_create, vehicle_add
from directory.services import shop_create, shop_staff_add
from inventory.models import Part, StockMove
from inventory.services import part_save, stock_purchase
from tenants.models import Tenant
from tests.conftest import committed_db

pytestmark = committed_db


def test_twelve_orders_start_at_once_on_ten_litres_and_exactly_ten_get_their_oil() -> None:
    first17 = "91430104MA4CCN001"
    shop = shop_create(
        actor=None, name="并发岳麓店", uscc=first17 + uscc_check_char(first17), services=["保养"]
    )
    staff = Actor(
        shop_staff_add(actor=None, shop=shop, mobile="13655595001", name="并发技师"), "shop", shop_id=shop.pk
    )
    oil = part_save(actor=None, shop=shop, code="C-OIL", name="并发机油", unit_cost="45", sale_price="68")
    stock_purchase(actor=None, part=oil, quantity="10", unit_cost="45")
    datang = Tenant.objects.get(schema_name="datang")
    orders = []
    with schema_context("datang"):
        PartnerShop.objects.get_or_create(shop=shop)
        for n in range(12):
            mobile = f"136555950{n + 10:02d}"
            user = user_create(mobile=mobile, name=f"并发车主{n}")
            membership_grant(user=user, role=Role.OWNER, tenant_id=datang.pk)
            customer = customer_create(actor=None, name=f"并发车主{n}", mobile=mobile, user=user)
            vehicle = vehicle_add(actor=None, customer=customer, plate=f"湘C{n + 1:05d}")
            order = order_request(actor=user, tenant=datang, shop_id=shop.pk, vehicle_id=vehicle.pk,
                                  service="保养", description="并发保养")  # fmt: skip
            order_accept(actor=staff, order=order)
            order_estimate(
                actor=staff, order=order, items=[{"kind": "part", "part": oil.pk, "quantity": "1"}]
            )
            item = order.items.get()
            order_owner_approve(actor=Actor(user, "owner"), order=order,
                                decisions=[{"item": item.pk, "decision": "approved"}])  # fmt: skip
            orders.append(order)

    def start(order: ServiceOrder) -> str:
        try:
            order_start(actor=staff, order=order)
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(start, orders))
    assert outcomes.count("ok") == 10 and outcomes.count("stock_insufficient") == 2
    assert Part.objects.get(pk=oil.pk).stock == Decimal("0.00")
    assert StockMove.objects.filter(part=oil, kind="consumption").count() == 10
    started = ServiceOrder.objects.filter(shop=shop, state="in_progress").count()
    assert started == 10 and ServiceOrder.objects.filter(shop=shop, state="approved").count() == 2
    assert User.objects.filter(mobile__startswith="136555950").count() == 13
