"""Each tenant's data node: the platform console lists it; on a Citus cluster new tenants go to the
worker with the fewest tenants and `tenant_move` moves one online (make test-cluster runs this file on
a coordinator and two workers; `make test` on a single PostgreSQL, where the node is null)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from core.citus import citus_installed, tenant_nodes, workers
from customers.models import Customer
from tenants.services import tenant_provision
from tests.conftest import committed_db

WORKERS = {"127.0.0.1:9701", "127.0.0.1:9702"}


@pytest.mark.django_db
def test_the_tenant_list_shows_each_tenants_node(api) -> None:
    response = api("platform_admin").get("/api/v1/platform/tenants/", {"search": ""})
    assert response.status_code == 200, response.content
    nodes = {row["schema_name"]: row["node"] for row in response.json()["results"]}
    if citus_installed():
        # the session's two tenants were provisioned one after the other onto an empty cluster:
        # the second went to the worker the first left empty
        assert {nodes["datang"], nodes["bowei"]} == WORKERS
    else:
        assert nodes["datang"] is None and nodes["bowei"] is None


@committed_db
def test_a_new_tenant_goes_to_the_least_loaded_worker_and_moves_online() -> None:
    if not citus_installed():
        with pytest.raises(CommandError, match="Citus"):
            call_command("tenant_move", "datang")
        assert workers() == [] and tenant_nodes() == {}
        return
    before = tenant_nodes()
    per_worker = {node: list(before.values()).count(node) for node in WORKERS}
    emptiest = min(WORKERS, key=lambda node: (per_worker[node], node))
    tenant_provision(actor=None, name="移动测试经纪", schema_name="moving", domain="moving.localhost")
    assert tenant_nodes(["moving"]) == {"moving": emptiest}
    with schema_context("moving"):
        Customer.objects.create(name="迁移客户", mobile="13900009999", registered_on=date(2026, 3, 1))

    call_command("tenant_move", "moving")
    (other,) = WORKERS - {emptiest}
    assert tenant_nodes(["moving"]) == {"moving": other}
    with schema_context("moving"):
        assert list(Customer.objects.values_list("name", flat=True)) == ["迁移客户"]
    with pytest.raises(CommandError, match="--to"):
        call_command("tenant_move", "moving", "--to", "127.0.0.1:9999")
