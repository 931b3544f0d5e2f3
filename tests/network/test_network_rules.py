"""Distribution network rules (DOMAIN.md, "Distribution network"), through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Membership
from core.errors import StateConflict, ValidationFailed
from network.models import Distributor, NetworkPath
from network.selectors import org_tree, subtree_ids, subtree_of, upline_at
from network.services import agent_create, distributor_move, distributor_set_status, tier_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def datang_org(datang):
    """区域经理 王总 > 团队长 李队 > 代理人 张三, in Datang."""
    with tenant_context(datang):
        regional = tier_create(actor=None, name="区域经理", rank=1)
        team = tier_create(actor=None, name="团队长", rank=2)
        agent = tier_create(actor=None, name="代理人", rank=3)
        wang = agent_create(
            actor=None, name="王总", mobile="13611110001", licence_no="LIC-0001", tier_id=regional.pk
        )
        li = agent_create(
            actor=None,
            name="李队",
            mobile="13611110002",
            licence_no="LIC-0002",
            tier_id=team.pk,
            parent_id=wang.pk,
        )
        zhang = agent_create(
            actor=None,
            name="张三",
            mobile="13611110003",
            licence_no="LIC-0003",
            tier_id=agent.pk,
            parent_id=li.pk,
        )
        yield {"tiers": (regional, team, agent), "wang": wang, "li": li, "zhang": zhang}


def names(distributors) -> list[str]:
    return [d.name for d in distributors]


def test_upline_is_parent_first_and_subtree_includes_the_whole_team(datang_org) -> None:
    now = timezone.now()
    assert names(upline_at(distributor_id=datang_org["zhang"].pk, at=now)) == ["李队", "王总"]
    assert sorted(names(subtree_of(distributor_id=datang_org["wang"].pk))) == ["张三", "李队", "王总"]
    assert names(subtree_of(distributor_id=datang_org["li"].pk, include_self=False)) == ["张三"]
    assert sorted(subtree_ids(distributor_id=datang_org["li"].pk)) == sorted(
        [datang_org["li"].pk, datang_org["zhang"].pk]
    )
    # 3 self paths + 李队<-王总 + 张三<-李队 + 张三<-王总
    assert NetworkPath.objects.filter(valid_to__isnull=True).count() == 6


def test_a_move_changes_the_upline_only_from_the_move_on(datang_org) -> None:
    regional = datang_org["tiers"][0]
    zhao = agent_create(
        actor=None, name="赵总", mobile="13611110004", licence_no="LIC-0004", tier_id=regional.pk
    )
    before = timezone.now()
    moved_at = before + timedelta(seconds=1)
    distributor_move(actor=None, distributor_id=datang_org["li"].pk, new_parent_id=zhao.pk, at=moved_at)
    after = moved_at + timedelta(seconds=1)

    assert names(upline_at(distributor_id=datang_org["zhang"].pk, at=before)) == ["李队", "王总"]
    assert names(upline_at(distributor_id=datang_org["zhang"].pk, at=after)) == ["李队", "赵总"]
    assert names(subtree_of(distributor_id=datang_org["wang"].pk)) == ["王总"]
    assert sorted(names(subtree_of(distributor_id=zhao.pk))) == ["张三", "李队", "赵总"]
    # nothing was deleted: the two paths from 王总 into the moved team were closed at the move
    closed = NetworkPath.objects.filter(valid_to=moved_at)
    assert sorted((p.ancestor.name, p.descendant.name) for p in closed) == [
        ("王总", "张三"),
        ("王总", "李队"),
    ]


def test_a_cycle_is_rejected_naming_the_parent_field(datang_org) -> None:
    with pytest.raises(ValidationFailed) as exc:
        distributor_move(actor=None, distributor_id=datang_org["li"].pk, new_parent_id=datang_org["zhang"].pk)
    assert any("循环" in m for m in exc.value.fields["parent"])
    with pytest.raises(ValidationFailed) as exc:
        distributor_move(actor=None, distributor_id=datang_org["li"].pk, new_parent_id=datang_org["li"].pk)
    assert any("循环" in m for m in exc.value.fields["parent"])


def test_a_tier_that_does_not_fit_the_parent_is_rejected(datang_org) -> None:
    regional = datang_org["tiers"][0]
    with pytest.raises(ValidationFailed) as exc:
        agent_create(
            actor=None,
            name="钱总",
            mobile="13611110005",
            licence_no="LIC-5",
            tier_id=regional.pk,
            parent_id=datang_org["li"].pk,
        )
    assert "须高于 区域经理" in exc.value.fields["parent"][0]
    assert not Distributor.objects.filter(mobile="13611110005").exists()


def test_duplicate_mobile_missing_licence_and_bad_mobile_are_named(datang_org) -> None:
    agent_tier = datang_org["tiers"][2]
    with pytest.raises(ValidationFailed) as exc:
        agent_create(actor=None, name="张三二", mobile="13611110003", licence_no="", tier_id=agent_tier.pk)
    assert set(exc.value.fields) == {"mobile", "licence_no"}
    with pytest.raises(ValidationFailed) as exc:
        agent_create(actor=None, name="x", mobile="1361111", licence_no="L", tier_id=agent_tier.pk)
    assert set(exc.value.fields) == {"mobile"}


def test_a_parent_from_another_tenant_does_not_exist_here(datang_org, bowei) -> None:
    with tenant_context(bowei):
        tier = tier_create(actor=None, name="代理人", rank=1)
        bowei_agents = [
            agent_create(
                actor=None, name=f"博维{i}", mobile=f"1362222000{i}", licence_no=f"B{i}", tier_id=tier.pk
            )
            for i in range(6)
        ]
    outsider = bowei_agents[-1]
    assert not Distributor.objects.filter(pk=outsider.pk).exists()  # we are in Datang's schema
    with pytest.raises(ValidationFailed) as exc:
        agent_create(
            actor=None,
            name="孙七",
            mobile="13611110007",
            licence_no="LIC-7",
            tier_id=datang_org["tiers"][2].pk,
            parent_id=outsider.pk,
        )
    assert exc.value.fields["parent"] == ["上级不存在（或不属于本租户）"]


def test_deactivating_an_agent_suspends_their_agent_role(datang_org, datang) -> None:
    zhang = datang_org["zhang"]
    distributor_set_status(actor=None, distributor_id=zhang.pk, status="inactive")
    assert not Membership.objects.get(user_id=zhang.user_id, tenant=datang, role="agent").is_active
    with pytest.raises(StateConflict):
        distributor_set_status(actor=None, distributor_id=zhang.pk, status="inactive")


def test_org_tree_counts_each_team(datang_org) -> None:
    (root,) = org_tree()
    assert (root["name"], root["tier"], root["team_size"]) == ("王总", "区域经理", 2)
    (li,) = root["children"]
    assert (li["name"], li["team_size"], [c["name"] for c in li["children"]]) == ("李队", 1, ["张三"])
