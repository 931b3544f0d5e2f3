"""Finance closes a month in the console (费用结算) and an agent sees the statement in 我的收入.

A two-level Datang chain (结算页经理 above 结算页专员) under a 级差 plan, same-level settlement:
商业险 专员 10%, 经理 15% (cumulative); 交强险 专员 2%, 经理 3%. The 专员 sells, in February 2024,
商业险 748.00 and 交强险 855.00:

* 专员: 748.00 × (10% − 0%) = 74.80 and 855.00 × (2% − 0%) = 17.10, earned 91.90;
* 经理: 748.00 × (15% − 10%) = 37.40 and 855.00 × (3% − 2%) = 8.55, earned 45.95.

Same-level: the tenant pays the 经理 137.85, who passes 91.90 on to the 专员.

The settlement run is a Celery task; no worker runs here, so the task's ``delay`` is replaced by a
recorder and the test runs what the task runs (``settlement_run_execute``) once the page has queued
it. The page keeps polling the run and shows the statements when it is done."""

import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

import commissions.tasks as commission_tasks
from commissions.engine import entries_for_policies
from commissions.models import Period, SettlementRun, Statement
from commissions.services import plan_put_in_force, plan_save, settlement_run_execute
from customers.models import Customer, Vehicle
from directory.models import Insurer
from network.models import Distributor, NetworkPath
from network.services import agent_create, tier_create
from quotes.models import Policy, Quote, QuoteOption
from tests.conftest import PASSWORD, PEOPLE, committed_db
from tests.e2e.console_menu import open_menu
from tests.e2e.test_branding_login import login

pytestmark = [pytest.mark.e2e, committed_db]

MANAGER_MOBILE, SELLER_MOBILE = "13644449411", "13644449412"
AGENT_PASSWORD = "Agent@2026x"
MONTH = "2024-02"
SOLD_AT = datetime(2024, 2, 15, 10, tzinfo=timezone.get_default_timezone())


