"""Every new console endpoint as a matrix: own tenant (or the platform on its host), another
tenant's token carried over, the public host, anonymous."""

import pytest

from tests.conftest import person

pytestmark = pytest.mark.django_db

TENANT_ENDPOINTS = [
    ("get", "/api/v1/branding/settings/"),
    ("patch", "/api/v1/branding/settings/"),
    ("post", "/api/v1/branding/images/logo/"),
    ("get", "/api/v1/domains/"),
    ("post", "/api/v1/domains/"),
    ("post", "/api/v1/domains/{domain}/verify/"),
    ("post", "/api/v1/domains/{domain}/primary/"),
    ("delete", "/api/v1/domains/{domain}/"),
    ("get", "/api/v1/support-sessions/"),
    ("get", "/api/v1/support-sessions/current/"),
    ("post", "/api/v1/support-sessions/{session}/end/"),
]

PLATFORM_ENDPOINTS = [
    ("get", "/api/v1/platform/tenants/{tenant}/branding/"),
    ("patch", "/api/v1/platform/tenants/{tenant}/branding/"),
    ("post", "/api/v1/platform/tenants/{tenant}/branding/images/logo/"),
    ("post", "/api/v1/platform/tenants/{tenant}/suspend/"),
    ("post", "/api/v1/platform/tenants/{tenant}/resume/"),
    ("get", "/api/v1/platform/tenants/{tenant}/admins/"),
    ("post", "/api/v1/platform/tenants/{tenant}/support/"),
    ("get", "/api/v1/platform/tenants/{tenant}/deletion/"),
    ("post", "/api/v1/platform/tenants/{tenant}/deletion/"),
    ("post", "/api/v1/platform/tenants/{tenant}/deletion/confirm/"),
    ("get", "/api/v1/platform/exports/"),
    ("get", "/api/v1/platform/exports/{export}/download/"),
    ("get", "/api/v1/platform/audit-events/"),
]


@pytest.fixture
def ids(api, datang):
    domain = api("datang_admin").post("/api/v1/domains/", {"domain": "bx.matrix-example.com"}, format="json")
    assert domain.status_code == 201, domain.content.decode()
    session = api("platform_admin").post(
        f"/api/v1/platform/tenants/{datang.pk}/support/",
        {"user": person("datang_admin").pk, "reason": "矩阵测试"},
        format="json",
    )
    return {
        "domain": domain.json()["id"],
        "session": session.json()["session_id"],
        "tenant": datang.pk,
        "export": 1,
    }


def call(client, method: str, url: str):
    return getattr(client, method)(url, {}, format="json")


@pytest.mark.parametrize(("method", "path"), TENANT_ENDPOINTS)
def test_tenant_console_endpoints(api, ids, method, path) -> None:
    url = path.format(**ids)
    own = call(api("datang_admin"), method, url)
    assert own.status_code not in (401, 403, 404), own.content
    # Bowei's admin on its own host never reaches Datang's rows
    if "{" in path:
        assert call(api("bowei_admin"), method, url).status_code == 404
    # a Bowei token carried to Datang's host
    carried = call(api("bowei_admin", host="datang.localhost", token_host="bowei.localhost"), method, url)
    assert carried.status_code == 401 and carried.json()["code"] == "token_wrong_scope"
    # the platform host has no such route
    assert call(api("platform_admin"), method, url).status_code == 404
    # anonymous
    assert call(api(None, host="datang.localhost"), method, url).status_code == 401
    # an agent of the tenant
    assert call(api("datang_agent"), method, url).status_code == 403 or path.endswith("current/")


@pytest.mark.parametrize(("method", "path"), PLATFORM_ENDPOINTS)
def test_platform_console_endpoints(api, ids, method, path) -> None:
    url = path.format(**ids)
    # tenant hosts have no platform routes, even for their admins
    assert call(api("datang_admin"), method, url).status_code == 404
    # a tenant token carried to the platform host
    carried = call(api("datang_admin", host="localhost", token_host="datang.localhost"), method, url)
    assert carried.status_code == 401 and carried.json()["code"] == "token_wrong_scope"
    # anonymous on the platform host
    assert call(api(None, host="localhost"), method, url).status_code == 401
    # the platform admin on the platform host (last: suspending would stop Datang's host)
    own = call(api("platform_admin"), method, url)
    assert own.status_code not in (401, 403), own.content
    if own.status_code == 404:  # the only id made up here: no export exists yet
        assert own.json()["code"] == "export_not_found"


def test_the_platform_audit_log_lists_platform_actions_and_filters(api, datang, bowei) -> None:
    platform = api("platform_admin")
    platform.post(f"/api/v1/platform/tenants/{datang.pk}/suspend/", {"reason": "欠费"}, format="json")
    platform.post(f"/api/v1/platform/tenants/{bowei.pk}/suspend/")
    platform.post(f"/api/v1/platform/tenants/{bowei.pk}/resume/")
    events = platform.get("/api/v1/platform/audit-events/?action=tenant.").json()["results"]
    assert [e["action"] for e in events[:3]] == ["tenant.resume", "tenant.suspend", "tenant.suspend"]
    only_datang = platform.get("/api/v1/platform/audit-events/?search=datang&action=tenant.s").json()[
        "results"
    ]
    assert [e["summary"] for e in only_datang] == ["暂停租户 大唐保险经纪有限公司（datang）"]
    by_actor = platform.get("/api/v1/platform/audit-events/?actor=平台管理员&action=tenant.resume").json()
    assert by_actor["count"] == 1
    assert platform.get("/api/v1/platform/audit-events/?since=2026-13-01").status_code == 400
    # tenants' own logs are not the platform's
    assert not [e for e in events if e["action"].startswith("branding.")]
