"""The after-sales part of the demo: Furuika's own stores and an independent shop in the directory,
their staff and parts, PICC's claim staff, and service orders at several steps (one reviewed, one
claim waiting for the owner's and PICC's approval, one fresh request). Idempotent."""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from aftersales.models import ServiceOrder
from aftersales.services import (
    Actor,
    order_accept,
    order_complete,
    order_estimate,
    order_owner_approve,
    order_request,
    order_review,
    order_settle,
    order_start,
)
from catalog.models import PartnerShop
from core.validators import uscc_check_char
from customers.models import Customer
from directory.models import Insurer, Shop
from directory.services import insurer_staff_add, shop_create, shop_staff_add
from inventory.models import Part
from inventory.services import part_save, stock_purchase
from tenants.models import Tenant

# name, USCC (first 17), address, lat, lng, owned by Furuika, staff (mobile, name)
DEMO_SHOPS = (
    ("福瑞卡长沙岳麓店", "91430104MA4L1R2K3", "长沙市岳麓区麓山南路 88 号", "28.180000", "112.940000", True,
     ("13800004001", "岳麓店 李师傅")),
    ("福瑞卡长沙芙蓉店", "91430102MA4L1R2K4", "长沙市芙蓉区五一大道 300 号", "28.195000", "112.990000", True,
     ("13800004002", "芙蓉店 周店长")),
    ("深圳福田汽修中心", "91440304MA5F2C3D4", "深圳市福田区深南大道 6008 号", "22.540000", "114.050000", False,
     ("13800004003", "福田店 陈经理")),
)  # fmt: skip
# code, name, unit, purchase price, sale price, reorder level, stock
DEMO_PARTS = (
    ("OIL-5W30", "壳牌蓝喜力 5W-30", "升", "45.00", "68.00", "20", "120"),
    ("FLT-W719", "曼牌机油滤清器 W719", "个", "18.00", "35.00", "10", "40"),
    ("BRK-F", "前刹车片（套）", "套", "160.00", "280.00", "4", "12"),
    ("WPR-24", "博世雨刮片 24 寸", "片", "35.00", "69.00", "6", "5"),
)
INSURER_STAFF = ("13800005001", "人保理赔 吴查勘")


def seed_aftersales(*, password: str) -> list[str]:
    furuika = Tenant.objects.get(schema_name="furuika")
    shops: list[Shop] = []
    for name, first17, address, lat, lng, owned, (mobile, staff_name) in DEMO_SHOPS:
        uscc = first17 + uscc_check_char(first17)
        shop = Shop.objects.filter(uscc=uscc).first() or shop_create(
            actor=None, name=name, uscc=uscc, address=address, latitude=Decimal(lat), longitude=Decimal(lng),
            services=["保养", "维修", "事故车维修", "轮胎", "美容"], hours="08:30-18:30", phone="0731-88886666",
        )  # fmt: skip
        if owned and shop.owner_tenant_id != furuika.pk:
            shop.owner_tenant = furuika
            shop.save(update_fields=["owner_tenant"])
        shop_staff_add(actor=None, shop=shop, mobile=mobile, name=staff_name, password=password)
        for code, part_name, unit, cost, price, level, stock in DEMO_PARTS:
            if not Part.objects.filter(shop=shop, code=code).exists():
                part = part_save(actor=None, shop=shop, code=code, name=part_name, unit=unit, unit_cost=cost,
                                 sale_price=price, reorder_level=level)  # fmt: skip
                stock_purchase(actor=None, part=part, quantity=stock, unit_cost=cost, note="期初库存")
        _seed_shop_desk(shop, score=88 + len(shops))
        shops.append(shop)
    picc = Insurer.objects.get(code="PICC")
    insurer_staff_add(
        actor=None, insurer=picc, mobile=INSURER_STAFF[0], name=INSURER_STAFF[1], password=password
    )
    for schema in ("datang", "bowei"):
        with schema_context(schema):
            for shop in (shops[0], shops[2]):
                PartnerShop.objects.get_or_create(shop=shop)
    _demo_orders(shops[0])
    return [
        f"门店员工 {', '.join(s[6][0] for s in DEMO_SHOPS)}  → http://localhost:8000/console/ （维修工单）",
        f"保险公司（人保）理赔员 {INSURER_STAFF[0]}  → http://localhost:8000/console/ （理赔维修）",
    ]


