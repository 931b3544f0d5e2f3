"""工作台 figures (GET /api/v1/console/dashboard/): premium by month and line, renewal rate, commission
cost ratio and open repairs, each with hand-computed numbers; another tenant's rows never count and an
agent is refused."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from aftersales.models import ServiceOrder
from commissions.models import Entry, Period
from directory.services import shop_create
from quotes.models import Policy, Quote, QuoteOption
from tenants.models import Tenant
from tests.aftersales.conftest import uscc
from tests.commissions.conftest import on, sell
from tests.conftest import PEOPLE

URL = "/api/v1/console/dashboard/"


def renew(old: Policy, *, premium: str, at) -> Policy:
    """A later policy of the same line on the same car (as a renewal quote would issue)."""
    amount = Decimal(premium)
    quote = Quote.objects.create(
        number=f"QR{old.pk:08d}", customer=old.customer, vehicle=old.vehicle, promoter=old.promoter,
        plate=old.vehicle.plate, status="issued", channel="agent", region="广东", vehicle_snapshot={}, history={},
        coverages={}, rated_on=at.date(), valid_until=at.date() + timedelta(days=7), premium=amount,
    )  # fmt: skip
    option = QuoteOption.objects.create(quote=quote, insurer=old.insurer, total=amount)
    return Policy.objects.create(
        quote=quote, option=option, insurer=old.insurer, customer=old.customer, vehicle=old.vehicle,
        promoter=old.promoter, line=old.line, number=f"R{old.number}", premium=amount, commission_rate=Decimal("0.2"),
        starts_on=old.ends_on, ends_on=old.ends_on + timedelta(days=365), issued_at=at,
    )  # fmt: skip


def entry(seller, amount: str, at) -> Entry:
    period, _ = Period.objects.get_or_create(year=at.year, month=at.month)
    return Entry.objects.create(
        period=period, distributor=seller, kind="commission", source_type="policy", basis=Decimal("1000.00"),
        amount=Decimal(amount), formula="test", sale_at=at,
    )  # fmt: skip


def repair(tenant_schema: str, shop, state: str, n: int) -> ServiceOrder:
    return ServiceOrder.objects.create(
        no=f"SO-DASH-{n}", tenant=Tenant.objects.get(schema_name=tenant_schema), shop=shop,
        owner=User.objects.get(mobile=PEOPLE["datang_owner"].mobile), customer_id=1, vehicle_id=1,
        customer_name="赵车主", customer_mobile=PEOPLE["datang_owner"].mobile, plate="湘A12345",
        service="维修", description="保险杠", state=state,
    )  # fmt: skip


def test_dashboard_numbers_by_hand(chain, insurers, bowei, api):
    today = timezone.localdate()
    now = on(today)
    earlier = on(today - timedelta(days=40))  # always a previous month, inside the twelve
    seller = chain.seller
    with schema_context("datang"):
        sell(seller, line="commercial", premium="1000.00", at=now)
        sell(seller, line="ctpl", premium="665.00", rate="0.04", at=now)
        gone = sell(seller, line="commercial", premium="500.00", at=now)
        Policy.objects.filter(pk=gone.pk).update(status="cancelled")  # 退保: not premium
        # sold before the window; their terms ended 35 and 15 days ago: two due, the first renewed
        old = sell(seller, line="commercial", premium="3000.00", at=on(today - timedelta(days=400)))
        sell(seller, line="ctpl", premium="800.00", rate="0.04", at=on(today - timedelta(days=380)))
        renew(old, premium="2000.00", at=earlier)
        entry(seller, "250.00", now)
        entry(seller, "26.60", now)
        entry(seller, "-50.00", now)  # a reversal counts against the cost
        entry(seller, "750.00", on(today - timedelta(days=400)))  # before the window
    shop = shop_create(actor=None, name="看板测试店", uscc=uscc("91430104MA4QW9999"), services=["维修"])
    repair("datang", shop, "requested", 1)
    repair("datang", shop, "in_progress", 2)
    repair("datang", shop, "settled", 3)  # finished: not open
    repair("bowei", shop, "requested", 4)  # another tenant's

    response = api("datang_admin").get(URL)
    assert response.status_code == 200
    body = response.json()
    months = {m["month"]: m for m in body["premium_by_month"]}
    assert len(body["premium_by_month"]) == 12 and body["to_month"] == today.strftime("%Y-%m")
    assert months[today.strftime("%Y-%m")]["by_line"] == {"ctpl": "665.00", "commercial": "1000.00"}
    assert months[today.strftime("%Y-%m")]["total"] == "1665.00"
    assert months[earlier.strftime("%Y-%m")]["by_line"] == {"ctpl": "0.00", "commercial": "2000.00"}
    assert body["premium_total"] == "3665.00"
    assert [line["label"] for line in body["lines"]] == ["交强险", "商业险"]
    assert body["renewal"] == {"due": 2, "renewed": 1, "rate": "0.5000"}
    # (250.00 + 26.60 − 50.00) / 3665.00 = 226.60 / 3665.00 = 0.06183 …
    assert body["commission"] == {"total": "226.60", "ratio": "0.0618"}
    assert body["open_repairs"]["total"] == 2
    assert {s["state"]: s["count"] for s in body["open_repairs"]["by_state"]}["in_progress"] == 1

    # Bowei sees none of it: no premium, nothing due, only its own repair.
    other = api("bowei_admin").get(URL).json()
    assert other["premium_total"] == "0.00"
    assert all(m["total"] == "0.00" for m in other["premium_by_month"])
    assert other["renewal"] == {"due": 0, "renewed": 0, "rate": None}
    assert other["commission"] == {"total": "0.00", "ratio": None}
    assert other["open_repairs"]["total"] == 1


def test_dashboard_is_for_admins_and_finance_only(datang, api):
    refused = api("datang_agent").get(URL)
    assert refused.status_code == 403
    assert set(refused.json()) >= {"code", "message"}
    assert api(None, host="datang.localhost").get(URL).status_code == 401
    assert api("datang_admin", host="bowei.localhost").get(URL).status_code in (401, 403)
