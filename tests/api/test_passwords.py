"""One password policy everywhere, and a login that takes as long for an unknown mobile as for a
wrong password (issue 18, item 7)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from network.models import Distributor
from network.services import tier_create
from tenants.demo import DEMO_PASSWORD
from tests.conftest import PASSWORD, PEOPLE

pytestmark = pytest.mark.django_db


def test_an_unknown_mobile_is_hashed_like_a_wrong_password(datang, monkeypatch) -> None:
    calls: list[str] = []
    encode, verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def counting_encode(self, password, salt):
        calls.append("encode")
        return encode(self, password, salt)

    def counting_verify(self, password, encoded):
        calls.append("verify")
        return verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", counting_encode)
    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting_verify)
    client = APIClient()
    client.defaults["HTTP_HOST"] = "datang.localhost"

    wrong = client.post(
        "/api/v1/auth/token/",
        {"mobile": PEOPLE["datang_agent"].mobile, "password": "nope-nope"},
        format="json",
    )
    assert wrong.status_code == 401 and calls == ["verify"]
    calls.clear()
    unknown = client.post(
        "/api/v1/auth/token/", {"mobile": "13711112222", "password": "nope-nope"}, format="json"
    )
    assert unknown.status_code == 401
    assert calls == ["encode"]  # one argon2 hash, as long as the verify above


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "8"),
        ("password123", "这个密码太常见了。"),
        ("20262026", "密码只包含数字。"),
    ],
)
def test_an_admin_cannot_give_an_agent_a_weak_password(api, datang, password, message) -> None:
    with schema_context("datang"):
        tier = tier_create(actor=None, name="代理人", rank=3)
    response = api("datang_admin").post(
        "/api/v1/network/agents/",
        {
            "name": "弱密码",
            "mobile": "13611119999",
            "licence_no": "LIC-9",
            "tier": tier.pk,
            "password": password,
        },
        format="json",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["fields"]["password"])
    with schema_context("datang"):
        assert not Distributor.objects.filter(mobile="13611119999").exists()


def test_the_seed_and_test_passwords_pass_the_policy() -> None:
    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)
