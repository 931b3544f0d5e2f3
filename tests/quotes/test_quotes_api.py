"""Quick quote, quote management and policies through the API: real prices from the seeded
insurer tables, the state machine with its 409s, the events the commission engine reads, bad input
named by field, and nobody seeing another tenant's (or another team's) quotes.

The numbers: 粤B car, 5 seats, 2.0 L, bought 2022, one claim-free year (A1, NCD 0.8), 广东:
交强险 950 × (1 − 10%) = 855.00; 车船税 广东 1.6–2.0 L 420 × 12/12 = 420.00; 三者险 1,000,000:
each insurer's 基准保费 (the sample 1100 scaled) × 0.8 × its 自主定价系数."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from accounts.services import auth_token_issue, membership_grant, user_create
from core.models import AuditEvent, DomainEvent
from customers.models import Vehicle
from customers.services import customer_create
from quotes.models import Policy, Quote, QuoteStatus
from quotes.services import quotes_expire
from tenants.models import Tenant
from tests.conftest import PEOPLE
from tests.insurers import car

pytestmark = pytest.mark.django_db

# (code, 三者险 100万 premium, total) for the car above; ranked cheapest first.
EXPECTED = [
    ("PICC", "748.00", "2023.00"),  # 1100 × 0.8 × 0.85
    ("PINGAN", "751.17", "2026.17"),  # 1067 × 0.8 × 0.88 = 751.168
    ("CPIC", "776.16", "2051.16"),  # 1078 × 0.8 × 0.90
    ("CHINALIFE", "777.22", "2052.22"),  # 1056 × 0.8 × 0.92 = 777.216
    ("SUNSHINE", "826.58", "2101.58"),  # 1111 × 0.8 × 0.93 = 826.584
    ("CCIC", "827.64", "2102.64"),  # 1089 × 0.8 × 0.95
]
THIRD_PARTY_1M = {"code": "third_party", "limit": "1000000"}


@pytest.fixture
def owner_car(team, insurers) -> Vehicle:
    """赵车主 (datang_owner's mobile), promoted by 王海峰 (the lead): the owner logs in to the H5."""
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="赵车主",
            mobile=PEOPLE["datang_owner"].mobile,
            promoter_id=team.lead.pk,
            vehicles=[car()],
        )
        return customer.vehicles.get()


def quick_quote(client, **overrides):
    body = {
        "history": {"ctpl_class": "A1", "claim_free_years": 1},
        "coverages": {"ctpl": True, "vehicle_tax": True, "commercial": [THIRD_PARTY_1M]},
        **overrides,
    }
    return client.post("/api/v1/quotes/", body, format="json")


