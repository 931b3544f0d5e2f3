"""Support sessions: the platform admin acts as a tenant admin with a short-lived token bound to that
tenant; every write is in the tenant's audit log as "平台支持 X 代 Y"; the tenant sees the sessions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuthToken
from core.models import AuditEvent
from tests.conftest import person

pytestmark = pytest.mark.django_db


def start(api, tenant, user_key: str = "datang_admin", reason: str = "协助配置返利方案"):
    return api("platform_admin").post(
        f"/api/v1/platform/tenants/{tenant.pk}/support/",
        {"user": person(user_key).pk, "reason": reason},
        format="json",
    )


def on(host: str, token: str) -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_support_token_works_only_on_that_tenant_and_expires_soon(api, datang, settings) -> None:
    admins = api("platform_admin").get(f"/api/v1/platform/tenants/{datang.pk}/admins/").json()
    assert [a["name"] for a in admins] == ["陈大唐"]
    response = start(api, datang)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["console_url"] == f"http://datang.localhost/console/#support_token={body['token']}"
    record = AuthToken.objects.get(pk=body["session_id"])
    assert record.impersonator == person("platform_admin") and record.user == person("datang_admin")
    lifetime = record.expires_at - timezone.now()
    assert timedelta(minutes=settings.SUPPORT_SESSION_MINUTES - 1) < lifetime <= timedelta(minutes=30)

    me = on("datang.localhost", body["token"]).get("/api/v1/me/")
    assert me.status_code == 200 and "tenant_admin" in me.json()["roles"]
    elsewhere = on("bowei.localhost", body["token"]).get("/api/v1/me/")
    assert elsewhere.status_code == 401 and elsewhere.json()["code"] == "token_wrong_scope"
    assert on("localhost", body["token"]).get("/api/v1/me/").status_code == 401

    AuthToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert on("datang.localhost", body["token"]).get("/api/v1/me/").status_code == 401


def test_every_write_in_a_support_session_is_audited_in_the_tenants_log(api, datang, in_schema) -> None:
    body = start(api, datang).json()
    support = on("datang.localhost", body["token"])
    assert (
        support.get("/api/v1/support-sessions/current/").json()["session"]["impersonator_name"]
        == "平台管理员"
    )
    changed = support.patch("/api/v1/branding/settings/", {"slogan": "车险就找大唐"}, format="json")
    assert changed.status_code == 200
    bad = support.patch("/api/v1/branding/settings/", {"primary_color": "nope"}, format="json")
    assert bad.status_code == 400
    with in_schema("datang"):
        trail = list(
            AuditEvent.objects.filter(action__startswith="support.")
            .order_by("id")
            .values_list("action", "summary")
        )
    assert trail == [
        ("support.start", "平台支持 平台管理员 代 陈大唐 开始支持会话：协助配置返利方案"),
        ("support.action", "平台支持 平台管理员 代 陈大唐：PATCH /api/v1/branding/settings/（200）"),
        ("support.action", "平台支持 平台管理员 代 陈大唐：PATCH /api/v1/branding/settings/（400）"),
    ]
    # the platform's own log has the start too, and Bowei's log has nothing
    with in_schema("public"):
        assert AuditEvent.objects.filter(action="support.start", object_id=str(datang.pk)).count() == 1
    with in_schema("bowei"):
        assert not AuditEvent.objects.filter(action__startswith="support.").exists()


def test_the_tenant_sees_its_support_sessions_and_can_end_one(api, datang) -> None:
    body = start(api, datang).json()
    support = on("datang.localhost", body["token"])
    support.patch("/api/v1/branding/settings/", {"slogan": "一"}, format="json")
    support.patch("/api/v1/branding/settings/", {"slogan": "二"}, format="json")
    admin = api("datang_admin")
    sessions = admin.get("/api/v1/support-sessions/").json()
    assert [
        (s["impersonator_name"], s["user_name"], s["reason"], s["action_count"], s["ended_at"])
        for s in sessions
    ] == [("平台管理员", "陈大唐", "协助配置返利方案", 2, None)]
    assert admin.get("/api/v1/support-sessions/current/").json() == {"active": False, "session": None}
    assert api("bowei_admin").get("/api/v1/support-sessions/").json() == []
    assert api("bowei_admin").post(f"/api/v1/support-sessions/{body['session_id']}/end/").status_code == 404

    ended = admin.post(f"/api/v1/support-sessions/{body['session_id']}/end/")
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert support.get("/api/v1/me/").status_code == 401


def test_support_needs_a_tenant_admin_and_a_reason(api, datang, bowei) -> None:
    not_admin = start(api, datang, user_key="datang_agent")
    assert not_admin.status_code == 400 and "user" in not_admin.json()["fields"]
    other_tenant = start(api, datang, user_key="bowei_admin")
    assert other_tenant.status_code == 400 and "user" in other_tenant.json()["fields"]
    no_reason = start(api, datang, reason=" ")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    api("platform_admin").post(f"/api/v1/platform/tenants/{bowei.pk}/suspend/")
    assert start(api, bowei, user_key="bowei_admin").status_code == 409
