"""Commissions through the API: finance keeps plans (4% cap on 交强险), a policy sold through the
quote flow pays the chain as soon as it is issued, finance closes the month into statements that
export, an agent sees every cent with its arithmetic, and no other tenant or agent sees any of it.

The team (tests/teams.py): 唐总 (区域经理) > 王海峰 (团队长, datang_agent) > 刘小军 (代理人), who sells.
The sale: PICC, 交强险 855.00 (A1) at 4% and 三者险 1,000,000 748.00 at 25% (tests/insurers.py)."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from commissions.models import Entry, Period, Statement
from commissions.services import settlement_run_execute, settlement_start
from customers.services import customer_create
from network.models import Tier
from tests.insurers import car

pytestmark = pytest.mark.django_db


def plan_body(**overrides):
    with schema_context("datang"):
        tiers = {t.name: t.pk for t in Tier.objects.all()}
    rules = [
        {"line": "commercial", "tier": tiers["代理人"], "rate": "0.10"},
        {"line": "commercial", "tier": tiers["团队长"], "rate": "0.15"},
        {"line": "commercial", "tier": tiers["区域经理"], "rate": "0.18"},
        {"line": "ctpl", "tier": tiers["代理人"], "rate": "0.02"},
        {"line": "ctpl", "tier": tiers["团队长"], "rate": "0.03"},
        {"line": "ctpl", "tier": tiers["区域经理"], "rate": "0.04"},
    ]
    return {"name": "2026 标准方案", "scheme": "differential", "settlement_mode": "same_level", "rules": rules,
            **overrides}  # fmt: skip


@pytest.fixture
def plan(team, insurers, api):
    finance = api("datang_admin")
    created = finance.post("/api/v1/commissions/plans/", plan_body(), format="json")
    assert created.status_code == 201, created.json()
    assert finance.post(f"/api/v1/commissions/plans/{created.json()['id']}/in-force/").status_code == 200
    return created.json()


def sell_through_quotes(team, as_distributor, django_capture_on_commit_callbacks):
    with schema_context("datang"):
        vehicle = customer_create(
            actor=None, name="佣金客户", mobile="13912349001", promoter_id=team.member.pk,
            vehicles=[car(plate="粤B7C001", vin="")],
        ).vehicles.get()  # fmt: skip
    seller = as_distributor(team.member)
    quote = seller.post(
        "/api/v1/quotes/",
        {"vehicle_id": vehicle.pk, "history": {"ctpl_class": "A1", "claim_free_years": 1},
         "coverages": {"ctpl": True, "commercial": [{"code": "third_party", "limit": "1000000"}]}},
        format="json",
    ).json()  # fmt: skip
    seller.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json")
    picc = next(o for o in quote["options"] if o["insurer"]["code"] == "PICC")
    with django_capture_on_commit_callbacks(execute=True):
        issued = seller.post(f"/api/v1/quotes/{quote['id']}/accept/", {"option": picc["id"]}, format="json")
    assert issued.status_code == 200, issued.json()
    return issued.json()


def test_finance_keeps_plans_and_the_ctpl_cap_is_checked(team, api, as_distributor):
    finance = api("datang_admin")
    over = plan_body(name="超限方案")
    over["rules"][5]["rate"] = "0.045"
    refused = finance.post("/api/v1/commissions/plans/", over, format="json")
    assert refused.status_code == 400 and "4.5%" in refused.json()["fields"]["rules.5.rate"][0]
    body = plan_body()
    body["rules"].append(
        {"line": "commercial", "tier": body["rules"][0]["tier"], "rate": "0.12", "insurer": "PICC"}
    )
    created = finance.post("/api/v1/commissions/plans/", body, format="json")
    assert created.status_code == 201, created.json()
    assert [r["insurer"] for r in created.json()["rules"] if r["insurer"]] == ["PICC"]
    unknown = finance.post(
        "/api/v1/commissions/plans/",
        {**body, "name": "x", "rules": [{**body["rules"][0], "insurer": "NOPE"}]},
        format="json",
    )
    assert unknown.status_code == 400 and "rules.0.insurer" in unknown.json()["fields"]
    listed = finance.get("/api/v1/commissions/plans/").json()
    assert [(p["name"], p["rule_count"], p["scheme_label"], p["used"]) for p in listed] == [
        ("2026 标准方案", 7, "级差", False)
    ]
    duplicate = finance.post("/api/v1/commissions/plans/", plan_body(), format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["fields"]
    assert as_distributor(team.lead).get("/api/v1/commissions/plans/").status_code == 403
    gone = finance.delete(f"/api/v1/commissions/plans/{created.json()['id']}/")
    assert gone.json() == {"outcome": "deleted"}


def test_a_sale_pays_the_chain_at_once_and_a_surrender_claws_it_back(
    plan, team, api, as_distributor, django_capture_on_commit_callbacks
):
    issued = sell_through_quotes(team, as_distributor, django_capture_on_commit_callbacks)
    policies = {p["line"]: p for p in issued["policies"]}
    with schema_context("datang"):
        paid = {
            (e.line, e.distributor.name): format(e.amount, "f")
            for e in Entry.objects.filter(source_type="policy").select_related("distributor")
        }
    # 商业险 748.00 × 10%, × (15−10)%, × (18−15)%; 交强险 855.00 × 2%, 1%, 1% (= the tenant's 4%)
    assert paid == {
        ("commercial", "刘小军"): "74.80", ("commercial", "王海峰"): "37.40", ("commercial", "唐总"): "22.44",
        ("ctpl", "刘小军"): "17.10", ("ctpl", "王海峰"): "8.55", ("ctpl", "唐总"): "8.55",
    }  # fmt: skip
    mine = as_distributor(team.lead).get("/api/v1/commissions/my/entries/").json()["results"]
    commercial = next(e for e in mine if e["line"] == "commercial")
    assert commercial["formula"] == "商业险保费 748.00 × (15% − 10%) = 37.40"
    assert commercial["rule"] == "2026 标准方案：商业险 职级「团队长」累计 15%"
    assert (commercial["source_number"], commercial["state"]) == (policies["commercial"]["number"], "pending")
    income = as_distributor(team.lead).get("/api/v1/commissions/my/income/").json()
    assert (income["total"], income["months"][0]["totals"]) == ("45.95", {"commission": "45.95"})

    # The plan has paid: it can no longer change, and removing it archives it.
    finance = api("datang_admin")
    assert (
        finance.put(f"/api/v1/commissions/plans/{plan['id']}/", plan_body(), format="json").status_code == 409
    )

    with django_capture_on_commit_callbacks(execute=True):
        surrendered = finance.post(
            f"/api/v1/policies/{policies['commercial']['id']}/surrender/",
            {"refund_amount": "748.00", "reason": "全额退保"},
            format="json",
        )
    assert surrendered.status_code == 200
    with schema_context("datang"):
        net = {e.distributor.name: Decimal(0) for e in Entry.objects.select_related("distributor")}
        for e in Entry.objects.filter(line="commercial").select_related("distributor"):
            net[e.distributor.name] += e.amount
        assert set(net.values()) == {Decimal(0)}
    assert finance.delete(f"/api/v1/commissions/plans/{plan['id']}/").json() == {"outcome": "archived"}


def test_finance_closes_the_month_statements_export_and_get_paid(
    plan, team, api, as_distributor, django_capture_on_commit_callbacks
):
    sell_through_quotes(team, as_distributor, django_capture_on_commit_callbacks)
    finance = api("datang_admin")
    periods = finance.get("/api/v1/commissions/periods/").json()
    month = next(p for p in periods if p["entries"])
    assert (month["total"], month["status"]) == ("168.84", "open")
    started = finance.post(f"/api/v1/commissions/periods/{month['id']}/close/")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    settlement_run_execute(started.json()["id"])  # what the Celery task runs
    run = finance.get(f"/api/v1/commissions/periods/{month['id']}/run/").json()
    assert (run["status"], run["progress"], run["statements"]) == ("done", 100, 3)
    # Closing again changes nothing.
    assert (
        finance.post(f"/api/v1/commissions/periods/{month['id']}/close/").json()["id"] == started.json()["id"]
    )

    statements = finance.get("/api/v1/commissions/statements/", {"period": month["id"]}).json()["results"]
    by_name = {s["distributor_name"]: s for s in statements}
    # Same-level: the company pays 唐总 the chain's 168.84; each passes on what is not theirs.
    assert (by_name["唐总"]["earned"], by_name["唐总"]["receivable"], by_name["唐总"]["payable"]) == (
        "30.99", "168.84", "137.85",
    )  # fmt: skip
    assert (by_name["刘小军"]["earned"], by_name["刘小军"]["receivable"], by_name["刘小军"]["payable"]) == (
        "91.90", "91.90", "0.00",
    )  # fmt: skip
    lead = by_name["王海峰"]
    detail = as_distributor(team.lead).get(f"/api/v1/commissions/statements/{lead['id']}/").json()
    assert [e["state"] for e in detail["entries"]] == ["confirmed", "confirmed"]
    assert (
        as_distributor(team.lead).get(f"/api/v1/commissions/statements/{by_name['唐总']['id']}/").status_code
        == 404
    )

    xlsx = finance.get(f"/api/v1/commissions/statements/{lead['id']}/export/", {"file": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "商业险保费 748.00 × (15% − 10%) = 37.40" in cells and "45.95" in cells
    pdf = as_distributor(team.lead).get(
        f"/api/v1/commissions/statements/{lead['id']}/export/", {"file": "pdf"}
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    paid = finance.post(f"/api/v1/commissions/statements/{lead['id']}/pay/")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert finance.post(f"/api/v1/commissions/statements/{lead['id']}/pay/").status_code == 409
    mine = as_distributor(team.lead).get("/api/v1/commissions/my/entries/").json()["results"]
    assert {e["state"] for e in mine} == {"settled"}


def test_adjustments_need_a_reason_and_go_to_the_open_month(plan, team, api):
    finance = api("datang_admin")
    body = {"distributor": team.member.pk, "amount": "-20.00", "reason": ""}
    refused = finance.post("/api/v1/commissions/adjustments/", body, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    made = finance.post("/api/v1/commissions/adjustments/", {**body, "reason": "客户投诉扣减"}, format="json")
    assert made.status_code == 201 and made.json()["kind"] == "adjustment"
    today = timezone.localdate()
    assert made.json()["period"] == f"{today.year}-{today.month:02d}"


def test_performance_shows_an_agent_their_team_only(
    plan, team, api, as_distributor, django_capture_on_commit_callbacks
):
    sell_through_quotes(team, as_distributor, django_capture_on_commit_callbacks)
    rows = as_distributor(team.lead).get("/api/v1/commissions/performance/").json()
    assert {(r["name"], r["policies"], r["premium"]) for r in rows if r["policies"]} == {
        ("刘小军", 2, "1603.00")
    }
    assert as_distributor(team.peer).get("/api/v1/commissions/performance/").json() == []
    assert api("datang_admin").get("/api/v1/commissions/performance/", {"from": "2026-13"}).status_code == 400


def test_no_other_tenant_or_anonymous_sees_the_ledger(
    plan, team, api, as_distributor, django_capture_on_commit_callbacks
):
    sell_through_quotes(team, as_distributor, django_capture_on_commit_callbacks)
    with schema_context("datang"):
        period = Period.objects.filter(entries__isnull=False).first()
        assert period is not None
        settlement_run_execute(settlement_start(actor=None, period=period).pk)
        statement = Statement.objects.first()
        assert statement is not None
    bowei = api("bowei_admin")
    assert bowei.get("/api/v1/commissions/plans/").json() == []
    assert bowei.get(f"/api/v1/commissions/plans/{plan['id']}/").status_code == 404
    assert bowei.get(f"/api/v1/commissions/statements/{statement.pk}/").status_code == 404
    assert bowei.get("/api/v1/commissions/entries/").json()["results"] == []
    assert all(p["entries"] == 0 for p in bowei.get("/api/v1/commissions/periods/").json())
    assert bowei.get(f"/api/v1/commissions/periods/{period.pk}/run/").status_code == 404
    assert api("datang_admin", host="bowei.localhost").get("/api/v1/commissions/plans/").status_code in (
        401,
        403,
    )
    anonymous = api(None, host="datang.localhost")
    for url in (
        "/api/v1/commissions/plans/",
        "/api/v1/commissions/my/income/",
        "/api/v1/commissions/entries/",
    ):
        assert anonymous.get(url).status_code == 401
    # A peer agent sees none of the team's entries.
    assert as_distributor(team.peer).get("/api/v1/commissions/my/entries/").json()["results"] == []
    assert as_distributor(team.peer).get("/api/v1/commissions/entries/").status_code == 403
