"""Network API: the admin builds the organisation, agents see their own team, nobody else sees it."""

import pytest
from django_tenants.utils import schema_context

from network.models import Distributor
from network.services import agent_create, tier_create
from tests.conftest import PEOPLE, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def datang_tiers(datang):
    with schema_context("datang"):
        return {
            "regional": tier_create(actor=None, name="区域经理", rank=1),
            "team": tier_create(actor=None, name="团队长", rank=2),
            "agent": tier_create(actor=None, name="代理人", rank=3),
        }


def test_admin_builds_the_organisation_and_sees_the_tree(api, datang_tiers) -> None:
    admin = api("datang_admin")
    lead = admin.post(
        "/api/v1/network/agents/",
        {"name": "李队", "mobile": "13611110002", "licence_no": "LIC-2", "tier": datang_tiers["team"].pk},
        format="json",
    )
    assert lead.status_code == 201, lead.content
    member = admin.post(
        "/api/v1/network/agents/",
        {
            "name": "张三",
            "mobile": "13611110003",
            "licence_no": "LIC-3",
            "tier": datang_tiers["agent"].pk,
            "parent": lead.json()["id"],
        },
        format="json",
    )
    assert member.status_code == 201, member.content
    assert member.json()["parent"] == {"id": lead.json()["id"], "name": "李队"}
    assert len(member.json()["referral_code"]) == 8

    tree = admin.get("/api/v1/network/tree/").json()
    assert [(n["name"], n["team_size"]) for n in tree] == [("李队", 1)]
    assert [c["name"] for c in tree[0]["children"]] == ["张三"]

    listed = admin.get("/api/v1/network/agents/?search=张").json()
    assert listed["count"] == 1 and listed["results"][0]["tier"]["name"] == "代理人"
    assert admin.get(f"/api/v1/network/agents/?tier={datang_tiers['team'].pk}").json()["count"] == 1


def test_bad_agent_input_names_the_fields_and_creates_nothing(api, datang_tiers) -> None:
    response = api("datang_admin").post(
        "/api/v1/network/agents/",
        {"name": "", "mobile": "123", "licence_no": "", "tier": 999999},
        format="json",
    )
    assert response.status_code == 400
    assert {"name", "mobile", "licence_no"} <= set(response.json()["fields"])
    with schema_context("datang"):
        assert Distributor.objects.count() == 0


def test_moves_reject_cycles_with_a_400_and_apply_otherwise(api, datang_tiers) -> None:
    with schema_context("datang"):
        wang = agent_create(
            actor=None,
            name="王总",
            mobile="13611110001",
            licence_no="L1",
            tier_id=datang_tiers["regional"].pk,
        )
        zhao = agent_create(
            actor=None,
            name="赵总",
            mobile="13611110004",
            licence_no="L4",
            tier_id=datang_tiers["regional"].pk,
        )
        li = agent_create(
            actor=None,
            name="李队",
            mobile="13611110002",
            licence_no="L2",
            tier_id=datang_tiers["team"].pk,
            parent_id=wang.pk,
        )
    admin = api("datang_admin")
    cycle = admin.post(f"/api/v1/network/agents/{wang.pk}/move/", {"parent": li.pk}, format="json")
    assert cycle.status_code == 400 and "parent" in cycle.json()["fields"]
    moved = admin.post(f"/api/v1/network/agents/{li.pk}/move/", {"parent": zhao.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["parent"]["name"] == "赵总"
    again = admin.post(f"/api/v1/network/agents/{li.pk}/move/", {"parent": zhao.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "network_same_parent"


def test_an_agent_sees_their_own_team_only_and_cannot_change_the_organisation(api, datang_tiers) -> None:
    with schema_context("datang"):
        agent_user = person("datang_agent")
        me = agent_create(
            actor=None,
            name=agent_user.name,
            mobile=agent_user.mobile,
            licence_no="L-ME",
            tier_id=datang_tiers["team"].pk,
        )
        agent_create(
            actor=None,
            name="下级甲",
            mobile="13611110011",
            licence_no="L11",
            tier_id=datang_tiers["agent"].pk,
            parent_id=me.pk,
        )
        agent_create(
            actor=None, name="别人", mobile="13611110012", licence_no="L12", tier_id=datang_tiers["team"].pk
        )
    agent = api("datang_agent")
    tree = agent.get("/api/v1/network/tree/").json()
    assert [n["name"] for n in tree] == [PEOPLE["datang_agent"].name]
    assert [c["name"] for c in tree[0]["children"]] == ["下级甲"]
    assert agent.get("/api/v1/network/me/").json()["referral_code"] == me.referral_code
    assert agent.get("/api/v1/network/agents/").status_code == 403
    create = agent.post(
        "/api/v1/network/agents/",
        {"name": "x", "mobile": "13611110013", "licence_no": "L", "tier": 1},
        format="json",
    )
    assert create.status_code == 403
    assert agent.post("/api/v1/network/tiers/", {"name": "x", "rank": 9}, format="json").status_code == 403


def test_a_datang_admin_cannot_read_or_move_a_bowei_agent(api, datang_tiers, bowei) -> None:
    with schema_context("bowei"):
        tier = tier_create(actor=None, name="代理人", rank=1)
        bowei_agents = [
            agent_create(
                actor=None, name=f"博维{i}", mobile=f"1362222000{i}", licence_no=f"B{i}", tier_id=tier.pk
            )
            for i in range(4)
        ]
    target = bowei_agents[-1]
    admin = api("datang_admin")
    assert admin.get(f"/api/v1/network/agents/{target.pk}/").status_code == 404
    assert (
        admin.post(
            f"/api/v1/network/agents/{target.pk}/status/", {"status": "inactive"}, format="json"
        ).status_code
        == 404
    )
    assert admin.get("/api/v1/network/agents/").json()["count"] == 0
    assert "博维" not in str(admin.get("/api/v1/network/tree/").json())
    with schema_context("bowei"):
        assert Distributor.objects.get(pk=target.pk).status == "active"


NETWORK_MATRIX = [
    # path, who, own host, other tenant's host, public host, anonymous
    ("/api/v1/network/tiers/", "datang_admin", 200, 401, (401, 404), 401),
    ("/api/v1/network/agents/", "datang_admin", 200, 401, (401, 404), 401),
    ("/api/v1/network/tree/", "datang_admin", 200, 401, (401, 404), 401),
    ("/api/v1/network/me/", "datang_agent", 404, 401, (401, 404), 401),  # 404: not in the network yet
]


@pytest.mark.parametrize(("path", "who", "own", "other", "public", "anonymous"), NETWORK_MATRIX)
def test_network_endpoint_matrix(api, datang_tiers, path, who, own, other, public, anonymous) -> None:
    assert api(who).get(path).status_code == own
    assert api(who, host="bowei.localhost", token_host="datang.localhost").get(path).status_code == other
    assert api(who, host="localhost", token_host="datang.localhost").get(path).status_code in public
    assert api(None, host="datang.localhost").get(path).status_code == anonymous
