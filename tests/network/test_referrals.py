"""Referral: agents invite agents under them; owners refer owners (goods/services rewards only)."""

import pytest
from django_tenants.utils import schema_context

from accounts import sms
from accounts.models import Membership
from network.models import Distributor, NetworkSettings, Referral
from network.services import agent_create, tier_create
from tests.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def inviter(datang):
    with schema_context("datang"):
        team = tier_create(actor=None, name="团队长", rank=1)
        tier_create(actor=None, name="代理人", rank=2)
        return agent_create(
            actor=None, name="李队", mobile="13611110002", licence_no="LIC-2", tier_id=team.pk
        )


def sms_code(client, mobile: str) -> str:
    assert client.post("/api/v1/auth/sms/send/", {"mobile": mobile}, format="json").status_code == 202
    return next(m.params["code"] for m in reversed(sms.outbox) if m.mobile == mobile)


def test_an_invited_agent_joins_under_the_inviter_pending_approval(api, inviter, datang) -> None:
    anonymous = api(None, host="datang.localhost")
    info = anonymous.get(f"/api/v1/network/referral/{inviter.referral_code.lower()}/")
    assert info.status_code == 200
    assert info.json() == {
        "code": inviter.referral_code,
        "inviter_name": "李队",
        "kind": "agent",
        "tenant_name": "大唐保险经纪有限公司",
    }
    code = sms_code(anonymous, "13611110009")
    joined = anonymous.post(
        "/api/v1/network/join/",
        {
            "code": inviter.referral_code,
            "name": "新人",
            "mobile": "13611110009",
            "licence_no": "LIC-9",
            "sms_code": code,
            "password": "Newbie@2026",
        },
        format="json",
    )
    assert joined.status_code == 201, joined.content
    body = joined.json()
    assert (body["status"], body["parent"]["name"], body["tier"]["name"]) == ("pending", "李队", "代理人")
    # pending: cannot log in as an agent until approved
    login = anonymous.post(
        "/api/v1/auth/token/", {"mobile": "13611110009", "password": "Newbie@2026"}, format="json"
    )
    assert login.status_code == 401
    approved = api("datang_admin").post(
        f"/api/v1/network/agents/{body['id']}/status/", {"status": "active"}, format="json"
    )
    assert approved.status_code == 200
    assert Membership.objects.get(user__mobile="13611110009", tenant=datang, role="agent").is_active
    login = anonymous.post(
        "/api/v1/auth/token/", {"mobile": "13611110009", "password": "Newbie@2026"}, format="json"
    )
    assert login.status_code == 200 and login.json()["roles"] == ["agent"]


def test_without_approval_the_invited_agent_is_active_at_once(api, inviter) -> None:
    assert api("datang_admin").get("/api/v1/network/settings/").json() == {
        "agent_signup_requires_approval": True
    }
    assert (
        api("datang_agent")
        .put("/api/v1/network/settings/", {"agent_signup_requires_approval": False}, format="json")
        .status_code
        == 403
    )
    switched = api("datang_admin").put(
        "/api/v1/network/settings/", {"agent_signup_requires_approval": False}, format="json"
    )
    assert switched.status_code == 200
    with schema_context("datang"):
        assert not NetworkSettings.objects.get().agent_signup_requires_approval
    with schema_context("bowei"):
        assert not NetworkSettings.objects.exists()  # Datang's switch is Datang's only
    anonymous = api(None, host="datang.localhost")
    code = sms_code(anonymous, "13611110010")
    joined = anonymous.post(
        "/api/v1/network/join/",
        {
            "code": inviter.referral_code,
            "name": "新人",
            "mobile": "13611110010",
            "licence_no": "L10",
            "sms_code": code,
        },
        format="json",
    )
    assert joined.status_code == 201 and joined.json()["status"] == "active"


def test_a_wrong_sms_code_or_unknown_referral_code_writes_nothing(api, inviter) -> None:
    anonymous = api(None, host="datang.localhost")
    sms_code(anonymous, "13611110011")
    wrong = anonymous.post(
        "/api/v1/network/join/",
        {
            "code": inviter.referral_code,
            "name": "新人",
            "mobile": "13611110011",
            "licence_no": "L11",
            "sms_code": "000001",
        },
        format="json",
    )
    assert wrong.status_code == 400 and "code" in wrong.json()["fields"]
    unknown = anonymous.get("/api/v1/network/referral/NOPE1234/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "referral_code_invalid"
    with schema_context("datang"):
        assert not Distributor.objects.filter(mobile="13611110011").exists()


def test_an_owner_gets_a_referral_code_and_people_who_sign_up_with_it_are_their_referrals(
    api, datang
) -> None:
    owner = api("datang_owner")
    mine = owner.get("/api/v1/network/my-referral/")
    assert mine.status_code == 200, mine.content
    code = mine.json()["code"]
    assert mine.json()["kind"] == "customer" and mine.json()["agent_link"] == ""
    assert mine.json()["owner_link"].endswith(f"/#/login?ref={code}")
    with schema_context("datang"):
        referrer = Distributor.objects.get(referral_code=code)
        assert (referrer.kind, referrer.licence_no, referrer.tier) == (
            "customer",
            "",
            None,
        )  # never insurance commission

    anonymous = api(None, host="datang.localhost")
    sms = sms_code(anonymous, "13955556666")
    signup = anonymous.post(
        "/api/v1/auth/sms/token/",
        {"mobile": "13955556666", "code": sms, "referral_code": code},
        format="json",
    )
    assert signup.status_code == 200 and signup.json()["roles"] == ["owner"]
    listed = owner.get("/api/v1/network/my-referral/").json()["referrals"]
    assert [r["mobile"] for r in listed] == ["139****6666"]
    # the same code, again, does not create a second referrer row
    assert owner.get("/api/v1/network/my-referral/").json()["code"] == code
    with schema_context("datang"):
        assert Referral.objects.filter(referrer__referral_code=code).count() == 1


def test_a_referral_code_of_datang_means_nothing_on_bowei(api, inviter, bowei) -> None:
    assert (
        api(None, host="bowei.localhost")
        .get(f"/api/v1/network/referral/{inviter.referral_code}/")
        .status_code
        == 404
    )
    assert api("bowei_agent").get("/api/v1/network/my-referral/").status_code == 404
    assert person("bowei_agent")  # still exists; only not a distributor in Bowei
