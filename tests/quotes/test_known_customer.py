"""A customer the agent already has, typed in by hand on 快速报价: the 400 ``customer_exists`` names
the record (``existing_customer``, ``existing_vehicle``) so the page offers to quote it, instead of
refusing with "手机号已是客户". Only a customer the caller may see is ever named: never another
team's, never another tenant's."""

import pytest
from django_tenants.utils import schema_context

from customers.models import Customer
from customers.services import customer_create
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


def typed(client, name: str, mobile: str, plate: str):
    vehicle = {"plate": plate, "seats": 5, "displacement": "1.5", "first_registered_on": "2021-05-01"}
    return client.post(
        "/api/v1/quotes/",
        {**BODY, "customer": {"name": name, "mobile": mobile}, "vehicle": vehicle},
        format="json",
    )


@pytest.fixture
def member_customer(team, insurers) -> Customer:
    """孙女士 with 粤B2088Z, promoted by 刘小军 (the member below 王海峰)."""
    with schema_context("datang"):
        return customer_create(
            actor=None, name="孙女士", mobile="13912345678", promoter_id=team.member.pk, vehicles=[car()]
        )


def test_a_known_mobile_names_the_customer_and_quoting_them_by_id_works(
    member_customer, team, as_distributor
):
    agent = as_distributor(team.member)
    refused = typed(agent, "孙女士", "139 1234 5678", "粤A7M530")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "customer_exists" and body["message"] == "孙女士 已是您的客户"
    assert body["fields"] == {
        "customer.mobile": ["手机号 13912345678 已是您的客户 孙女士，可直接为该客户报价"],
        "existing_customer": [str(member_customer.pk)],
    }
    # the page's offer taken: the same car on the existing record, no second customer
    again = agent.post("/api/v1/quotes/", {**BODY, "customer_id": member_customer.pk, "vehicle": {"plate": "粤A7M530", "seats": 5, "displacement": "1.5", "first_registered_on": "2021-05-01"}}, format="json")  # fmt: skip
    assert again.status_code == 201, again.json()
    with schema_context("datang"):
        assert Customer.objects.filter(mobile="13912345678").count() == 1
        assert sorted(member_customer.vehicles.values_list("plate", flat=True)) == ["粤A7M530", "粤B2088Z"]


def test_a_known_plate_names_the_vehicle_and_its_owner_for_the_upline_too(
    member_customer, team, as_distributor
):
    with schema_context("datang"):
        vehicle_id = member_customer.vehicles.get().pk
    lead = as_distributor(team.lead)  # the member's customers are in the lead's downline
    body = typed(lead, "孙女士", "13900000000", "粤b2088z").json()
    assert body["code"] == "customer_exists"
    assert body["fields"] == {
        "vehicle.plate": ["车牌 粤B2088Z 已是您的客户 孙女士 的车辆，可直接为这辆车报价"],
        "existing_vehicle": [str(vehicle_id)],
        "existing_customer": [str(member_customer.pk)],
    }


def test_another_teams_or_tenants_customer_is_never_named(member_customer, team, as_distributor, api):
    peer = typed(as_distributor(team.peer), "孙女士", "13912345678", "粤A7M531").json()
    # the usual refusal (mobiles are unique in a tenant), without the record's id
    assert peer["code"] == "invalid" and "existing_customer" not in peer["fields"]
    assert "customer.mobile" in peer["fields"]
    plate = typed(as_distributor(team.peer), "钱先生", "13912349999", "粤B2088Z").json()
    assert "existing_vehicle" not in plate["fields"] and "existing_customer" not in plate["fields"]
    # Bowei's agent types Datang's customer: another tenant, a new customer of Bowei's own
    created = typed(api("bowei_admin"), "孙女士", "13912345678", "粤B2088Z")
    assert created.status_code == 201, created.json()
    with schema_context("bowei"):
        assert Customer.objects.get(mobile="13912345678").pk == created.json()["customer"]["id"]
