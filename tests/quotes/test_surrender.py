"""After 退保 (issue 17 §3): a quote whose policies were all surrendered listed as 已完成, still took
确认收款, and 业绩 disagreed with the quote drawer. Lists, filters, payment and 业绩 follow the policies.

The car (tests/quotes/test_quotes_api.py): PICC quotes 交强险 855.00 + 车船税 420.00 + 三者险 100万
748.00 = 2,023.00; the agent 王海峰 sells it, so 业绩 is his."""

import pytest
from django.utils import timezone

from tests.quotes.test_quotes_api import owner_car, quick_quote  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _issued(agent, vehicle_id: int) -> dict:
    quote = quick_quote(agent, vehicle_id=vehicle_id).json()
    agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json")
    picc = next(o for o in quote["options"] if o["insurer"]["code"] == "PICC")
    issued = agent.post(f"/api/v1/quotes/{quote['id']}/accept/", {"option": picc["id"]}, format="json").json()
    assert issued["status"] == "issued" and issued["premium"] == "2023.00"
    return issued


def _surrender(admin, quote: dict, line: str, refund: str) -> None:
    policy = next(p for p in quote["policies"] if p["line"] == line)
    done = admin.post(
        f"/api/v1/policies/{policy['id']}/surrender/",
        {"refund_amount": refund, "reason": "车辆转卖"},
        format="json",
    )
    assert done.status_code == 200, done.json()


def _performance(client) -> tuple[int, str]:
    month = timezone.localdate().strftime("%Y-%m")
    rows = client.get("/api/v1/commissions/performance/", {"from": month, "to": month}).json()
    row = next(r for r in rows if r["name"] == "王海峰")
    return row["policies"], row["premium"]


def test_a_quote_whose_every_policy_is_surrendered_is_surrendered_and_takes_no_payment(
    owner_car,  # noqa: F811
    as_distributor,
    team,
    api,
):
    agent, admin = as_distributor(team.lead), api("datang_admin")
    quote = _issued(agent, owner_car.pk)
    _surrender(admin, quote, "commercial", "374.00")
    _surrender(admin, quote, "ctpl", "400.00")
    detail = admin.get(f"/api/v1/quotes/{quote['id']}/").json()
    assert (detail["status"], detail["status_label"], detail["surrendered"]) == (
        "surrendered",
        "已退保",
        "all",
    )
    assert "pay" not in detail["actions"]
    assert detail["events"][-1]["to_status"] == "surrendered"
    assert (detail["in_force_premium"], detail["amount_due"]) == ("0.00", "1249.00")  # 2023 − 374 − 400

    refused = agent.post(f"/api/v1/quotes/{quote['id']}/pay/", {"method": "cash"}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "quote_invalid_transition" and "已退保" in body["message"] and "fields" in body
    assert admin.get(f"/api/v1/quotes/{quote['id']}/").json()["payment"] is None

    # Lists and filters follow it: 已退保, not 已完成 or 已出单.
    listed = admin.get("/api/v1/quotes/", {"status": "surrendered"}).json()["results"]
    assert [(q["id"], q["status_label"], q["surrendered"]) for q in listed] == [
        (quote["id"], "已退保", "all")
    ]
    assert admin.get("/api/v1/quotes/", {"status": "issued,completed"}).json()["results"] == []
    # 业绩 counts no policy and no premium for it, as the drawer's in-force premium says.
    assert _performance(admin) == (0, detail["in_force_premium"])


def test_a_paid_quote_surrendered_in_full_leaves_completed_for_surrendered(
    owner_car,  # noqa: F811
    as_distributor,
    team,
    api,
):
    agent, admin = as_distributor(team.lead), api("datang_admin")
    quote = _issued(agent, owner_car.pk)
    paid = agent.post(f"/api/v1/quotes/{quote['id']}/pay/", {"method": "wechat"}, format="json").json()
    assert (paid["status"], paid["payment"]["amount"]) == ("completed", "2023.00")
    _surrender(admin, quote, "ctpl", "855.00")
    _surrender(admin, quote, "commercial", "748.00")
    detail = admin.get(f"/api/v1/quotes/{quote['id']}/").json()
    assert detail["status"] == "surrendered" and detail["payment"]["amount"] == "2023.00"
    assert [q["id"] for q in admin.get("/api/v1/quotes/", {"status": "completed"}).json()["results"]] == []
    again = agent.post(f"/api/v1/quotes/{quote['id']}/pay/", {"method": "wechat"}, format="json")
    assert again.status_code == 409


def test_one_of_two_policies_surrendered_the_quote_keeps_its_status_and_owes_the_rest(
    owner_car,  # noqa: F811
    as_distributor,
    team,
    api,
):
    agent, admin = as_distributor(team.lead), api("datang_admin")
    quote = _issued(agent, owner_car.pk)
    assert _performance(admin) == (2, "1603.00")  # 855.00 + 748.00
    _surrender(admin, quote, "commercial", "374.00")
    detail = admin.get(f"/api/v1/quotes/{quote['id']}/").json()
    # Still 已出单 (the 交强险 is in force), marked as partly surrendered.
    assert (detail["status"], detail["surrendered"]) == ("issued", "partial")
    assert "pay" in detail["actions"]
    # Owed: 2,023.00 less the 374.00 refunded on the 商业险 = 1,649.00; 业绩 counts the 交强险's 855.00.
    assert (detail["amount_due"], detail["in_force_premium"]) == ("1649.00", "855.00")
    assert _performance(admin) == (1, "855.00")
    listed = admin.get("/api/v1/quotes/", {"status": "issued"}).json()["results"]
    assert [(q["id"], q["surrendered"]) for q in listed] == [(quote["id"], "partial")]

    wrong = agent.post(
        f"/api/v1/quotes/{quote['id']}/pay/", {"method": "cash", "amount": "2023.00"}, format="json"
    )
    assert wrong.status_code == 400 and "1649.00" in wrong.json()["fields"]["amount"][0]
    paid = agent.post(
        f"/api/v1/quotes/{quote['id']}/pay/", {"method": "cash", "amount": "1649.00"}, format="json"
    )
    assert paid.status_code == 200, paid.json()
    assert (paid.json()["status"], paid.json()["payment"]["amount"]) == ("completed", "1649.00")
    # The agent's drawer and 业绩 agree: 855.00 in force.
    assert agent.get(f"/api/v1/quotes/{quote['id']}/").json()["in_force_premium"] == "855.00"
    assert _performance(agent) == (1, "855.00")
