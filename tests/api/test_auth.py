"""Logging in: password, SMS one-time code, throttling, logout, /me, branding."""

import pytest
from rest_framework.test import APIClient

from accounts import sms
from accounts.models import Membership, Role, User
from core.models import AuditEvent
from tests.conftest import PASSWORD, PEOPLE

pytestmark = pytest.mark.django_db


def client_on(host: str) -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    return client


def test_agent_logs_in_on_the_tenant_host_and_gets_a_token_with_roles(datang, in_schema) -> None:
    response = client_on("datang.localhost").post(
        "/api/v1/auth/token/", {"mobile": PEOPLE["datang_agent"].mobile, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["roles"] == ["agent"]
    assert body["user"] == {"id": body["user"]["id"], "mobile": "13700001011", "name": "王海峰"}
    assert len(body["token"]) >= 40

    me = client_on("datang.localhost").get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200
    assert me.json()["roles"] == ["agent"]
    assert me.json()["scope"] == {"kind": "tenant", "schema_name": "datang", "name": "大唐保险经纪有限公司"}
    with in_schema("datang"):
        assert AuditEvent.objects.filter(action="auth.login", actor__mobile="13700001011").count() == 1


def test_password_is_hashed_with_argon2(db) -> None:
    user = User.objects.get(mobile=PEOPLE["datang_agent"].mobile)
    assert user.password.startswith("argon2$")


def test_wrong_password_and_unknown_mobile_get_the_same_401(datang) -> None:
    client = client_on("datang.localhost")
    wrong = client.post(
        "/api/v1/auth/token/", {"mobile": "13700001011", "password": "nope-nope"}, format="json"
    )
    unknown = client.post(
        "/api/v1/auth/token/", {"mobile": "13711112222", "password": "nope-nope"}, format="json"
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"code": "invalid_credentials", "message": "手机号或密码错误", "fields": {}}
    )


def test_a_person_without_a_role_in_this_tenant_cannot_log_in_there(bowei) -> None:
    response = client_on("bowei.localhost").post(
        "/api/v1/auth/token/", {"mobile": PEOPLE["datang_agent"].mobile, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_are_named(datang) -> None:
    response = client_on("datang.localhost").post(
        "/api/v1/auth/token/", {"mobile": "13700001011"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["password"]


def test_login_is_throttled_per_mobile_after_ten_tries(datang) -> None:
    client = client_on("datang.localhost")
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"mobile": "13700001011", "password": "wrong-pw1"}, format="json"
        ).status_code
        for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    last = client.post("/api/v1/auth/token/", {"mobile": "13700001011", "password": PASSWORD}, format="json")
    assert last.status_code == 429
    assert last.json()["code"] == "rate_limited"
    assert int(last["Retry-After"]) > 0
    # another person on the same host is not locked out
    other = client.post("/api/v1/auth/token/", {"mobile": "13700001021", "password": PASSWORD}, format="json")
    assert other.status_code == 200


def _last_code(mobile: str) -> str:
    return next(m.params["code"] for m in reversed(sms.outbox) if m.mobile == mobile)


def test_sms_code_login_signs_up_a_new_owner_on_the_tenant_host(datang) -> None:
    client = client_on("datang.localhost")
    sent = client.post("/api/v1/auth/sms/send/", {"mobile": "13912345678"}, format="json")
    assert sent.status_code == 202
    assert sent.json() == {"sent": True, "expires_in": 300}
    code = _last_code("13912345678")
    assert len(code) == 6 and code.isdigit()

    again = client.post("/api/v1/auth/sms/send/", {"mobile": "13912345678"}, format="json")
    assert again.status_code == 429
    assert again.json()["code"] == "sms_code_too_frequent"

    response = client.post("/api/v1/auth/sms/token/", {"mobile": "13912345678", "code": code}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["owner"]
    assert Membership.objects.filter(user__mobile="13912345678", tenant=datang, role=Role.OWNER).count() == 1

    replay = client.post("/api/v1/auth/sms/token/", {"mobile": "13912345678", "code": code}, format="json")
    assert replay.status_code == 400
    assert replay.json()["code"] == "sms_code_expired"


def test_sms_code_is_burnt_after_five_wrong_tries(datang) -> None:
    client = client_on("datang.localhost")
    client.post("/api/v1/auth/sms/send/", {"mobile": "13700001021"}, format="json")
    code = _last_code("13700001021")
    wrong = "000000" if code != "000000" else "111111"
    codes = [
        client.post(
            "/api/v1/auth/sms/token/", {"mobile": "13700001021", "code": wrong}, format="json"
        ).json()["code"]
        for _ in range(5)
    ]
    assert codes == ["sms_code_invalid"] * 5
    late = client.post("/api/v1/auth/sms/token/", {"mobile": "13700001021", "code": code}, format="json")
    assert late.status_code == 400
    assert late.json()["code"] == "sms_code_expired"


def test_sms_code_sent_on_one_tenant_is_useless_on_another(datang, bowei) -> None:
    client_on("datang.localhost").post("/api/v1/auth/sms/send/", {"mobile": "13700002011"}, format="json")
    code = _last_code("13700002011")
    response = client_on("bowei.localhost").post(
        "/api/v1/auth/sms/token/", {"mobile": "13700002011", "code": code}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "sms_code_expired"


def test_bad_mobile_for_sms_is_named(datang) -> None:
    response = client_on("datang.localhost").post(
        "/api/v1/auth/sms/send/", {"mobile": "12345"}, format="json"
    )
    assert response.status_code == 400
    assert "mobile" in response.json()["fields"]


def test_logout_revokes_the_token(api) -> None:
    client = api("datang_agent")
    assert client.get("/api/v1/me/").status_code == 200
    assert client.post("/api/v1/auth/logout/").status_code == 204
    after = client.get("/api/v1/me/")
    assert after.status_code == 401
    assert after.json()["code"] == "token_invalid"


def test_branding_is_per_host_and_anonymous(datang, bowei) -> None:
    datang_brand = client_on("datang.localhost").get("/api/v1/branding/").json()
    bowei_brand = client_on("bowei.localhost").get("/api/v1/branding/").json()
    public_brand = client_on("localhost").get("/api/v1/branding/").json()
    assert (datang_brand["display_name"], datang_brand["primary_color"]) == ("大唐经纪", "#C8102E")
    assert (bowei_brand["display_name"], bowei_brand["primary_color"]) == ("博维经纪", "#0B5FA5")
    assert datang_brand["scope"] == "tenant" and datang_brand["tenant"]["schema_name"] == "datang"
    assert public_brand["scope"] == "public" and public_brand["tenant"] is None
    assert public_brand["display_name"] == "速信保"


def test_unknown_host_is_404(db) -> None:
    assert client_on("nobody.localhost").get("/api/v1/branding/").status_code == 404


def test_unknown_api_path_answers_in_the_error_shape(datang) -> None:
    response = client_on("datang.localhost").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到", "fields": {}}


def test_openapi_schema_and_docs_are_served(datang) -> None:
    schema = client_on("localhost").get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/branding/", "/api/v1/platform/tenants/"} <= set(
        paths
    )
    docs = client_on("datang.localhost").get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI is served from our own static files: the docs work without reaching a CDN
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content.decode()
    assert "cdn.jsdelivr" not in docs.content.decode()
