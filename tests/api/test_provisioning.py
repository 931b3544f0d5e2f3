"""The platform admin opens a tenant: schema created and migrated, domain, branding, admin login."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import Membership, Role
from core.models import AuditEvent
from tenants.models import Branding, Domain, Tenant
from tests.conftest import password_login

pytestmark = pytest.mark.django_db

NEW_TENANT = {
    "name": "华安保险代理有限公司",
    "schema_name": "huaan",
    "kind": "brokerage",
    "domain": "huaan.localhost",
    "branding": {
        "display_name": "华安代理",
        "primary_color": "#7A1FA2",
        "secondary_color": "#FFC107",
        "slogan": "安心出行",
    },
    "admin": {"mobile": "13655556666", "name": "华管理", "password": "Huaan@2026"},
}


def test_platform_admin_creates_a_tenant_whose_admin_can_log_in_at_its_host(api) -> None:
    response = api("platform_admin").post("/api/v1/platform/tenants/", NEW_TENANT, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["schema_name"], body["domain"], body["kind"]) == ("huaan", "huaan.localhost", "brokerage")
    assert body["branding"]["primary_color"] == "#7A1FA2"
    assert body["member_count"] == 1

    assert schema_exists("huaan")
    with schema_context("huaan"):
        # the tenant apps' tables exist in the new schema (it was migrated)
        assert AuditEvent.objects.count() == 0
    assert Domain.objects.get(domain="huaan.localhost").tenant.schema_name == "huaan"
    assert Membership.objects.filter(
        user__mobile="13655556666", tenant__schema_name="huaan", role=Role.TENANT_ADMIN
    ).exists()
    assert AuditEvent.objects.filter(action="tenant.provision", object_id=str(body["id"])).count() == 1

    client = api(None, host="huaan.localhost")
    login = password_login(client, "13655556666", "Huaan@2026")
    assert login.status_code == 200, login.content
    assert login.json()["roles"] == ["tenant_admin"]
    assert client.get("/api/v1/branding/").json()["display_name"] == "华安代理"

    listed = api("platform_admin").get("/api/v1/platform/tenants/?search=huaan").json()
    assert listed["count"] == 1 and listed["results"][0]["schema_name"] == "huaan"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"schema_name": "Bad-Name"}, "schema_name"),
        ({"schema_name": "public"}, "schema_name"),
        ({"schema_name": "pg_evil"}, "schema_name"),
        ({"schema_name": "datang"}, "schema_name"),  # taken
        ({"domain": "datang.localhost"}, "domain"),  # taken
        ({"domain": "not a host"}, "domain"),
        ({"branding": {"display_name": "华安代理", "primary_color": "red"}}, "branding.primary_color"),
        ({"admin": {"mobile": "12345", "name": "x", "password": "Huaan@2026"}}, "admin.mobile"),
        ({"admin": {"mobile": "13655557777", "name": "x", "password": "123"}}, "admin.password"),
        ({"kind": "bank"}, "kind"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field_and_creates_nothing(api, change, field) -> None:
    tenants_before = Tenant.objects.count()
    domains_before = Domain.objects.count()
    payload = {**NEW_TENANT, **change}
    response = api("platform_admin").post("/api/v1/platform/tenants/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert Tenant.objects.count() == tenants_before
    assert Domain.objects.count() == domains_before
    assert not schema_exists("huaan")
    assert not Branding.objects.filter(display_name="华安代理").exists()


def test_only_the_platform_admin_may_create_tenants(api) -> None:
    # a tenant admin's token is bound to their tenant: on the public host it is not accepted at all
    assert (
        api("datang_admin", host="localhost", token_host="datang.localhost")
        .get("/api/v1/platform/tenants/")
        .status_code
        == 401
    )
    # on a tenant host the platform endpoints do not exist
    assert api("datang_admin").get("/api/v1/platform/tenants/").status_code == 404
    assert api(None, host="localhost").get("/api/v1/platform/tenants/").status_code == 401


def test_tenant_create_command(capsys) -> None:
    call_command(
        "tenant_create",
        "--name",
        "福田车服",
        "--schema",
        "futian",
        "--domain",
        "futian.localhost",
        "--kind",
        "aftersales",
        "--primary-color",
        "#009688",
        "--admin-mobile",
        "13655558888",
        "--admin-name",
        "福管理",
        "--admin-password",
        "Futian@2026",
    )
    assert "created tenant 福田车服 (futian)" in capsys.readouterr().out
    tenant = Tenant.objects.get(schema_name="futian")
    assert tenant.kind == "aftersales" and tenant.branding.primary_color == "#009688"
    assert schema_exists("futian")
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="schema_name"):
        call_command("tenant_create", "--name", "x", "--schema", "futian", "--domain", "x2.localhost")
