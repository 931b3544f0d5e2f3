"""Open quote pages follow the quote without a reload: every step (create, send, accept, cancel…)
pushes ``quote.changed`` to the owner's and the promoting agent's channels after the commit, so the
owner's page stops showing 代理人已报价 once the agent cancels. Nobody else is told."""

import json

import pytest
from django_tenants.utils import schema_context

from core import realtime
from customers.services import customer_create
from tests.conftest import PEOPLE, person
from tests.insurers import car

pytestmark = pytest.mark.django_db

BODY = {
    "history": {"ctpl_class": "A1", "claim_free_years": 1},
    "coverages": {
        "ctpl": True,
        "vehicle_tax": True,
        "commercial": [{"code": "third_party", "limit": "1000000"}],
    },
}


def pushed(user_id: int, schema: str = "datang") -> list[tuple[str, dict]]:
    rows = realtime.client().xrange(realtime.stream_key(realtime.user_channel(user_id, schema)))
    messages = [json.loads(fields[b"m"] if b"m" in fields else fields["m"]) for _, fields in rows]
    return [(m["event"], m["data"]) for m in messages if m["event"] == "quote.changed"]


def test_the_owner_and_the_agent_are_told_when_the_quote_is_cancelled(
    team, insurers, as_distributor, api, django_capture_on_commit_callbacks
):
    with schema_context("datang"):
        vehicle = customer_create(
            actor=None,
            name="赵车主",
            mobile=PEOPLE["datang_owner"].mobile,
            promoter_id=team.lead.pk,
            vehicles=[car()],
        ).vehicles.get()
    owner = api("datang_owner")
    assert owner.get("/api/v1/quotes/").status_code == 200  # the owner's account is linked to the customer
    agent = as_distributor(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        quote = agent.post("/api/v1/quotes/", {**BODY, "vehicle_id": vehicle.pk}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        assert agent.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            agent.post(
                f"/api/v1/quotes/{quote['id']}/cancel/", {"reason": "客户改主意"}, format="json"
            ).status_code
            == 200
        )
    expected = [
        ("quote.changed", {"quote_id": quote["id"], "status": "platform_quoted", "action": "create"}),
        ("quote.changed", {"quote_id": quote["id"], "status": "agent_quoted", "action": "send"}),
        ("quote.changed", {"quote_id": quote["id"], "status": "cancelled", "action": "cancel"}),
    ]
    assert pushed(person("datang_owner").pk) == expected
    assert pushed(team.lead.user_id) == expected
    assert pushed(team.peer.user_id) == [] and pushed(team.member.user_id) == []
