"""Throttles hold under concurrency: requests that arrive together are counted one by one in Redis
(api/throttles.py, a Lua script), so exactly the limit succeeds and the rest are 429 with
Retry-After. DRF's cache throttle read the history, then wrote it back: 20 photos sent at once
by one agent got 17 through a limit of 10."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import LoginLockout
from api.throttles import AtomicRateThrottle, LoginThrottle
from api.v1.ocr.views import OcrThrottle
from tests.api.test_ocr import LICENCE, ocr_queue, photo  # noqa: F401 (ocr_queue is a fixture)
from tests.conftest import committed_db

AT_ONCE = 20


def all_at_once(make_request: Callable[[int], Any]) -> list[Any]:
    """Runs make_request(i) in AT_ONCE threads released together; answers in thread order."""
    start = threading.Barrier(AT_ONCE)
    answers: list[Any] = [None] * AT_ONCE

    def run(i: int) -> None:
        start.wait()
        try:
            answers[i] = make_request(i)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def assert_limit_then_429(answers: list[Any], limit: int, passed: set[int]) -> None:
    statuses = sorted(answer.status_code for answer in answers)
    refused = [answer for answer in answers if answer.status_code == 429]
    assert len(refused) == AT_ONCE - limit, statuses
    assert all(answer.status_code in passed for answer in answers if answer.status_code != 429), statuses
    for answer in refused:
        assert set(answer.json()) == {"code", "message", "fields"}
        assert answer.json()["code"] == "rate_limited"
        assert int(answer["Retry-After"]) >= 1


@committed_db
def test_twenty_photos_at_once_pass_exactly_the_limit(api, ocr_queue, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(OcrThrottle, "THROTTLE_RATES", {"ocr": "10/min"})
    clients = [api("datang_agent") for _ in range(AT_ONCE)]  # one agent, tokens committed
    uploads = [photo() for _ in range(AT_ONCE)]
    answers = all_at_once(lambda i: clients[i].post(LICENCE, {"image": uploads[i]}, format="multipart"))
    assert_limit_then_429(answers, 10, {202})


@committed_db
def test_twenty_logins_at_once_pass_exactly_the_login_limit(datang, monkeypatch) -> None:
    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "10/min", "login_account": "100/hour"})
    # Not a person other tests log in as: ten wrong passwords lock the mobile (accounts.LoginLockout),
    # and committed rows outlive the test (CI's browser tests then found 王海峰 locked for 15 minutes).
    mobile = "13699990077"

    def login(i: int) -> Any:
        client = APIClient()
        client.defaults["HTTP_HOST"] = "datang.localhost"
        return client.post("/api/v1/auth/token/", {"mobile": mobile, "password": f"wrong{i}"}, format="json")

    try:
        answers = all_at_once(login)
        assert_limit_then_429(answers, 10, {401, 403})
    finally:
        LoginLockout.objects.filter(mobile=mobile).delete()


def test_every_throttle_in_the_api_is_the_atomic_one() -> None:
    """A throttle class added later (or DRF's own) would race again."""
    from django.urls import get_resolver

    seen = 0
    views = _views(get_resolver("config.urls_tenant")) + _views(get_resolver("config.urls_public"))
    for view in views:
        for throttle in getattr(view, "throttle_classes", []):
            seen += 1
            assert issubclass(throttle, AtomicRateThrottle), f"{view.__name__}: {throttle.__name__}"
    assert seen >= 10


def _views(resolver: Any) -> list[Any]:
    views = []
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            views += _views(pattern)
        elif cls := getattr(pattern.callback, "cls", None):
            views.append(cls)
    return views


@pytest.mark.parametrize("rate", ["3/sec", "3/min"])
def test_the_window_slides_and_retry_after_counts_down(rate, settings) -> None:
    from django.test import RequestFactory
    from rest_framework.request import Request

    class Probe(AtomicRateThrottle):
        scope = "probe"
        THROTTLE_RATES = {"probe": rate}

        def get_cache_key(self, request: Any, view: Any) -> str:
            return "throttle:probe:test"

    request = Request(RequestFactory().get("/"))
    results = [Probe().allow_request(request, None) for _ in range(4)]
    assert results == [True, True, True, False]
    refused = Probe()
    assert refused.allow_request(request, None) is False
    wait = refused.wait()
    assert wait is not None and 1 <= wait <= (1 if rate.endswith("sec") else 60)
