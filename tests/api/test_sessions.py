"""Log out everywhere, and a password change that ends every session (issue 18, item 10)."""

import pytest
from rest_framework.test import APIClient

from accounts.services import auth_token_issue
from core.models import AuditEvent
from tests.conftest import PASSWORD, PEOPLE, person

pytestmark = pytest.mark.django_db


def client_with(token: str, host: str = "datang.localhost") -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_log_out_everywhere_ends_every_token_of_the_person(datang, in_schema) -> None:
    agent = person("datang_agent")
    phone, laptop = (auth_token_issue(user=agent, tenant_id=datang.pk).token for _ in range(2))
    other = auth_token_issue(user=person("datang_owner"), tenant_id=datang.pk).token
    assert client_with(laptop).get("/api/v1/me/").status_code == 200

    assert client_with(phone).post("/api/v1/auth/logout-all/").status_code == 204
    for token in (phone, laptop):
        response = client_with(token).get("/api/v1/me/")
        assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    assert client_with(other).get("/api/v1/me/").status_code == 200  # someone else stays logged in
    with in_schema("datang"):
        assert AuditEvent.objects.filter(action="auth.logout_all", actor=agent).count() == 1


def test_a_password_change_ends_every_session(datang) -> None:
    agent = person("datang_agent")
    token, other = (auth_token_issue(user=agent, tenant_id=datang.pk).token for _ in range(2))
    client = client_with(token)
    wrong = client.post(
        "/api/v1/auth/password/", {"old_password": "nope-nope", "new_password": "12345678"}, format="json"
    )
    assert wrong.status_code == 400
    assert set(wrong.json()["fields"]) == {"old_password", "new_password"}

    changed = client.post(
        "/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": "Fresh@2026pw"}, format="json"
    )
    assert changed.status_code == 204
    for used in (token, other):
        assert client_with(used).get("/api/v1/me/").status_code == 401
    login = APIClient()
    login.defaults["HTTP_HOST"] = "datang.localhost"
    mobile = PEOPLE["datang_agent"].mobile
    assert (
        login.post("/api/v1/auth/token/", {"mobile": mobile, "password": PASSWORD}, format="json").status_code
        == 401
    )
    fresh = login.post("/api/v1/auth/token/", {"mobile": mobile, "password": "Fresh@2026pw"}, format="json")
    assert fresh.status_code == 200
