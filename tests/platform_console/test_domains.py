"""自定义域名: added unverified with the DNS records to create, verified once it resolves to us
(a fake resolver here), routed only after that; unique across tenants; primary; removal."""

import pytest
from rest_framework.test import APIClient

from tenants.domains import Resolution, pending_domains_check
from tenants.models import Domain

pytestmark = pytest.mark.django_db

OURS = frozenset({"203.0.113.10"})


def branding_on(host: str):
    return APIClient().get("/api/v1/branding/", HTTP_HOST=host)


def add(client, domain: str):
    return client.post("/api/v1/domains/", {"domain": domain}, format="json")


def test_a_domain_routes_to_the_tenant_only_after_it_is_verified(api, dns) -> None:
    admin = api("datang_admin")
    created = add(admin, "BX.Datang-Example.com")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["domain"] == "bx.datang-example.com" and body["verified"] is False
    token = Domain.objects.get(domain="bx.datang-example.com").verification_token
    assert len(token) == 32
    assert body["dns_records"] == [
        {"type": "CNAME", "name": "bx.datang-example.com", "value": "tenants.suxinbao.cn"},
        {"type": "TXT", "name": "_suxinbao-verify.bx.datang-example.com", "value": token},
    ]
    assert branding_on("bx.datang-example.com").status_code == 404  # not ours yet

    # DNS not there yet: the check says why and it stays unverified
    pending = admin.post(f"/api/v1/domains/{body['id']}/verify/")
    assert pending.status_code == 200
    assert pending.json()["verified"] is False
    assert "无法解析" in pending.json()["last_check_error"]
    assert branding_on("bx.datang-example.com").status_code == 404

    dns["bx.datang-example.com"] = Resolution("tenants.suxinbao.cn", OURS)
    verified = admin.post(f"/api/v1/domains/{body['id']}/verify/")
    assert verified.json()["verified"] is True and verified.json()["last_check_error"] == ""
    routed = branding_on("bx.datang-example.com")
    assert routed.status_code == 200
    assert routed.json()["tenant"]["schema_name"] == "datang"


def test_a_domain_pointing_elsewhere_is_not_verified(api, dns) -> None:
    admin = api("datang_admin")
    domain_id = add(admin, "bx.elsewhere.com").json()["id"]
    dns["bx.elsewhere.com"] = Resolution("bx.elsewhere.com", frozenset({"198.51.100.7"}))
    response = admin.post(f"/api/v1/domains/{domain_id}/verify/")
    assert response.json()["verified"] is False
    assert "198.51.100.7" in response.json()["last_check_error"]


def test_the_periodic_check_verifies_pending_domains_by_address(api, dns) -> None:
    admin = api("datang_admin")
    add(admin, "a.datang-example.com")
    add(admin, "b.datang-example.com")
    dns["a.datang-example.com"] = Resolution("lb-1.cloud.example", OURS)  # an A record to our address
    assert pending_domains_check() == {"checked": 2, "verified": 1}
    assert Domain.objects.get(domain="a.datang-example.com").verified_at is not None
    assert Domain.objects.get(domain="b.datang-example.com").verified_at is None
    assert branding_on("a.datang-example.com").json()["tenant"]["schema_name"] == "datang"


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("not a host", "域名格式不正确"),
        ("-bad-.example.com", "域名格式不正确"),
        ("localhost", "域名格式不正确"),
        ("bowei.localhost", "属于平台域名"),
        ("", "域名格式不正确"),
    ],
)
def test_bad_hosts_are_a_400_naming_the_domain_field(api, domain, message) -> None:
    response = add(api("datang_admin"), domain)
    assert response.status_code == 400
    assert message in response.json()["fields"]["domain"][0]


def test_a_domain_is_unique_across_tenants(api) -> None:
    assert add(api("datang_admin"), "bx.shared-example.com").status_code == 201
    taken = add(api("bowei_admin"), "bx.shared-example.com")
    assert taken.status_code == 400
    assert "已被使用" in taken.json()["fields"]["domain"][0]


def test_a_verified_domain_becomes_primary_and_the_old_one_can_then_be_removed(api, dns, datang) -> None:
    admin = api("datang_admin")
    domain_id = add(admin, "bx.datang-example.com").json()["id"]
    refused = admin.post(f"/api/v1/domains/{domain_id}/primary/")
    assert refused.status_code == 409 and refused.json()["code"] == "domain_not_verified"
    dns["bx.datang-example.com"] = Resolution("tenants.suxinbao.cn", OURS)
    admin.post(f"/api/v1/domains/{domain_id}/verify/")
    assert admin.post(f"/api/v1/domains/{domain_id}/primary/").json()["is_primary"] is True
    domains = {d["domain"]: d["is_primary"] for d in admin.get("/api/v1/domains/").json()}
    assert domains == {"bx.datang-example.com": True, "datang.localhost": False}

    old = Domain.objects.get(domain="datang.localhost")
    primary_gone = admin.delete(f"/api/v1/domains/{domain_id}/")
    assert primary_gone.status_code == 409 and primary_gone.json()["code"] == "domain_is_primary"
    assert branding_on("datang.localhost").status_code == 200  # cached now
    assert admin.delete(f"/api/v1/domains/{old.pk}/").status_code == 204
    assert branding_on("datang.localhost").status_code == 404  # the host cache was cleared
    assert branding_on("bx.datang-example.com").status_code == 200


def test_a_tenant_cannot_touch_another_tenants_domain(api) -> None:
    domain_id = add(api("datang_admin"), "bx.datang-example.com").json()["id"]
    bowei = api("bowei_admin")
    assert bowei.post(f"/api/v1/domains/{domain_id}/verify/").status_code == 404
    assert bowei.delete(f"/api/v1/domains/{domain_id}/").status_code == 404
    assert [d["domain"] for d in bowei.get("/api/v1/domains/").json()] == ["bowei.localhost"]