def test_rating_prices_every_insurer_with_a_full_breakdown_and_writes_nothing(
    owner_car, as_distributor, team
):
    agent = as_distributor(team.lead)
    with schema_context("datang"):
        audits = AuditEvent.objects.count()
    response = agent.post(
        "/api/v1/rating/",
        {
            "vehicle_id": owner_car.pk,
            "history": {"ctpl_class": "A1", "claim_free_years": 1},
            "coverages": {"commercial": [THIRD_PARTY_1M]},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["region"] == "广东"
    options = body["options"]
    assert [(o["insurer"]["code"], o["commercial_premium"], o["total"]) for o in options] == EXPECTED
    assert [o["rank"] for o in options] == [1, 2, 3, 4, 5, 6]
    assert [o["cheapest"] for o in options] == [True, False, False, False, False, False]
    picc = options[0]
    assert picc["ctpl_premium"] == "855.00" and picc["vehicle_tax"] == "420.00"
    ctpl = picc["breakdown"]["ctpl"]
    assert (ctpl["base_premium"], ctpl["floating_scheme"], ctpl["floating_rate"]) == ("950.00", 5, "-0.10")
    tax = picc["breakdown"]["vehicle_tax"]
    assert (tax["annual_tax"], tax["months"], tax["amount"]) == ("420.00", 12, "420.00")
    line = picc["breakdown"]["commercial_lines"][0]
    assert (line["base_premium"], line["ncd"], line["autonomous_pricing_factor"], line["premium"]) == (
        "1100.00",
        "0.8",
        "0.8500",
        "748.00",
    )
    # The agent may move PICC's 0.85 by ±0.10, inside PICC's filed 0.65–1.15.
    assert (picc["factor_min"], picc["factor_max"]) == ("0.7500", "0.9500")
    # Commission the tenant earns on the option: 855 × 4% + 748 × 25% = 34.20 + 187.00.
    assert picc["commission"] == "221.20"
    with schema_context("datang"):
        assert Quote.objects.count() == 0
        assert AuditEvent.objects.count() == audits


def test_a_brand_new_car_pays_tax_for_the_months_left_and_an_nev_none(owner_car, as_distributor, team):
    agent = as_distributor(team.lead)
    today = timezone.localdate()
    bought = today.replace(month=9, day=10) if today.month >= 9 else today.replace(month=today.month, day=1)
    months = 12 - bought.month + 1
    typed = {
        "plate": "粤B12345",
        "seats": 5,
        "displacement": "1.5",
        "use": "family",
        "purchase_date": str(bought),
    }
    response = agent.post("/api/v1/rating/", {"vehicle": typed, "coverages": {"ctpl": True}}, format="json")
    assert response.status_code == 200, response.json()
    picc = response.json()["options"][0]
    # New car: no history, the 交强险 does not float; 1.0–1.6 L in 广东 is 360 a year.
    assert picc["ctpl_premium"] == "950.00"
    assert picc["vehicle_tax"] == format(Decimal(360 * months) / 12, ".2f")
    nev = {**typed, "plate": "粤BD12345", "energy": "new_energy", "displacement": None}
    response = agent.post("/api/v1/rating/", {"vehicle": nev, "coverages": {"ctpl": True}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["options"][0]["vehicle_tax"] == "0.00"
    assert response.json()["options"][0]["breakdown"]["vehicle_tax"]["exempt"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"province": "火星"}, "province"),
        ({"vehicle": {"seats": 0}}, "vehicle.seats"),
        (
            {"vehicle": {"purchase_price": "-1000"}, "coverages": {"commercial": [{"code": "own_damage"}]}},
            "vehicle.purchase_price",
        ),  # fmt: skip
        ({"vehicle": {"plate": "粤B2O88Z"}}, "vehicle.plate"),
        ({"vehicle": {"vin": "LSVAU2180N2183294"}}, "vehicle.vin"),
        ({"vehicle": {"use": "spaceship"}}, "vehicle.use"),
        ({"history": {"claim_free_years": 2, "claims_last_year": 1}}, "history.claims_last_year"),
        ({"history": {"ctpl_class": "A9"}}, "history.ctpl_class"),
        ({"coverages": {"commercial": [{"code": "third_party", "limit": "123"}]}}, "coverages.commercial"),
        ({"coverages": {"ctpl": False, "commercial": []}}, "coverages"),
        ({"vehicle": {"seats": "five"}}, "vehicle.seats"),
    ],
)
def test_bad_rating_input_is_a_400_naming_the_field(owner_car, as_distributor, team, change, field):
    agent = as_distributor(team.lead)
    body = {
        "vehicle_id": owner_car.pk,
        "vehicle": {},
        "history": {"ctpl_class": "A1", "claim_free_years": 1},
        "coverages": {"ctpl": True, "commercial": [THIRD_PARTY_1M]},
    }
    for key, value in change.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) and key != "province" else value
    response = agent.post("/api/v1/rating/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()


def test_agent_quotes_adjusts_sends_owner_accepts_policy_issued_and_paid(
    owner_car, as_distributor, team, api
):
    agent = as_distributor(team.lead)
    created = quick_quote(agent, vehicle_id=owner_car.pk)
    assert created.status_code == 201, created.json()
    quote = created.json()
    assert quote["status"] == "platform_quoted" and quote["number"].startswith("Q")
    assert quote["premium"] == "2023.00"  # the cheapest option until one is chosen
    assert quote["actions"] == ["adjust", "send", "cancel"]
    options = {o["insurer"]["code"]: o for o in quote["options"]}

    # Out of PICC's allowance (0.75–0.95): refused, naming the factor.
    url = f"/api/v1/quotes/{quote['id']}/options/{options['PICC']['id']}/adjust/"
    assert agent.post(url, {"factor": "0.70"}, format="json").json()["fields"].keys() == {"factor"}
    # 0.95 makes PICC 1100 × 0.8 × 0.95 = 836.00: PINGAN is cheapest now.
    adjusted = agent.post(url, {"factor": "0.95"}, format="json").json()
    ranked = [(o["insurer"]["code"], o["total"]) for o in adjusted["options"]][:2]
    assert ranked == [("PINGAN", "2026.17"), ("CPIC", "2051.16")]
    picc = next(o for o in adjusted["options"] if o["insurer"]["code"] == "PICC")
    assert (picc["commercial_premium"], picc["total"], picc["rank"]) == ("836.00", "2111.00", 6)
    assert adjusted["premium"] == "2026.17"

    owner = api("datang_owner")
    # The agent's draft is not the owner's to see until it is sent.
    assert owner.get("/api/v1/quotes/").json()["results"] == []
    assert owner.get(f"/api/v1/quotes/{quote['id']}/").status_code == 404
    sent = agent.post(f"/api/v1/quotes/{quote['id']}/send/", {"note": "平安最便宜"}, format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "agent_quoted"
    assert agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json").status_code == 409

    mine = owner.get("/api/v1/quotes/").json()["results"]
    assert [q["id"] for q in mine] == [quote["id"]]
    seen = owner.get(f"/api/v1/quotes/{quote['id']}/").json()
    assert seen["actions"] == ["accept", "cancel"]
    assert "commission" not in seen["options"][0] and "ctpl_commission_rate" not in seen["options"][0]

    accepted = owner.post(
        f"/api/v1/quotes/{quote['id']}/accept/", {"option": options["PINGAN"]["id"]}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    issued = accepted.json()
    assert issued["status"] == "issued" and issued["premium"] == "2026.17"
    assert issued["insurer"]["code"] == "PINGAN"
    policies = {p["line"]: p for p in issued["policies"]}
    expiry = owner_car.ctpl_expires_on
    for line, premium in (("ctpl", "855.00"), ("commercial", "751.17")):
        policy = policies[line]
        assert policy["number"].startswith(f"PINGAN{'JQ' if line == 'ctpl' else 'SY'}{expiry.year}")
        assert policy["premium"] == premium
        # The new term starts the day after the current policy ends and lasts a year.
        assert policy["starts_on"] == str(expiry + timedelta(days=1))
        assert policy["ends_on"] == str(expiry.replace(year=expiry.year + 1))
    assert policies["ctpl"]["vehicle_tax"] == "420.00"
    assert issued["policy_numbers"] == {
        "ctpl": policies["ctpl"]["number"],
        "commercial": policies["commercial"]["number"],
    }
    with schema_context("datang"):
        owner_car.refresh_from_db()
        assert owner_car.ctpl_expires_on == expiry.replace(year=expiry.year + 1)
        events = list(DomainEvent.objects.filter(kind="policy.issued").order_by("id"))
        assert sorted((e.payload["line"], e.payload["premium"], e.payload["commission_rate"], e.payload["commission"])
                      for e in events) == [("commercial", "751.17", "0.2500", "187.79"),
                                           ("ctpl", "855.00", "0.0400", "34.20")]  # fmt: skip
        assert {e.payload["promoter_id"] for e in events} == {team.lead.pk}

    # Owners cannot record payments; the agent does; the amount must be the premium.
    assert (
        owner.post(f"/api/v1/quotes/{quote['id']}/pay/", {"method": "wechat"}, format="json").status_code
        == 403
    )
    wrong = agent.post(
        f"/api/v1/quotes/{quote['id']}/pay/", {"method": "wechat", "amount": "2000"}, format="json"
    )
    assert wrong.status_code == 400 and "amount" in wrong.json()["fields"]
    paid = agent.post(
        f"/api/v1/quotes/{quote['id']}/pay/", {"method": "wechat", "reference": "4200001"}, format="json"
    )
    assert paid.status_code == 200 and paid.json()["status"] == "completed"
    assert paid.json()["payment"]["amount"] == "2026.17"

    # Anything else from 已完成 is a 409 naming the state.
    for action, body in (
        ("cancel", {}),
        ("accept", {"option": options["PICC"]["id"]}),
        ("pay", {"method": "cash"}),
    ):
        refused = agent.post(f"/api/v1/quotes/{quote['id']}/{action}/", body, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "quote_invalid_transition"
        assert "已完成" in refused.json()["message"]

    history = [(e["action"], e["to_status"], e["actor_name"]) for e in paid.json()["events"]]
    assert history == [
        ("create", "platform_quoted", "王海峰"),
        ("adjust", "platform_quoted", "王海峰"),
        ("send", "agent_quoted", "王海峰"),
        ("accept", "issued", "赵车主"),
        ("pay", "completed", "王海峰"),
    ]


def test_owner_cannot_accept_before_the_agent_quotes_and_an_expired_quote_is_refused(
    owner_car, as_distributor, team, api
):
    agent = as_distributor(team.lead)
    quote = quick_quote(agent, vehicle_id=owner_car.pk).json()
    option = quote["options"][0]["id"]
    owner = api("datang_owner")
    # Before the agent sends it: the owner does not see it, and nobody may accept it.
    assert (
        owner.post(f"/api/v1/quotes/{quote['id']}/accept/", {"option": option}, format="json").status_code
        == 404
    )
    early = agent.post(f"/api/v1/quotes/{quote['id']}/accept/", {"option": option}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "quote_invalid_transition"
    agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json")
    with schema_context("datang"):
        Quote.objects.filter(pk=quote["id"]).update(valid_until=timezone.localdate() - timedelta(days=1))
    late = owner.post(f"/api/v1/quotes/{quote['id']}/accept/", {"option": option}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "quote_expired"
    with schema_context("datang"):
        assert quotes_expire() == 1
        assert quotes_expire() == 0  # the daily task is idempotent
        assert Quote.objects.get(pk=quote["id"]).status == QuoteStatus.EXPIRED
        assert Policy.objects.count() == 0
    again = agent.post(f"/api/v1/quotes/{quote['id']}/cancel/", {}, format="json")
    assert again.status_code == 409 and "已过期" in again.json()["message"]


def test_owner_quotes_in_the_h5_and_accepts_their_own_platform_quote(owner_car, api):
    owner = api("datang_owner")
    created = quick_quote(owner, vehicle_id=owner_car.pk, coverages={"ctpl": True, "vehicle_tax": True})
    assert created.status_code == 201, created.json()
    quote = created.json()
    assert quote["channel"] == "owner" and quote["actions"] == ["accept", "cancel"]
    # 交强险 only: every insurer charges the regulated 855.00 + 420.00.
    assert {o["total"] for o in quote["options"]} == {"1275.00"}
    accepted = owner.post(
        f"/api/v1/quotes/{quote['id']}/accept/", {"option": quote["options"][0]["id"]}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    assert [p["line"] for p in accepted.json()["policies"]] == ["ctpl"]


def test_surrender_refunds_and_emits_the_clawback_event(owner_car, as_distributor, team, api):
    agent = as_distributor(team.lead)
    quote = quick_quote(agent, vehicle_id=owner_car.pk).json()
    agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json")
    picc = quote["options"][0]
    issued = agent.post(f"/api/v1/quotes/{quote['id']}/accept/", {"option": picc["id"]}, format="json").json()
    commercial = next(p for p in issued["policies"] if p["line"] == "commercial")
    url = f"/api/v1/policies/{commercial['id']}/surrender/"
    assert agent.post(url, {"refund_amount": "300", "reason": "车辆转卖"}, format="json").status_code == 403
    admin = api("datang_admin")
    too_much = admin.post(url, {"refund_amount": "748.01", "reason": "车辆转卖"}, format="json")
    assert too_much.status_code == 400 and "refund_amount" in too_much.json()["fields"]
    no_reason = admin.post(url, {"refund_amount": "300", "reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    done = admin.post(url, {"refund_amount": "374.00", "reason": "车辆转卖"}, format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["refund_amount"]) == ("cancelled", "374.00")
    assert admin.post(url, {"refund_amount": "1", "reason": "x"}, format="json").status_code == 409
    with schema_context("datang"):
        event = DomainEvent.objects.get(kind="policy.cancelled")
        # The original sale's figures: 748.00 at 25% paid 187.00; half the premium came back.
        assert (event.payload["premium"], event.payload["commission_rate"], event.payload["commission"]) == (
            "748.00",
            "0.2500",
            "187.00",
        )
        assert (event.payload["refund_amount"], event.payload["refund_ratio"]) == ("374.00", "0.500000")
    detail = agent.get(f"/api/v1/quotes/{quote['id']}/").json()
    assert detail["events"][-1]["action"] == "surrender" and "374.00" in detail["events"][-1]["note"]


def test_agent_quotes_a_new_customer_typed_in_and_is_their_promoter(insurers, team, as_distributor):
    agent = as_distributor(team.member)
    created = quick_quote(
        agent,
        customer={"name": "钱小姐", "mobile": "13912340001"},
        vehicle={"plate": "粤A7M520", "seats": 5, "displacement": "1.5", "first_registered_on": "2021-05-01"},
    )
    assert created.status_code == 201, created.json()
    with schema_context("datang"):
        quote = Quote.objects.select_related("customer", "vehicle").get(pk=created.json()["id"])
        assert (quote.customer.name, quote.customer.promoter_id, quote.promoter_id) == (
            "钱小姐",
            team.member.pk,
            team.member.pk,
        )
        assert (quote.vehicle.plate, quote.vehicle.displacement) == ("粤A7M520", Decimal("1.50"))
    bad = quick_quote(agent, customer={"name": "", "mobile": "123"}, vehicle={"plate": "粤A7M521"})
    assert bad.status_code == 400 and {"customer.name", "customer.mobile"} <= bad.json()["fields"].keys()
    with schema_context("datang"):
        assert not Vehicle.objects.filter(plate="粤A7M521").exists()


def test_a_policy_cannot_be_renewed_more_than_90_days_ahead(team, insurers, as_distributor):
    with schema_context("datang"):
        far = customer_create(
            actor=None, name="孙先生", mobile="13912340002", promoter_id=team.lead.pk,
            vehicles=[car(plate="粤B3K777", vin="", ctpl_expires_on=timezone.localdate() + timedelta(days=200))],
        ).vehicles.get()  # fmt: skip
    response = quick_quote(as_distributor(team.lead), vehicle_id=far.pk)
    assert response.status_code == 400 and "coverages.ctpl" in response.json()["fields"]


def test_the_ctpl_commission_is_capped_at_4_percent(insurers, api):
    admin = api("datang_admin")
    body = {"enabled": True, "ctpl_commission_rate": "0.05", "commercial_commission_rate": "0.2"}
    response = admin.put("/api/v1/insurers/PICC/terms/", body, format="json")
    assert response.status_code == 400 and "ctpl_commission_rate" in response.json()["fields"]
    ok = admin.put("/api/v1/insurers/PICC/terms/", {**body, "ctpl_commission_rate": "0.04"}, format="json")
    assert ok.status_code == 200 and ok.json()["terms"]["ctpl_commission_rate"] == "0.0400"
    factor = admin.put("/api/v1/insurers/PICC/terms/", {**body, "ctpl_commission_rate": "0.04",
                                                        "autonomous_pricing_factor": "1.3"}, format="json")  # fmt: skip
    assert factor.status_code == 400 and "autonomous_pricing_factor" in factor.json()["fields"]
    assert api("datang_agent").put("/api/v1/insurers/PICC/terms/", body, format="json").status_code == 403


def test_a_tenant_rating_table_wins_over_the_insurers_and_is_checked(owner_car, api, as_distributor, team):
    admin = api("datang_admin")
    url = "/api/v1/insurers/PICC/rating-tables/family_car/"
    table = admin.get(url).json()
    assert table["source"] == "insurer"
    coverages = table["coverages"]
    coverages["third_party"]["by_limit"]["1000000"] = "1000"
    bad = admin.put(url, {"name": "大唐 人保 家用车", "coverages": {"third_party": {"form": "limit_bases", "name": "三者",
                                                                              "by_limit": {"1000000": "-5"}}}}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "coverages.third_party.by_limit.1000000" in bad.json()["fields"]
    assert (
        admin.put(url, {"name": "大唐 人保 家用车", "coverages": coverages}, format="json").status_code == 200
    )
    rated = as_distributor(team.lead).post(
        "/api/v1/rating/",
        {"vehicle_id": owner_car.pk, "history": {"ctpl_class": "A1", "claim_free_years": 1},
         "coverages": {"commercial": [THIRD_PARTY_1M]}},
        format="json",
    ).json()  # fmt: skip
    # 1000 × 0.8 × 0.85 = 680.00 in Datang; Bowei still prices PICC with the insurer's 1100.
    assert rated["options"][0]["commercial_premium"] == "680.00"
    with schema_context("bowei"):
        bowei_car = customer_create(
            actor=None, name="钱先生", mobile="13912340003", vehicles=[car(vin="")]
        ).vehicles.get()
    bowei = api("bowei_admin")
    other = bowei.post("/api/v1/rating/", {"vehicle_id": bowei_car.pk,
                                           "history": {"ctpl_class": "A1", "claim_free_years": 1},
                                           "coverages": {"commercial": [THIRD_PARTY_1M]}}, format="json")  # fmt: skip
    assert [o["commercial_premium"] for o in other.json()["options"]] == ["748.00"]


def test_quote_list_filters_export_and_price_history(owner_car, as_distributor, team, api):
    agent = as_distributor(team.lead)
    first = quick_quote(agent, vehicle_id=owner_car.pk).json()
    second = quick_quote(agent, vehicle_id=owner_car.pk, coverages={"ctpl": True}).json()
    agent.post(f"/api/v1/quotes/{first['id']}/send/", {}, format="json")
    admin = api("datang_admin")
    rows = admin.get("/api/v1/quotes/", {"status": "agent_quoted"}).json()["results"]
    assert [r["number"] for r in rows] == [first["number"]]
    assert rows[0]["promoter"]["name"] == "王海峰" and rows[0]["customer"]["name"] == "赵车主"
    assert {r["id"] for r in admin.get("/api/v1/quotes/", {"plate": "2088"}).json()["results"]} == {
        first["id"],
        second["id"],
    }
    assert admin.get("/api/v1/quotes/", {"promoter": "钱多多"}).json()["results"] == []
    assert admin.get("/api/v1/quotes/", {"status": "bogus"}).status_code == 400
    export = admin.get("/api/v1/quotes/export/", {"status": "agent_quoted"})
    sheet = load_workbook(BytesIO(export.content)).active
    assert [c.value for c in sheet[1]][:3] == ["报价单号", "交强险保单号", "商业险保单号"]
    assert [c.value for c in sheet[2]][0] == first["number"] and sheet.max_row == 2
    prices = admin.get(f"/api/v1/customers/{owner_car.customer_id}/prices/").json()["results"]
    assert len(prices) == 12  # two quotes × six insurers
    assert {(p["quote_number"], p["insurer"]["code"], p["total"]) for p in prices if p["cheapest"]} == {
        (first["number"], "PICC", "2023.00"),
        *((second["number"], code, "1275.00") for code, _, _ in EXPECTED),
    }


def test_nobody_sees_another_teams_or_tenants_quotes(owner_car, as_distributor, team, api):
    quote = quick_quote(as_distributor(team.lead), vehicle_id=owner_car.pk).json()
    url = f"/api/v1/quotes/{quote['id']}/"
    assert as_distributor(team.member).get(url).status_code == 404  # below the lead: not the lead's customers
    peer = as_distributor(team.peer)
    assert peer.get(url).status_code == 404
    assert peer.get("/api/v1/quotes/").json()["results"] == []
    assert peer.post(f"{url}send/", {}, format="json").status_code == 404
    assert peer.post("/api/v1/rating/", {"vehicle_id": owner_car.pk}, format="json").json()[
        "fields"
    ].keys() == {"vehicle_id"}
    assert quick_quote(peer, vehicle_id=owner_car.pk).status_code == 400
    assert peer.get(f"/api/v1/customers/{owner_car.customer_id}/prices/").status_code == 404
    bowei = api("bowei_admin")
    assert bowei.get(url).status_code == 404
    assert bowei.get("/api/v1/quotes/").json()["results"] == []
    assert bowei.get("/api/v1/policies/").json()["results"] == []
    assert bowei.post(f"{url}cancel/", {}, format="json").status_code == 404
    # A Datang token on Bowei's host, and nobody at all.
    assert api("datang_admin", host="bowei.localhost").get(url).status_code in (401, 403)
    assert api(None, host="datang.localhost").get("/api/v1/quotes/").status_code == 401
    assert api(None, host="datang.localhost").post("/api/v1/rating/", {}, format="json").status_code == 401
    # Bowei's admin sees Bowei's own insurers' terms, not Datang's.
    terms = {r["code"]: r["terms"] for r in bowei.get("/api/v1/insurers/").json()}
    assert terms["PICC"]["commercial_commission_rate"] == "0.3000" and terms["PINGAN"] is None


def test_a_tenant_keeps_the_vehicle_tax_of_other_provinces(insurers, team, as_distributor, api):
    """湖南 has no built-in table: until the tenant keeps one, a 湘 car is refused by province."""
    agent = as_distributor(team.lead)
    typed = {"plate": "湘A5T888", "seats": 5, "displacement": "1.8", "purchase_date": "2020-04-01"}
    refused = agent.post("/api/v1/rating/", {"vehicle": typed, "coverages": {"ctpl": True}}, format="json")
    assert refused.status_code == 400 and "湖南" in refused.json()["fields"]["province"][0]
    admin = api("datang_admin")
    url = "/api/v1/vehicle-tax-tables/湖南省/"
    unlawful = admin.put(
        url, {"annual_tax": ["180", "360", "700", "900", "1800", "3000", "4500"]}, format="json"
    )
    assert unlawful.status_code == 400 and list(unlawful.json()["fields"]) == [
        "annual_tax.2"
    ]  # 1.6–2.0L: 360–660
    short = admin.put(url, {"annual_tax": ["180", "360"]}, format="json")
    assert short.status_code == 400 and "annual_tax" in short.json()["fields"]
    assert agent.put(url, {"annual_tax": ["180"] * 7}, format="json").status_code == 403
    saved = admin.put(
        url, {"annual_tax": ["180", "360", "480", "900", "1800", "3000", "4500"]}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["province"] == "湖南"
    rated = agent.post("/api/v1/rating/", {"vehicle": typed, "coverages": {"ctpl": True}}, format="json")
    assert rated.status_code == 200, rated.json()
    # 湖南 floats in scheme 5; new history: 950.00; 1.6–2.0L 480 a year, bought before this year: 12 months.
    assert (rated.json()["options"][0]["ctpl_premium"], rated.json()["options"][0]["vehicle_tax"]) == (
        "950.00",
        "480.00",
    )
    provinces = {row["province"]: row["source"] for row in admin.get("/api/v1/vehicle-tax-tables/").json()}
    assert provinces == {"湖南": "tenant", "广东": "built_in", "北京": "built_in"}
    # Bowei keeps none: its 湘 quotes are still refused.
    assert "湖南" not in {
        row["province"] for row in api("bowei_admin").get("/api/v1/vehicle-tax-tables/").json()
    }
    bowei = api("bowei_admin").post(
        "/api/v1/rating/", {"vehicle": typed, "coverages": {"ctpl": True}}, format="json"
    )
    assert bowei.status_code == 400 and "province" in bowei.json()["fields"]


def test_an_owner_registered_by_the_agent_before_signing_up_sees_their_quotes(
    insurers, team, as_distributor, api
):
    with schema_context("datang"):
        vehicle = customer_create(
            actor=None, name="后注册车主", mobile="13912340021", promoter_id=team.lead.pk,
            vehicles=[car(plate="粤B6K021", vin="")],
        ).vehicles.get()  # fmt: skip
    agent = as_distributor(team.lead)
    quote = quick_quote(agent, vehicle_id=vehicle.pk).json()
    agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json")
    user = user_create(mobile="13912340021", name="后注册车主", password="Test@2026pw")
    membership_grant(user=user, role="owner", tenant_id=Tenant.objects.get(schema_name="datang").pk)
    owner = api(None, host="datang.localhost")
    token = auth_token_issue(
        user=user, tenant_id=Tenant.objects.get(schema_name="datang").pk, second_factor=True
    ).token
    owner.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [q["id"] for q in owner.get("/api/v1/quotes/").json()["results"]] == [quote["id"]]


def test_every_option_breakdown_conforms_to_its_schema(owner_car, as_distributor, team) -> None:
    """The breakdown is served as stored JSON; frontend/openapi.json's QuoteBreakdown (from
    api/v1/quotes/breakdown.py), which the front end's types are generated from, must describe it:
    a full quote (交强险, 车船税, 车损险 at actual value, 三者险, seats cover) and a saved quote's options."""
    import json

    import jsonschema
    from django.conf import settings

    schema = json.loads((settings.BASE_DIR / "frontend" / "openapi.json").read_text(encoding="utf-8"))
    components = schema["components"]["schemas"]
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/QuoteBreakdown", "components": {"schemas": components}}
    )
    # OpenAPI's `nullable` is not JSON Schema: turn it into a type union first
    for component in components.values():
        for prop in component.get("properties", {}).values():
            if prop.pop("nullable", False):
                if "type" in prop:
                    prop["type"] = [prop["type"], "null"]
                else:
                    prop["anyOf"] = [*prop.pop("allOf", [{"$ref": prop.pop("$ref", "")}]), {"type": "null"}]
    agent = as_distributor(team.lead)
    commercial = [
        {"code": "own_damage"},
        THIRD_PARTY_1M,
        {"code": "driver_liability", "seats": 1, "limit_per_seat": "10000"},
    ]
    response = quick_quote(
        agent,
        vehicle_id=owner_car.pk,
        coverages={"ctpl": True, "vehicle_tax": True, "commercial": commercial},
    )
    assert response.status_code == 201, response.json()
    options = response.json()["options"]
    priced = [o for o in options if o["available"]]
    assert priced and priced[0]["breakdown"]["actual_value"] is not None
    assert {line["code"] for line in priced[0]["breakdown"]["commercial_lines"]} == {
        "own_damage", "third_party", "driver_liability",
    }  # fmt: skip
    for option in options:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(option["breakdown"])]
        assert errors == [], option["insurer"]["code"]
