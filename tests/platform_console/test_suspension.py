"""Suspend/resume: a suspended tenant's hosts answer every request with a clear response (an HTML
page, or the error JSON ``tenant_suspended`` on /api/); its data is untouched and resume restores it."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.models import AuditEvent
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_a_suspended_tenant_answers_every_request_clearly_and_resumes_with_its_data(
    api, datang, in_schema
) -> None:
    agent = api("datang_agent")
    me_before = agent.get("/api/v1/me/")
    assert me_before.status_code == 200
    with in_schema("datang"):
        events_before = AuditEvent.objects.count()

    platform = api("platform_admin")
    suspended = platform.post(
        f"/api/v1/platform/tenants/{datang.pk}/suspend/", {"reason": "欠费"}, format="json"
    )
    assert suspended.status_code == 200
    assert (suspended.json()["status"], suspended.json()["status_reason"]) == ("suspended", "欠费")

    api_answer = agent.get("/api/v1/me/")
    assert api_answer.status_code == 403
    assert api_answer.json()["code"] == "tenant_suspended"
    assert "暂停" in api_answer.json()["message"]
    assert agent.post("/api/v1/customers/", {}, format="json").json()["code"] == "tenant_suspended"
    page = APIClient().get("/console/", HTTP_HOST="datang.localhost")
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")
    assert "服务已暂停" in page.content.decode() and "大唐保险经纪有限公司" in page.content.decode()
    # other tenants carry on
    assert api("bowei_agent").get("/api/v1/me/").status_code == 200
    again = platform.post(f"/api/v1/platform/tenants/{datang.pk}/suspend/")
    assert again.status_code == 409

    resumed = platform.post(f"/api/v1/platform/tenants/{datang.pk}/resume/")
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    me_after = agent.get("/api/v1/me/")  # the same token works again
    assert me_after.status_code == 200 and me_after.json() == me_before.json()
    with in_schema("datang"):
        assert AuditEvent.objects.count() == events_before
    with in_schema("public"):
        actions = list(
            AuditEvent.objects.filter(object_type="tenant", object_id=str(datang.pk)).values_list(
                "action", flat=True
            )[:2]
        )
    assert actions == ["tenant.resume", "tenant.suspend"]  # in the platform's log


def test_the_platform_lists_tenants_by_status(api, bowei) -> None:
    platform = api("platform_admin")
    platform.post(f"/api/v1/platform/tenants/{bowei.pk}/suspend/")
    suspended = platform.get("/api/v1/platform/tenants/?status=suspended").json()["results"]
    assert [t["schema_name"] for t in suspended] == ["bowei"]
    assert platform.get("/api/v1/platform/tenants/?status=nope").status_code == 400
    assert Tenant.objects.get(pk=bowei.pk).status == "suspended"


def test_other_processes_drop_their_cached_host_once_the_change_commits(
    api, datang, settings, django_capture_on_commit_callbacks
) -> None:
    """Another gunicorn worker is simulated by changing the row behind this process's back (no
    signal here) and bumping the shared generation the way a committed change does."""
    from tenants.middleware import _redis, generation_key

    settings.TENANT_HOST_GENERATION_CHECK_SECONDS = 0
    agent = api("datang_agent")
    assert agent.get("/api/v1/me/").status_code == 200  # cached in this process
    Tenant.objects.filter(pk=datang.pk).update(status="suspended")  # "another process" suspends
    assert agent.get("/api/v1/me/").status_code == 200  # stale until told
    before = int(_redis().get(generation_key()) or 0)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        Tenant.objects.get(schema_name="bowei").save(update_fields=["status"])  # any committed change
    assert int(_redis().get(generation_key())) == before + 1
    answer = agent.get("/api/v1/me/")
    assert answer.status_code == 403 and answer.json()["code"] == "tenant_suspended"
