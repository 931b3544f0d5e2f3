"""The Datang organisation the customer and quote tests work in: 王海峰 (datang_agent) leads a team with one
member (刘小军); 钱多多 is a peer on another team. Bowei has its own agent and customer."""

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from accounts.services import auth_token_issue
from network.models import Distributor
from network.services import agent_create, tier_create
from tenants.models import Tenant
from tests.conftest import PEOPLE


@dataclass
class Team:
    lead: Distributor  # 王海峰, the datang_agent person
    member: Distributor  # 刘小军, below the lead
    peer: Distributor  # 钱多多, another team


@pytest.fixture
def team(datang) -> Team:
    with schema_context("datang"):
        region = tier_create(actor=None, name="区域经理", rank=1)
        lead_tier = tier_create(actor=None, name="团队长", rank=2)
        agent_tier = tier_create(actor=None, name="代理人", rank=3)
        boss = agent_create(
            actor=None, name="唐总", mobile="13655550001", licence_no="L-0001", tier_id=region.pk
        )
        lead = agent_create(
            actor=None,
            name="王海峰",
            mobile=PEOPLE["datang_agent"].mobile,
            licence_no="L-1011",
            tier_id=lead_tier.pk,
            parent_id=boss.pk,
        )
        member = agent_create(
            actor=None,
            name="刘小军",
            mobile="13655550002",
            licence_no="L-0002",
            tier_id=agent_tier.pk,
            parent_id=lead.pk,
        )
        peer = agent_create(
            actor=None,
            name="钱多多",
            mobile="13655550003",
            licence_no="L-0003",
            tier_id=lead_tier.pk,
            parent_id=boss.pk,
        )
        return Team(lead=lead, member=member, peer=peer)


@pytest.fixture
def as_distributor(api, datang):
    """A client logged in as one of the team's agents on Datang's host."""

    def make(distributor: Distributor):
        client = api(None, host="datang.localhost")
        issued = auth_token_issue(
            user=distributor.user, tenant_id=Tenant.objects.get(schema_name="datang").pk
        )
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
        return client

    return make
