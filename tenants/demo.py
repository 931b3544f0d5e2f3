"""The demo world: the three customer cases of the brochure (Datang, Bowei, Furuika)."""

from base64 import b64encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from tenants.models import Branding, Tenant, TenantKind
from tenants.services import AdminSpec, public_tenant_ensure, tenant_provision

DEMO_PASSWORD = "Demo@2026"
PLATFORM_ADMIN = ("13800000000", "平台管理员")


@dataclass(frozen=True)
class DemoTenant:
    schema_name: str
    name: str
    kind: str
    display_name: str
    short_name: str
    slogan: str
    primary_color: str
    secondary_color: str
    admin: tuple[str, str]
    finance: tuple[str, str]
    agents: tuple[tuple[str, str], ...]
    owners: tuple[tuple[str, str], ...]


DEMO_TENANTS = (
    DemoTenant(
        "datang",
        "大唐保险经纪有限公司",
        TenantKind.BROKERAGE,
        "大唐经纪",
        "大唐",
        "前台销售·中台管理·后台结算 一体化",
        "#C8102E",
        "#F2A900",
        ("13800001001", "陈大唐"),
        ("13800001002", "林会计"),
        (("13800001011", "王海峰"), ("13800001012", "李晓敏"), ("13800001013", "张建国")),
        (("13900001021", "赵车主"), ("13900001022", "钱女士")),
    ),
    DemoTenant(
        "bowei",
        "博维保险经纪有限公司",
        TenantKind.BROKERAGE,
        "博维经纪",
        "博维",
        "灵活销售管理 政策即时触达",
        "#0B5FA5",
        "#00A3E0",
        ("13800002001", "周博维"),
        ("13800002002", "吴出纳"),
        (("13800002011", "孙志强"), ("13800002012", "郑丽")),
        (("13900002021", "冯先生"),),
    ),
    DemoTenant(
        "furuika",
        "福瑞卡汽车售后服务有限公司",
        TenantKind.AFTERSALES,
        "福瑞卡汽车售后",
        "福瑞卡",
        "线上商城·服务定制·预约管理",
        "#13A35B",
        "#FFB400",
        ("13800003001", "何福瑞"),
        ("13800003002", "马财务"),
        (("13800003011", "高伟"),),
        (("13900003021", "罗车主"), ("13900003022", "梁女士")),
    ),
)


def letter_mark_logo(text: str, color: str) -> str:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        f'<rect width="96" height="96" rx="20" fill="{color}"/>'
        '<text x="48" y="62" font-size="40" text-anchor="middle" fill="#fff" '
        f'font-family="PingFang SC, Noto Sans CJK SC, sans-serif">{text}</text></svg>'
    )
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


def _person(mobile: str, name: str, role: str, tenant_id: int | None) -> User:
    user = User.objects.filter(mobile=mobile).first() or user_create(
        mobile=mobile, name=name, password=DEMO_PASSWORD
    )
    if not user.has_usable_password():  # agents are created by the network without one
        validate_password(DEMO_PASSWORD, user)  # the one password policy, the seed's too
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    membership_grant(user=user, role=role, tenant_id=tenant_id)
    return user


DEMO_TIERS = ("区域经理", "团队长", "代理人")


def _seed_network(tenant: Tenant, demo: DemoTenant) -> None:
    """Tiers 区域经理 > 团队长 > 代理人 and the demo agents as a chain down them."""
    from django_tenants.utils import tenant_context

    from network.models import Distributor, Tier
    from network.services import agent_create, tier_create

    with tenant_context(tenant):
        for rank, name in enumerate(DEMO_TIERS, start=1):
            if not Tier.objects.filter(rank=rank).exists():
                tier_create(actor=None, name=name, rank=rank)
        parent_id = None
        for index, (mobile, name) in enumerate(demo.agents):
            agent = Distributor.objects.filter(mobile=mobile).first() or agent_create(
                actor=None,
                name=name,
                mobile=mobile,
                licence_no=f"{demo.schema_name.upper()}-2026-{index + 1:04d}",
                tier_id=Tier.objects.get(rank=min(index + 1, len(DEMO_TIERS))).pk,
                parent_id=parent_id,
            )
            parent_id = agent.pk


# The brochure's sample customers (客户管理 screen), with cars whose dates make reminders show.
DEMO_CUSTOMERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("long", "13700009001", ("粤B2088Z", "粤B33333")),
    ("小米", "13700009002", ("粤B10101",)),
    ("喻沛", "13700009003", ("湘F88888",)),
    ("Bear 熊国民", "13700009004", ()),
    ("rainday", "13700009005", ("陕EE1123",)),
    ("jonny", "13700009006", ()),
)


