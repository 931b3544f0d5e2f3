"""No tenant sees another's data: tokens, rows by id, cache, and every endpoint as a matrix."""

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

from core.models import AuditEvent
from core.services import audit_event_record
from tests.conftest import person

pytestmark = pytest.mark.django_db


def test_a_datang_token_is_rejected_on_bowei_and_on_the_public_host(api) -> None:
    assert api("datang_agent").get("/api/v1/me/").status_code == 200
    for host in ("bowei.localhost", "localhost"):
        response = api("datang_agent", host=host, token_host="datang.localhost").get("/api/v1/me/")
        assert response.status_code == 401
        assert response.json()["code"] == "token_wrong_scope"


def test_a_platform_token_is_rejected_on_a_tenant_host(api) -> None:
    response = api("platform_admin", host="datang.localhost", token_host="localhost").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_wrong_scope"


def test_a_datang_agent_cannot_read_a_bowei_row_even_by_id(api) -> None:
    with schema_context("bowei"):
        secret = [
            audit_event_record(actor=person("bowei_agent"), action="bowei.secret", summary=f"博维机密 {i}")
            for i in range(5)
        ][-1]
    with schema_context("datang"):
        mine = audit_event_record(actor=person("datang_agent"), action="datang.note", summary="大唐记录")
        assert not AuditEvent.objects.filter(pk=secret.pk, action="bowei.secret").exists()

    datang = api("datang_agent")
    response = datang.get(f"/api/v1/audit-events/{secret.pk}/")
    # the id either does not exist in Datang's schema or is one of Datang's own rows: never Bowei's
    assert response.status_code == 404 or "博维" not in response.json()["summary"]
    listed = datang.get("/api/v1/audit-events/").json()
    assert [row["summary"] for row in listed["results"]] == ["大唐记录"]
    assert datang.get(f"/api/v1/audit-events/{mine.pk}/").json()["summary"] == "大唐记录"

    # and the Bowei token cannot be carried over to Datang's host to try either
    carried = api("bowei_agent", host="datang.localhost", token_host="bowei.localhost")
    assert carried.get(f"/api/v1/audit-events/{mine.pk}/").status_code == 401


def test_an_agent_sees_only_their_own_audit_rows_and_the_admin_sees_all(api) -> None:
    with schema_context("datang"):
        audit_event_record(actor=person("datang_agent"), action="x", summary="代理人的")
        audit_event_record(actor=person("datang_admin"), action="x", summary="管理员的")
    assert [r["summary"] for r in api("datang_agent").get("/api/v1/audit-events/").json()["results"]] == [
        "代理人的"
    ]
    assert {r["summary"] for r in api("datang_admin").get("/api/v1/audit-events/").json()["results"]} == {
        "代理人的",
        "管理员的",
    }


def test_cache_keys_are_per_tenant(db) -> None:
    with schema_context("datang"):
        cache.set("quote-draft:42", "大唐的草稿", 60)
    with schema_context("bowei"):
        assert cache.get("quote-draft:42") is None
        cache.set("quote-draft:42", "博维的草稿", 60)
    with schema_context("datang"):
        assert cache.get("quote-draft:42") == "大唐的草稿"
    keys = sorted(k.decode() for k in get_redis_connection("default").scan_iter("*quote-draft:42"))
    assert [k.split(":")[0] for k in keys] == ["bowei", "datang"]


# Every endpoint x (own tenant, other tenant, public host, anonymous). Expected statuses.
MATRIX = [
    # path, who, own, other tenant host, public host, anonymous on own host
    ("/api/v1/me/", "datang_agent", 200, 401, 401, 401),
    ("/api/v1/audit-events/", "datang_agent", 200, 401, 401, 401),
    ("/api/v1/console/summary/", "datang_admin", 200, 401, 401, 401),
    ("/api/v1/branding/", "datang_agent", 200, 200, 200, 200),  # anonymous by design: no token is read
]


@pytest.mark.parametrize(("path", "who", "own", "other", "public", "anonymous"), MATRIX)
def test_endpoint_matrix(api, path, who, own, other, public, anonymous) -> None:
    assert api(who).get(path).status_code == own
    assert api(who, host="bowei.localhost", token_host="datang.localhost").get(path).status_code == other
    public_status = api(who, host="localhost", token_host="datang.localhost").get(path).status_code
    # tenant-only endpoints are not even routed on the public host
    assert public_status in ({public, 404} if public == 401 else {public})
    assert api(None, host="datang.localhost").get(path).status_code == anonymous


def test_platform_endpoint_matrix(api) -> None:
    path = "/api/v1/platform/tenants/"
    assert api("platform_admin").get(path).status_code == 200
    assert api("platform_admin", host="datang.localhost", token_host="localhost").get(path).status_code in (
        401,
        404,
    )
    assert api(None, host="localhost").get(path).status_code == 401


def test_console_summary_is_for_admins_and_counts_own_tenant_only(api) -> None:
    assert api("datang_agent").get("/api/v1/console/summary/").status_code == 403
    summary = api("datang_admin").get("/api/v1/console/summary/").json()
    assert summary["tenant"]["schema_name"] == "datang"
    assert summary["members_by_role"] == {"tenant_admin": 1, "agent": 1, "owner": 1}
    bowei = api("bowei_admin").get("/api/v1/console/summary/").json()
    assert bowei["members_by_role"] == {"tenant_admin": 1, "agent": 1}
