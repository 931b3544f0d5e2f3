"""Log out everywhere, and a password change that ends every session (issue 18, item 10)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuthToken as AccessToken
from accounts.models import token_digest
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


def _login(host: str = "datang.localhost") -> dict[str, Any]:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    response = client.post(
        "/api/v1/auth/token/", {"mobile": PEOPLE["datang_agent"].mobile, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _refresh(refresh: str, host: str = "datang.localhost") -> Any:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    return client.post("/api/v1/auth/refresh/", {"refresh": refresh}, format="json")


def test_access_tokens_live_two_hours_and_refresh_tokens_rotate(datang) -> None:
    first = _login()
    assert first["expires_in"] == 7200
    assert AccessToken.objects.get(
        digest=token_digest(first["token"])
    ).expires_at - timezone.now() <= timedelta(hours=2)
    renewed = _refresh(first["refresh"])
    assert renewed.status_code == 200, renewed.content
    second = renewed.json()
    assert second["roles"] == ["agent"]
    assert {second["token"], second["refresh"]}.isdisjoint({first["token"], first["refresh"]})
    assert client_with(second["token"]).get("/api/v1/me/").status_code == 200
    # a refresh token of Datang is nothing on Bowei's host
    assert _refresh(second["refresh"], host="bowei.localhost").json()["code"] == "refresh_invalid"


def test_a_reused_refresh_token_revokes_the_whole_login(datang) -> None:
    first = _login()
    second = _refresh(first["refresh"]).json()
    elsewhere = _login()  # another device's login stays
    stolen = _refresh(first["refresh"])
    assert stolen.status_code == 401
    assert stolen.json()["code"] == "refresh_reused"
    assert client_with(second["token"]).get("/api/v1/me/").status_code == 401
    assert _refresh(second["refresh"]).json()["code"] == "refresh_invalid"
    assert client_with(elsewhere["token"]).get("/api/v1/me/").status_code == 200


def test_logging_out_ends_the_refresh_token_too(datang) -> None:
    first = _login()
    assert client_with(first["token"]).post("/api/v1/auth/logout/").status_code == 204
    assert _refresh(first["refresh"]).json()["code"] == "refresh_invalid"