def _seed_customers(tenant: Tenant, demo: DemoTenant) -> None:
    """The owners (and, for Datang, the brochure's customers) as customers of the demo agents, each
    car with policy expiry, registration and service dates spread so every reminder kind shows."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from customers.models import Customer
    from customers.rules import add_months
    from customers.services import customer_create, follow_up_record
    from network.models import Distributor

    today = timezone.localdate()
    rows: list[tuple[str, str, tuple[str, ...]]] = [
        (name, mobile, (f"{'粤湘陕'[i % 3]}B{i + 1}{demo.schema_name[:1].upper()}08{i}",))
        for i, (mobile, name) in enumerate(demo.owners)
    ]
    if demo.schema_name == "datang":
        rows += list(DEMO_CUSTOMERS)
    with tenant_context(tenant):
        agents = list(Distributor.objects.filter(kind="agent").order_by("id"))
        admin = User.objects.get(mobile=demo.admin[0])
        for index, (name, mobile, plates) in enumerate(rows):
            if Customer.objects.filter(mobile=mobile).exists():
                continue
            vehicles = [
                {
                    "plate": plate,
                    "brand_model": ("大众 迈腾", "丰田 凯美瑞", "本田 雅阁", "比亚迪 汉")[(index + n) % 4],
                    "seats": 5,
                    "displacement": Decimal("2.0"),
                    "first_registered_on": add_months(today, 12 * (n - 6)) + timedelta(days=20 + index),
                    "purchase_price": Decimal("180000.00"),
                    "mileage_km": 30000 + 7000 * index,
                    "last_maintained_on": today - timedelta(days=150 + 10 * index),
                    "last_maintained_km": 28000 + 7000 * index,
                    "ctpl_expires_on": today + timedelta(days=(5, 25, 55, 85, 120, 200)[(index + n) % 6]),
                    "commercial_expires_on": today
                    + timedelta(days=(5, 25, 55, 85, 120, 200)[(index + n) % 6]),
                }
                for n, plate in enumerate(plates)
            ]
            customer = customer_create(
                actor=admin,
                name=name,
                mobile=mobile,
                promoter_id=agents[index % len(agents)].pk if agents else None,
                vehicles=vehicles,
            )
            follow_up_record(
                actor=admin,
                customer=customer,
                channel=("phone", "wechat")[index % 2],
                content="介绍续保方案，客户表示到期前再比价",
                next_contact_on=today + timedelta(days=index + 1),
            )


# The insurers each demo tenant works with: code -> (交强险, 商业险) commission rates.
DEMO_INSURER_TERMS = {
    "datang": {
        "PICC": ("0.04", "0.22"),
        "PINGAN": ("0.04", "0.25"),
        "CPIC": ("0.04", "0.24"),
        "CHINALIFE": ("0.035", "0.26"),
        "CCIC": ("0.04", "0.28"),
        "SUNSHINE": ("0.03", "0.30"),
    },
    "bowei": {
        "PICC": ("0.04", "0.20"),
        "PINGAN": ("0.04", "0.23"),
        "CPIC": ("0.04", "0.22"),
        "CCIC": ("0.04", "0.27"),
    },
    "furuika": {"PICC": ("0.04", "0.18"), "PINGAN": ("0.04", "0.20"), "SUNSHINE": ("0.04", "0.25")},
}


DEMO_TAX_TABLE = ("180", "360", "480", "900", "1800", "3000", "4500")  # yuan a year per displacement band

# The brochure's 商品管理 rows: name, source, market price, actual price, stock (None: a service).
DEMO_PRODUCTS = (
    ("壳牌蓝喜力机油", "壳牌华南", "210.00", "100.00", 120),
    ("汽车贴膜", "3M 授权店", "1080.00", "500.00", 30),
    ("壳牌长效冷却液", "壳牌华南", "59.00", "20.00", 200),
    ("曼牌机油滤清器W719", "曼牌", "89.00", "45.00", 150),
    ("奶茶", "一点点", "15.00", "7.00", 500),
    ("精洗服务", "福田门店", "60.00", "39.00", None),
)
# Cumulative 级差 rates per tier (区域经理, 团队长, 代理人): 商业险 and 交强险 (4% at most over the chain).
DEMO_PLAN_RATES = {"commercial": ("0.18", "0.15", "0.10"), "ctpl": ("0.04", "0.03", "0.02")}


def _seed_commissions_and_catalog(tenant: Tenant, demo: DemoTenant) -> None:
    """A commission plan in force (so the demo sales below pay their chains), the brochure's
    products and two gift packs, one given with every 商业险 policy."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from catalog.models import GiftPack, GiftPackRule, Product
    from catalog.services import pack_save, product_save
    from commissions.models import Plan
    from commissions.services import plan_put_in_force, plan_save
    from network.models import Tier

    with tenant_context(tenant):
        admin = User.objects.get(mobile=demo.admin[0])
        if not Plan.objects.exists():
            tiers = list(Tier.objects.order_by("rank").values_list("pk", flat=True))
            rules = [
                {"line": line, "tier": tier, "rate": Decimal(rate)}
                for line, rates in DEMO_PLAN_RATES.items()
                for tier, rate in zip(tiers, rates, strict=False)
            ]
            plan = plan_save(actor=admin, name=f"{demo.short_name} 2026 标准方案", scheme="differential",
                             settlement_mode="same_level", rules=rules, promotion_bearer="seller",
                             volume_tiers=[{"lines": ["commercial"], "threshold": Decimal("100000"), "rate": Decimal("0.02")}])  # fmt: skip
            plan_put_in_force(actor=admin, plan=plan)
        if not Product.objects.exists():
            for name, source, market, actual, stock in DEMO_PRODUCTS:
                product_save(actor=admin, name=name, kind="goods" if stock is not None else "service",
                             source=source, market_price=Decimal(market), actual_price=Decimal(actual), stock=stock)  # fmt: skip
        if not GiftPack.objects.exists():
            by_name = {p.name: p.pk for p in Product.objects.all()}
            expires = timezone.localdate() + timedelta(days=180)
            renewal = pack_save(actor=admin, name="续保礼包", expires_on=expires, redeem_mode="per_item",
                                items=[{"product": by_name["壳牌蓝喜力机油"], "quantity": 1},
                                       {"product": by_name["精洗服务"], "quantity": 2}])  # fmt: skip
            pack_save(actor=admin, name="贴膜礼包", expires_on=expires, redeem_mode="whole",
                      items=[{"product": by_name["汽车贴膜"], "quantity": 1}])  # fmt: skip
            GiftPackRule.objects.create(pack=renewal, line="commercial", min_premium=Decimal("1000"))


