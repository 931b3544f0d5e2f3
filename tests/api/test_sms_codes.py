"""SMS one-time codes: attempts counted atomically in PostgreSQL, kept across a Redis restart, and
sending capped per mobile and per client address across hosts (issue 18, item 3)."""

import threading

import pytest
from django.db import connections
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts import sms
from accounts.models import OneTimeCode
from accounts.services import sms_login_code_check, sms_login_code_send
from core.errors import ValidationFailed
from tests.conftest import _clear_test_cache, committed_db


def client_on(host: str) -> APIClient:
    client = APIClient()
    client.defaults["HTTP_HOST"] = host
    return client


def _last_code(mobile: str) -> str:
    return next(m.params["code"] for m in reversed(sms.outbox) if m.mobile == mobile)


@committed_db
def test_twelve_parallel_wrong_codes_get_at_most_five_checks(datang) -> None:
    mobile = "13988880001"
    with schema_context("datang"):
        sms_login_code_send(mobile=mobile)
    code = _last_code(mobile)
    wrong = "000000" if code != "000000" else "111111"
    start = threading.Barrier(12)
    answers: list[str] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            with schema_context("datang"):
                start.wait()
                try:
                    sms_login_code_check(mobile=mobile, code=wrong)
                    answer = "accepted"
                except ValidationFailed as exc:
                    answer = exc.code
            with lock:
                answers.append(answer)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["sms_code_expired"] * 7 + ["sms_code_invalid"] * 5
    assert OneTimeCode.objects.get(mobile=mobile).attempts == 5
    with schema_context("datang"), pytest.raises(ValidationFailed) as burnt:
        sms_login_code_check(mobile=mobile, code=code)  # the right code, too late
    assert burnt.value.code == "sms_code_expired"


@pytest.mark.django_db
def test_a_wrong_code_stays_counted_when_the_login_fails(datang) -> None:
    client = client_on("datang.localhost")
    client.post("/api/v1/auth/sms/send/", {"mobile": "13988880002"}, format="json")
    code = _last_code("13988880002")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/api/v1/auth/sms/token/", {"mobile": "13988880002", "code": wrong}, format="json")
    assert response.json()["code"] == "sms_code_invalid"
    assert OneTimeCode.objects.get(mobile="13988880002").attempts == 1


@pytest.mark.django_db
def test_a_code_survives_a_redis_restart(datang) -> None:
    client = client_on("datang.localhost")
    assert client.post("/api/v1/auth/sms/send/", {"mobile": "13988880003"}, format="json").status_code == 202
    _clear_test_cache()  # everything this test put in Redis is gone
    response = client.post(
        "/api/v1/auth/sms/token/", {"mobile": "13988880003", "code": _last_code("13988880003")}, format="json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_codes_to_one_mobile_are_capped_across_hosts(datang, bowei, settings) -> None:
    settings.SMS_CODE_RESEND_SECONDS = 0
    hosts = ["datang.localhost", "bowei.localhost", "localhost"] * 4
    statuses = [
        client_on(host)
        .post(
            "/api/v1/auth/sms/send/",
            {"mobile": "13988880004"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
        .status_code
        for i, host in enumerate(hosts[:11])
    ]
    # at most 4 on each host (5 an hour are allowed there); 10 an hour to the mobile in all
    assert statuses == [202] * 10 + [429]


@pytest.mark.django_db
def test_codes_asked_for_by_one_address_are_capped_across_hosts(datang, bowei) -> None:
    hosts = ["datang.localhost", "bowei.localhost", "localhost"]
    statuses = [
        client_on(hosts[i % 3])
        .post("/api/v1/auth/sms/send/", {"mobile": f"139777700{i:02d}"}, format="json")
        .status_code
        for i in range(31)
    ]
    assert statuses == [202] * 30 + [429]
