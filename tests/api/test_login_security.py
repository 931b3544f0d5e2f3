"""Password guessing: throttles on the real client address and per account across hosts, the
lockout kept in PostgreSQL, and its unlocking by an admin (issue 18, item 2)."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import LoginLockout
from core.clients import client_ip
from core.models import AuditEvent
from tests.conftest import PASSWORD, PEOPLE, person

pytestmark = pytest.mark.django_db

AGENT = PEOPLE["datang_agent"].mobile


def client_on(host: str) -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    return client


def login(client: APIClient, mobile: str, password: str, forwarded_for: str = "") -> Any:
    body = {"mobile": mobile, "password": password}
    if forwarded_for:
        return client.post("/api/v1/auth/token/", body, format="json", HTTP_X_FORWARDED_FOR=forwarded_for)
    return client.post("/api/v1/auth/token/", body, format="json")


def test_forty_forged_forwarded_for_addresses_do_not_buy_forty_guesses(datang) -> None:
    client = client_on("datang.localhost")
    statuses = [
        login(client, AGENT, f"wrong-pw{i}", forwarded_for=f"203.0.113.{i}").status_code for i in range(40)
    ]
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    right = login(client, AGENT, PASSWORD, forwarded_for="198.51.100.7")
    assert right.status_code in (403, 429)
    assert right.json()["code"] in ("account_locked", "rate_limited")
    assert "token" not in right.json()


def test_client_ip_believes_forwarded_for_only_through_trusted_proxies(settings) -> None:
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # the proxy appended the address it saw; what the client wrote before it is not believed
    assert client_ip(request) == "5.6.7.8"
    chained = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 9.9.9.9, 10.0.0.9")
    assert client_ip(chained) == "9.9.9.9"
    direct = factory.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(direct) == "192.0.2.1"
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>, 10.0.0.6")
    assert client_ip(garbage) == "10.0.0.6"


def test_ten_failures_across_two_hosts_lock_the_account_with_a_clear_message(datang, bowei) -> None:
    for host in ["datang.localhost"] * 5 + ["bowei.localhost"] * 5:
        assert login(client_on(host), AGENT, "wrong-pw1").status_code == 401
    right = login(client_on("datang.localhost"), AGENT, PASSWORD)
    assert right.status_code == 403
    assert right.json() == {
        "code": "account_locked",
        "message": "密码错误次数过多，账号已锁定，请 15 分钟后再试，或联系管理员解锁",
        "fields": {},
    }
    assert LoginLockout.objects.get(mobile=AGENT).failures == 10

    # the lock runs out by itself
    LoginLockout.objects.filter(mobile=AGENT).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert login(client_on("datang.localhost"), AGENT, PASSWORD).status_code == 200
    assert not LoginLockout.objects.filter(mobile=AGENT).exists()


def test_an_unknown_mobile_locks_the_same_way(datang, bowei) -> None:
    codes = [
        login(client_on(host), "13799998888", "wrong-pw1").json()["code"]
        for host in ["datang.localhost", "bowei.localhost"] * 6
    ]
    assert codes == ["invalid_credentials"] * 10 + ["account_locked"] * 2


def test_logins_per_account_are_throttled_across_hosts(datang, bowei, settings) -> None:
    settings.LOGIN_LOCKOUT_FAILURES = 1000  # the throttle alone
    hosts = ["datang.localhost", "bowei.localhost", "localhost"] * 7
    statuses = [login(client_on(host), AGENT, "wrong-pw1").status_code for host in hosts]
    # each host allows 10 a minute; the account allows 20 an hour wherever they come from
    assert statuses == [401] * 20 + [429]


def _lock(mobile: str) -> None:
    LoginLockout.objects.create(
        mobile=mobile,
        failures=10,
        window_started_at=timezone.now(),
        last_failure_at=timezone.now(),
        locked_until=timezone.now() + timedelta(minutes=15),
    )


def test_a_tenant_admin_sees_and_unlocks_its_own_people_only(api, in_schema) -> None:
    _lock(AGENT)
    _lock(PEOPLE["bowei_agent"].mobile)
    datang_admin = api("datang_admin")
    locks = datang_admin.get("/api/v1/account-locks/")
    assert locks.status_code == 200
    assert [(row["mobile"], row["name"], row["failures"]) for row in locks.json()] == [(AGENT, "王海峰", 10)]

    foreign = datang_admin.post(
        "/api/v1/account-locks/unlock/", {"mobile": PEOPLE["bowei_agent"].mobile}, format="json"
    )
    assert foreign.status_code == 404
    assert LoginLockout.objects.filter(mobile=PEOPLE["bowei_agent"].mobile).exists()

    assert (
        datang_admin.post("/api/v1/account-locks/unlock/", {"mobile": AGENT}, format="json").status_code
        == 204
    )
    assert not LoginLockout.objects.filter(mobile=AGENT).exists()
    with in_schema("datang"):
        row = AuditEvent.objects.get(action="auth.unlock")
        assert (row.object_id, row.actor_id) == (AGENT, person("datang_admin").pk)
    assert login(client_on("datang.localhost"), AGENT, PASSWORD).status_code == 200

    # an agent may not unlock anyone
    assert api("datang_agent").get("/api/v1/account-locks/").status_code == 403


def test_the_platform_admin_unlocks_anyone(api) -> None:
    _lock(PEOPLE["bowei_agent"].mobile)
    platform = api("platform_admin")
    assert [row["mobile"] for row in platform.get("/api/v1/account-locks/").json()] == [
        PEOPLE["bowei_agent"].mobile
    ]
    unlocked = platform.post(
        "/api/v1/account-locks/unlock/", {"mobile": PEOPLE["bowei_agent"].mobile}, format="json"
    )
    assert unlocked.status_code == 204
    assert (
        AuditEvent.objects.filter(action="auth.unlock", object_id=PEOPLE["bowei_agent"].mobile).count() == 1
    )
