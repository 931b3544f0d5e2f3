"""Host routing: hosts map to tenants, a deactivated tenant's host stops answering at once."""

import pytest
from rest_framework.test import APIClient

from tenants.models import Domain

pytestmark = pytest.mark.django_db


def branding_status(host: str) -> int:
    client = APIClient()
    return client.get("/api/v1/branding/", HTTP_HOST=host).status_code


def test_a_deactivated_tenant_stops_answering_even_after_its_host_was_cached(datang) -> None:
    assert branding_status("datang.localhost") == 200  # now in the host cache
    datang.is_active = False
    datang.save(update_fields=["is_active"])  # saving a Tenant clears the host cache
    assert branding_status("datang.localhost") == 404


def test_a_second_domain_serves_the_same_tenant_and_the_port_is_ignored(datang) -> None:
    Domain.objects.create(tenant=datang, domain="bx.datang.example.com", is_primary=False)
    client = APIClient()
    response = client.get("/api/v1/branding/", HTTP_HOST="bx.datang.example.com:8443")
    assert response.status_code == 200
    assert response.json()["tenant"]["schema_name"] == "datang"