def _seed_quotes(tenant: Tenant, demo: DemoTenant) -> None:
    """The tenant's insurers and, once, a quote for each car due for renewal, walked to a spread of
    states (平台已报价, 代理人已报价, 已出单, 已完成) so the 报价管理 screen shows each."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from catalog.services import process_events as gift_packs_process_events
    from commissions.services import process_events as commissions_process_events
    from customers.models import Vehicle
    from directory.models import Insurer
    from directory.rating_data import DEFAULT_VEHICLE_TAX_TABLES
    from quotes.models import InsurerTerms, Quote, QuoteChannel, TenantVehicleTaxTable
    from quotes.pricing import province_of_plate
    from quotes.services import (
        insurer_terms_set,
        quote_accept,
        quote_create,
        quote_pay,
        quote_send,
        vehicle_tax_table_set,
    )

    today = timezone.localdate()
    with tenant_context(tenant):
        admin = User.objects.get(mobile=demo.admin[0])
        if not InsurerTerms.objects.exists():
            for code, (ctpl, commercial) in DEMO_INSURER_TERMS.get(demo.schema_name, {}).items():
                insurer_terms_set(
                    actor=admin,
                    insurer=Insurer.objects.get(code=code),
                    enabled=True,
                    ctpl_commission_rate=Decimal(ctpl),
                    commercial_commission_rate=Decimal(commercial),
                )
        if demo.schema_name == "datang" and not TenantVehicleTaxTable.objects.exists():
            # The provinces of Datang's 湘 and 陕 customers, kept by the tenant (inside the legal ranges).
            for province in ("湖南", "陕西"):
                vehicle_tax_table_set(
                    actor=admin, province=province, annual_tax=[Decimal(v) for v in DEMO_TAX_TABLE]
                )
        if Quote.objects.exists() or not InsurerTerms.objects.exists():
            return
        due = Vehicle.objects.filter(ctpl_expires_on__lte=today + timedelta(days=90)).select_related(
            "customer__promoter__user"
        )
        coverages = {
            "ctpl": True,
            "vehicle_tax": True,
            "commercial": [
                {"code": "own_damage"},
                {"code": "third_party", "limit": "1000000"},
                {"code": "driver_liability", "seats": 1, "limit_per_seat": "10000"},
            ],
        }
        # Only provinces with a 车船税 table (built in, or the tenant's) can be quoted with the tax.
        taxed = {
            *DEFAULT_VEHICLE_TAX_TABLES,
            *TenantVehicleTaxTable.objects.values_list("province", flat=True),
        }
        priced = [v for v in due.order_by("id") if province_of_plate(v.plate) in taxed]
        for index, vehicle in enumerate(priced):
            seller = vehicle.customer.promoter.user if vehicle.customer.promoter else admin
            history = {"ctpl_class": ("A1", "A2", "A3", "new")[index % 4], "claim_free_years": index % 4}
            quote = quote_create(
                actor=seller, role="agent", channel=QuoteChannel.AGENT, vehicle=vehicle, history=history,
                coverages=coverages,
            )  # fmt: skip
            if index % 4 >= 1:
                quote_send(actor=seller, role="agent", quote=quote, note="已为您比价，推荐最低价方案")
            if index % 4 >= 2:
                cheapest = quote.options.filter(cheapest=True).first()
                if cheapest is not None:
                    quote_accept(actor=seller, role="agent", quote=quote, option_id=cheapest.pk)
            if index % 4 == 3:
                quote_pay(actor=seller, role="agent", quote=Quote.objects.get(pk=quote.pk), method="wechat")
        # What the sales set off (normally right after each commit): packs given with the
        # policies, then the commission entries and the packs' cost. Both are idempotent.
        gift_packs_process_events()
        commissions_process_events()


def seed_demo(*, base_domain: str | None = None) -> list[str]:
    """Create (or complete) the demo world; returns the login lines to print. Idempotent."""
    base_domain = base_domain or settings.TENANT_BASE_DOMAIN
    lines: list[str] = []
    public_tenant_ensure(hosts=list(settings.PUBLIC_HOSTS))
    platform_admin = _person(*PLATFORM_ADMIN, Role.PLATFORM_ADMIN, None)
    lines.append(f"平台管理员  http://{base_domain}:8000/console/  {PLATFORM_ADMIN[0]} / {DEMO_PASSWORD}")
    for demo in DEMO_TENANTS:
        host = f"{demo.schema_name}.{base_domain}"
        tenant = Tenant.objects.filter(schema_name=demo.schema_name).first()
        if tenant is None:
            tenant = tenant_provision(
                actor=platform_admin,
                name=demo.name,
                schema_name=demo.schema_name,
                domain=host,
                kind=demo.kind,
                branding={
                    "display_name": demo.display_name,
                    "short_name": demo.short_name,
                    "slogan": demo.slogan,
                    "logo_url": letter_mark_logo(demo.short_name[:1], demo.primary_color),
                    "primary_color": demo.primary_color,
                    "secondary_color": demo.secondary_color,
                },
                admin=AdminSpec(mobile=demo.admin[0], name=demo.admin[1], password=DEMO_PASSWORD),
            )
        _seed_network(tenant, demo)
        with transaction.atomic():
            Branding.objects.filter(tenant=tenant).exists() or Branding.objects.create(
                tenant=tenant, display_name=demo.display_name, primary_color=demo.primary_color
            )
            _person(*demo.admin, Role.TENANT_ADMIN, tenant.pk)
            _person(*demo.finance, Role.FINANCE, tenant.pk)
            for mobile, name in demo.agents:
                _person(mobile, name, Role.AGENT, tenant.pk)
            for mobile, name in demo.owners:
                _person(mobile, name, Role.OWNER, tenant.pk)
        _seed_customers(tenant, demo)
        _seed_commissions_and_catalog(tenant, demo)
        _seed_quotes(tenant, demo)
        lines.append(f"{demo.display_name}  http://{host}:8000/  （车主 H5）")
        lines.append(f"    管理员 {demo.admin[0]}  财务 {demo.finance[0]}  → http://{host}:8000/console/")
        lines.append(f"    代理人 {', '.join(m for m, _ in demo.agents)}  → http://{host}:8000/agent/")
        lines.append(
            f"    车主 {', '.join(m for m, _ in demo.owners)}  （密码均为 {DEMO_PASSWORD}，或用短信验证码）"
        )
    from aftersales.demo import seed_aftersales

    lines += seed_aftersales(password=DEMO_PASSWORD)
    return lines