def _seed_shop_desk(shop: Shop, *, score: int) -> None:
    """Booking slots (every day 09:00, 10:00, 14:00, two cars each), what a 保养 uses, and one
    technical inspection by the platform — once per shop."""
    from bookings.models import SlotTemplate
    from bookings.services import slot_templates_set
    from directory.models import ShopInspection
    from directory.quality import shop_inspection_record
    from inventory.services import service_parts_set

    if not SlotTemplate.objects.filter(shop=shop).exists():
        slots = [{"weekday": d, "start": time(h), "capacity": 2} for d in range(7) for h in (9, 10, 14)]
        slot_templates_set(actor=None, shop=shop, slots=slots)
        oil, flt = (Part.objects.get(shop=shop, code=c) for c in ("OIL-5W30", "FLT-W719"))
        service_parts_set(actor=None, shop=shop, service="保养", parts=[(oil.pk, "4.5"), (flt.pk, "1")])
    if not ShopInspection.objects.filter(shop=shop).exists():
        shop_inspection_record(actor=None, shop=shop, inspected_on=timezone.localdate() - timedelta(days=20),
                               inspector="平台技术考核组", technical_score=score, notes="设备齐全，工位整洁")  # fmt: skip


def _demo_orders(shop: Shop) -> None:
    datang = Tenant.objects.get(schema_name="datang")
    if ServiceOrder.objects.filter(tenant=datang).exists():
        return
    staff = Actor(User.objects.get(mobile=DEMO_SHOPS[0][6][0]), "shop", shop_id=shop.pk)
    oil, flt, brake = (Part.objects.get(shop=shop, code=c) for c in ("OIL-5W30", "FLT-W719", "BRK-F"))
    with schema_context("datang"):
        customer = Customer.objects.filter(mobile="13900001021").first()
        owner = User.objects.filter(mobile="13900001021").first()
        if customer is None or owner is None or not customer.vehicles.exists():
            return
        if customer.user_id is None:
            customer.user = owner
            customer.save(update_fields=["user"])
        vehicle = customer.vehicles.first()
        assert vehicle is not None
        me = Actor(owner, "owner")
        done = order_request(actor=owner, tenant=datang, shop_id=shop.pk, vehicle_id=vehicle.pk, service="保养",
                             description="常规保养：换机油机滤", mileage_km=vehicle.mileage_km)  # fmt: skip
        order_accept(actor=staff, order=done)
        order_estimate(actor=staff, order=done, items=[
            {"kind": "part", "part": oil.pk, "quantity": "4"}, {"kind": "part", "part": flt.pk, "quantity": "1"},
            {"kind": "labour", "name": "保养工时", "quantity": "1", "unit_price": "80", "unit_cost": "30"},
        ])  # fmt: skip
        order_owner_approve(actor=me, order=done,
                            decisions=[{"item": i.pk, "decision": "approved"} for i in done.items.all()])  # fmt: skip
        order_start(actor=staff, order=done)
        order_complete(actor=staff, order=done, note="已完成保养，旧机油已回收")
        order_settle(actor=staff, order=done, payment_method="wechat")
        order_review(actor=me, order=done, technical=5, service=4, comment="师傅手艺好，等候区可以再舒适些")

        claim = order_request(actor=owner, tenant=datang, shop_id=shop.pk, vehicle_id=vehicle.pk, service="事故车维修",
                              description="倒车碰撞，前保险杠与刹车异响", insurer_id=Insurer.objects.get(code="PICC").pk,
                              claim_no="RDAA2026430100000088")  # fmt: skip
        order_accept(actor=staff, order=claim)
        order_estimate(actor=staff, order=claim, items=[
            {"kind": "part", "part": brake.pk, "quantity": "1"},
            {"kind": "labour", "name": "前保险杠钣金喷漆", "quantity": "1", "unit_price": "650", "unit_cost": "280"},
        ])  # fmt: skip

        order_request(actor=owner, tenant=datang, shop_id=shop.pk, vehicle_id=vehicle.pk, service="轮胎",
                      description="右后轮慢漏气，请检查")  # fmt: skip
