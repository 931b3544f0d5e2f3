"""A brokerage signs up on the public site: its mobile proves itself with an SMS code, the tenant is
provisioned in the background (all or nothing, retryable), and its admin logs in at its subdomain."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_exists

from accounts import sms
from accounts.models import Membership, Role, User
from subscriptions import services
from subscriptions.models import Signup, Subscription
from subscriptions.services import signup_provision
from tenants.models import Domain, Tenant
from tests.conftest import password_login
from tests.subscriptions.conftest import uscc

pytestmark = pytest.mark.django_db

MOBILE = "13566667777"


def form(**change: object) -> dict:
    return {
        "request_id": str(uuid.uuid4()), "company_name": "华信保险经纪有限公司", "uscc": uscc(),
        "kind": "brokerage", "contact_mobile": MOBILE, "sms_code": "000000", "subdomain": "huaxin",
        "plan": "basic", "admin_name": "华信管理员", "admin_password": "Huaxin@2026", **change,
    }  # fmt: skip


def send_code(api, mobile: str = MOBILE) -> str:
    response = api(None).post("/api/v1/signup/sms/", {"mobile": mobile}, format="json")
    assert response.status_code == 202, response.content
    message = sms.outbox[-1]
    assert (message.mobile, message.template) == (mobile, "signup_code")
    return message.params["code"]


def test_a_brokerage_signs_up_is_provisioned_and_its_admin_logs_in_at_its_subdomain(api) -> None:
    plans = api(None).get("/api/v1/signup/plans/").json()
    assert [(p["code"], p["price_monthly"], p["max_agents"]) for p in plans] == [
        ("basic", "299.00", 10), ("pro", "999.00", 100), ("enterprise", "2999.00", 0)
    ]  # fmt: skip
    body = form(sms_code=send_code(api))
    response = api(None).post("/api/v1/signup/", body, format="json")
    assert response.status_code == 202, response.content
    queued = response.json()
    assert (queued["status"], queued["subdomain"], queued["plan_name"]) == ("queued", "huaxin", "基础版")
    assert not Tenant.objects.filter(schema_name="huaxin").exists()

    # the same form posted again (a double click): the same signup, nothing new
    again = api(None).post("/api/v1/signup/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == queued["id"]
    assert Signup.objects.filter(subdomain="huaxin").count() == 1

    signup_provision(signup_id=queued["id"])  # what the Celery task runs

    done = api(None).get(f"/api/v1/signup/{queued['id']}/").json()
    assert (done["status"], done["step"], done["attempts"]) == ("ready", "开通完成", 1)
    assert done["console_url"] == "http://huaxin.localhost/console/"
    tenant = Tenant.objects.get(schema_name="huaxin")
    assert tenant.name == "华信保险经纪有限公司" and schema_exists("huaxin")
    assert Domain.objects.get(domain="huaxin.localhost").tenant == tenant
    sub = Subscription.objects.get(tenant=tenant)
    assert (sub.plan.code, sub.status) == ("basic", "trialing")
    assert sub.trial_ends_at is not None
    assert timedelta(days=13, hours=23) < sub.trial_ends_at - timezone.now() <= timedelta(days=14)
    assert Membership.objects.filter(user__mobile=MOBILE, tenant=tenant, role=Role.TENANT_ADMIN).exists()
    assert Signup.objects.get(pk=queued["id"]).admin_password_hash == ""  # not kept once used

    login = password_login(api(None, host="huaxin.localhost"), MOBILE, "Huaxin@2026")
    assert login.status_code == 200, login.content
    assert login.json()["roles"] == ["tenant_admin"]
    admin = api(None, host="huaxin.localhost")
    admin.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['token']}")
    checklist = admin.get("/api/v1/setup-checklist/").json()
    assert [(i["key"], i["done"]) for i in checklist["items"]] == [
        ("branding", False), ("tiers", False), ("insurers", False), ("agents", False)
    ]  # fmt: skip
    assert (checklist["done"], checklist["total"]) == (0, 4)
    assert admin.get("/api/v1/billing/").json()["state"]["status"] == "trialing"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"company_name": " "}, "company_name"),
        ({"uscc": "91440300MA5G123450"[:17] + "?"}, "uscc"),
        ({"uscc": uscc()[:17] + ("0" if uscc()[17] != "0" else "1")}, "uscc"),  # wrong check character
        ({"kind": "bank"}, "kind"),
        ({"contact_mobile": "12345"}, "contact_mobile"),
        ({"sms_code": ""}, "sms_code"),
        ({"subdomain": "Bad-Sub"}, "subdomain"),
        ({"subdomain": "datang"}, "subdomain"),  # taken by a tenant
        ({"subdomain": "www"}, "subdomain"),  # reserved
        ({"plan": "platinum"}, "plan"),
        ({"admin_name": ""}, "admin_name"),
        ({"admin_password": "123"}, "admin_password"),
        ({"request_id": "not-a-uuid"}, "request_id"),
    ],
)
def test_every_bad_field_is_named_in_a_400_and_nothing_is_queued(api, change, field) -> None:
    response = api(None).post("/api/v1/signup/", form(**change), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert field in body["fields"], body
    assert not Signup.objects.exists()


def test_a_missing_field_is_named_too(api) -> None:
    body = form()
    del body["subdomain"]
    response = api(None).post("/api/v1/signup/", body, format="json")
    assert response.status_code == 400 and "subdomain" in response.json()["fields"]


def test_a_wrong_or_expired_sms_code_is_refused_and_a_login_code_does_not_sign_up(api) -> None:
    code = send_code(api)
    wrong = "111111" if code != "111111" else "222222"
    response = api(None).post("/api/v1/signup/", form(sms_code=wrong), format="json")
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("sms_code_invalid", ["sms_code"])

    # a login code for the same mobile is another purpose: it does not count
    api(None).post("/api/v1/auth/sms/send/", {"mobile": "13566668888"}, format="json")
    login_code = sms.outbox[-1].params["code"]
    response = api(None).post("/api/v1/signup/", form(contact_mobile="13566668888", sms_code=login_code),
                              format="json")  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "sms_code_expired")

    # never sent (or its 5 minutes are over): expired
    response = api(None).post("/api/v1/signup/", form(contact_mobile="13566669999", sms_code="123456"),
                              format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "sms_code_expired" and "sms_code" in response.json()["fields"]
    assert not Signup.objects.exists()

    # the right code still works (a wrong try does not burn it)
    ok = api(None).post("/api/v1/signup/", form(sms_code=code), format="json")
    assert ok.status_code == 202, ok.content


def test_a_failed_provisioning_leaves_nothing_behind_and_a_retry_succeeds(api, monkeypatch) -> None:
    queued = api(None).post("/api/v1/signup/", form(sms_code=send_code(api), subdomain="huafail"),
                            format="json").json()  # fmt: skip
    users_before = User.objects.count()

    def broken(**_: object) -> None:
        raise RuntimeError("stripe of the trial went wrong")

    monkeypatch.setattr(services, "_subscription_open", broken)  # the last step fails
    signup_provision(signup_id=queued["id"])
    failed = api(None).get(f"/api/v1/signup/{queued['id']}/").json()
    assert (failed["status"], failed["step"], failed["error"]) == ("failed", "开通失败", "系统错误")
    assert not Tenant.objects.filter(schema_name="huafail").exists()
    assert not schema_exists("huafail")
    assert not Domain.objects.filter(domain="huafail.localhost").exists()
    assert User.objects.count() == users_before  # the admin account went with it

    monkeypatch.undo()
    retried = api(None).post(f"/api/v1/signup/{queued['id']}/retry/")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    assert api(None).post(f"/api/v1/signup/{queued['id']}/retry/").status_code == 409  # not failed now
    signup_provision(signup_id=queued["id"])
    done = api(None).get(f"/api/v1/signup/{queued['id']}/").json()
    assert (done["status"], done["attempts"]) == ("ready", 2)
    assert schema_exists("huafail") and Subscription.objects.filter(tenant__schema_name="huafail").exists()


def test_signup_lives_on_the_public_host_only(api) -> None:
    assert api(None, host="datang.localhost").get("/api/v1/signup/plans/").status_code == 404
    assert (
        api(None, host="datang.localhost").post("/api/v1/signup/", form(), format="json").status_code == 404
    )
    assert api(None).get(f"/api/v1/signup/{uuid.uuid4()}/").status_code == 404


def test_the_signup_is_queued_after_commit_and_a_broker_outage_shows_as_a_retryable_failure(
    api, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from subscriptions.tasks import signup_provision_task

    sent: list[list[str]] = []
    monkeypatch.setattr(signup_provision_task, "apply_async", lambda args, queue=None: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        queued = api(None).post("/api/v1/signup/", form(sms_code=send_code(api)), format="json").json()
    assert sent == [[queued["id"]]]

    def broker_down(args: list[str], queue: str | None = None) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(signup_provision_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        other = api(None).post(
            "/api/v1/signup/", form(sms_code=send_code(api, "13566660002"), contact_mobile="13566660002",
                                    subdomain="huaxin2", uscc=uscc("91440300MA5G12346")), format="json",
        ).json()  # fmt: skip
    failed = api(None).get(f"/api/v1/signup/{other['id']}/").json()
    assert (failed["status"], failed["error"]) == ("failed", "任务队列暂不可用，请稍后重试")