class RecordedTask:
    """Stands in for ``settlement_run_task``: remembers the runs the page queued."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def delay(self, run_id: int) -> None:
        self.queued.append(run_id)


def sell(seller: Distributor, *, line: str, premium: str, rate: str, n: int) -> Policy:
    """An issued policy, written straight into the tables as the quote flow would have."""
    customer = Customer.objects.create(
        name=f"结算页车主{n}", mobile=f"136444494{30 + n}", promoter=seller, registered_on=SOLD_AT.date()
    )
    vehicle = Vehicle.objects.create(customer=customer, plate=f"粤B6J5K{n}")
    picc = Insurer.objects.get(code="PICC")
    amount = Decimal(premium)
    quote = Quote.objects.create(
        number=f"QTE2E9430{n}", customer=customer, vehicle=vehicle, promoter=seller, plate=vehicle.plate,
        status="issued", channel="agent", region="广东", vehicle_snapshot={}, history={}, coverages={},
        rated_on=SOLD_AT.date(), valid_until=SOLD_AT.date() + timedelta(days=7), premium=amount,
    )  # fmt: skip
    option = QuoteOption.objects.create(quote=quote, insurer=picc, total=amount)
    return Policy.objects.create(
        quote=quote, option=option, insurer=picc, customer=customer, vehicle=vehicle, promoter=seller,
        line=line, number=f"PICCE2E{line.upper()}{n:04d}", premium=amount, commission_rate=Decimal(rate),
        starts_on=SOLD_AT.date() + timedelta(days=1), ends_on=SOLD_AT.date() + timedelta(days=365),
        issued_at=SOLD_AT,
    )  # fmt: skip


def test_finance_closes_a_period_and_the_agent_sees_the_statement(
    page: Page, url_on, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = RecordedTask()
    monkeypatch.setattr(commission_tasks, "settlement_run_task", task)
    with schema_context("datang"):
        upper = tier_create(actor=None, name="结算页经理", rank=41)
        lower = tier_create(actor=None, name="结算页专员", rank=42)
        manager = agent_create(
            actor=None, name="钱结算", mobile=MANAGER_MOBILE, licence_no="L-9411", tier_id=upper.pk,
            password=AGENT_PASSWORD,
        )  # fmt: skip
        seller = agent_create(
            actor=None, name="孙结算", mobile=SELLER_MOBILE, licence_no="L-9412", tier_id=lower.pk,
            parent_id=manager.pk, password=AGENT_PASSWORD,
        )  # fmt: skip
        # the chain stood when the sales were made
        NetworkPath.objects.filter(descendant__in=[manager, seller]).update(
            valid_from=datetime(2024, 1, 1, tzinfo=timezone.get_default_timezone())
        )
        plan = plan_save(
            actor=None, name="结算页方案", scheme="differential", settlement_mode="same_level",
            rules=[
                {"line": "commercial", "tier": lower.pk, "rate": Decimal("0.10")},
                {"line": "commercial", "tier": upper.pk, "rate": Decimal("0.15")},
                {"line": "ctpl", "tier": lower.pk, "rate": Decimal("0.02")},
                {"line": "ctpl", "tier": upper.pk, "rate": Decimal("0.03")},
            ],
        )  # fmt: skip
        plan_put_in_force(actor=None, plan=plan)
        policies = [
            sell(seller, line="commercial", premium="748.00", rate="0.25", n=1),
            sell(seller, line="ctpl", premium="855.00", rate="0.04", n=2),
        ]
        assert entries_for_policies(plan=plan, policy_ids=[p.pk for p in policies]) == 4
        assert Period.objects.get(year=2024, month=2).status == "open"

    # Finance (the tenant's administrator) closes February 2024 in 费用结算.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url_on("datang", "/console/"))
    login(page, PEOPLE["datang_admin"].mobile, PASSWORD)
    open_menu(page, "menu-settlement")
    month = page.get_by_test_id("periods-table").locator("tbody tr", has_text=MONTH)
    expect(month).to_contain_text("未结算")
    expect(month).to_contain_text("¥137.85")  # 74.80 + 17.10 + 37.40 + 8.55
    month.get_by_test_id("period-close").click()
    page.get_by_role("button", name="开始结算").click()
    expect(month.get_by_test_id("run-progress")).to_be_visible()
    expect(month).to_contain_text("结算中")

    # What the Celery task would do, once the page has queued the run.
    deadline = time.monotonic() + 15
    while not task.queued and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(task.queued) == 1
    with schema_context("datang"):
        assert SettlementRun.objects.get(pk=task.queued[0]).period.year == 2024
        assert settlement_run_execute(task.queued[0]).status == "done"

    # The page's polling picks the finished run up and shows the month's statements.
    expect(month.get_by_test_id("run-done")).to_contain_text("2 份对账单")
    expect(month).to_contain_text("已结算")
    expect(page.get_by_test_id("statements-title")).to_have_text(f"{MONTH} 对账单")
    statements = page.get_by_test_id("statements-table").locator("tbody tr")
    expect(statements).to_have_count(2)
    seller_row = statements.filter(has_text=SELLER_MOBILE)  # names also appear as counterparties
    manager_row = statements.filter(has_text=MANAGER_MOBILE)
    expect(seller_row.get_by_test_id("statement-earned")).to_have_text("¥91.90")
    expect(seller_row).to_contain_text("收 钱结算 ¥91.90")
    expect(manager_row.get_by_test_id("statement-earned")).to_have_text("¥45.95")
    expect(manager_row).to_contain_text("收 公司 ¥137.85")
    expect(manager_row).to_contain_text("付 孙结算 ¥91.90")
    manager_row.get_by_test_id("statement-view").click()
    expect(page.get_by_test_id("statement-entries")).to_contain_text(
        "商业险保费 748.00 × (15% − 10%) = 37.40"
    )
    with schema_context("datang"):
        earned = {
            s.distributor.name: s.earned for s in Statement.objects.filter(period__year=2024, period__month=2)
        }
        assert earned == {"孙结算": Decimal("91.90"), "钱结算": Decimal("45.95")}

    # The seller opens 我的收入 on the phone: the month, its statement and every entry's arithmetic.
    phone = page.context.new_page()
    phone.set_viewport_size({"width": 414, "height": 896})
    phone.goto(url_on("datang", "/agent/"))
    login(phone, SELLER_MOBILE, AGENT_PASSWORD)
    phone.get_by_test_id("entry-income").click()
    expect(phone.get_by_test_id("income-total")).to_have_text("¥91.90")
    feb = phone.locator(f'[data-testid="income-month"][data-period="{MONTH}"]')
    expect(feb.get_by_test_id("month-total")).to_have_text("¥91.90")
    expect(feb.get_by_test_id("month-state")).to_have_text("待支付")
    expect(feb).to_contain_text("佣金 ¥91.90")
    feb.click()
    entries = phone.get_by_test_id("income-entry")
    expect(entries).to_have_count(2)
    for formula in ("商业险保费 748.00 × (10% − 0%) = 74.80", "交强险保费 855.00 × (2% − 0%) = 17.10"):
        expect(phone.get_by_test_id("entry-formula").filter(has_text=formula)).to_have_count(1)
    expect(entries.filter(has_text="748.00").get_by_test_id("entry-state")).to_have_text("已确认")
    expect(entries.filter(has_text="748.00")).to_contain_text("PICCE2ECOMMERCIAL0001")

    phone.get_by_test_id("month-statement").click()
    expect(phone.get_by_test_id("statement-earned")).to_have_text("¥91.90")
    expect(phone.get_by_test_id("statement-parties")).to_contain_text("钱结算")
    with phone.expect_download() as download:
        phone.get_by_test_id("statement-pdf").click()
    assert download.value.suggested_filename == f"对账单-{MONTH}.pdf"
