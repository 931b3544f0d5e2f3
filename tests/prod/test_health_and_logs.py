"""Probes and logs: /healthz and /readyz answer on any host before routing, /readyz checks the real
PostgreSQL, Redis, broker and every schema's migrations; each request has an id (the caller's
X-Request-ID or a new one) that comes back in the response and is on every JSON log line with the
tenant."""

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from config import health
from config.observability import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_migration_check(monkeypatch) -> None:
    monkeypatch.setattr(health, "_migrations_ok_at", 0.0)


@pytest.fixture
def json_log() -> Iterator[Callable[[], list[dict]]]:
    """What the production handler writes: the context filter and the JSON formatter on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root, access = logging.getLogger(), logging.getLogger("suxinbao.request")
    levels = (root.level, access.level)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    access.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(levels[0])
    access.setLevel(levels[1])


def test_healthz_answers_on_any_host_with_a_request_id() -> None:
    for host in ("10.20.30.40:8000", "datang.localhost", "nobody.example.com"):
        response = Client(HTTP_HOST=host).get("/healthz")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})
        assert len(response["X-Request-ID"]) == 32 and response["Cache-Control"] == "no-store"


def test_readyz_checks_database_redis_broker_and_every_schema_s_migrations() -> None:
    response = Client(HTTP_HOST="10.20.30.40").get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "broker": "ok", "migrations": "ok"},
    }


def test_readyz_is_503_when_a_tenant_schema_misses_a_migration() -> None:
    with schema_context("datang"), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations WHERE app = 'customers')"
        )
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["migrations"] == "failed: unapplied migrations in 1 schema(s) (datang: 1)"
    assert body["checks"]["database"] == "ok"


def test_readyz_is_503_naming_redis_and_the_broker_when_they_do_not_answer(settings) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"].startswith("failed: ") and checks["broker"].startswith("failed: ")
    assert "127.0.0.1" not in json.dumps(checks)  # no addresses in the body
    assert (checks["database"], checks["migrations"]) == ("ok", "ok")


def test_the_callers_request_id_comes_back_and_is_on_the_json_log_line_with_the_tenant(json_log) -> None:
    response = Client(HTTP_HOST="datang.localhost").get("/api/v1/me/", HTTP_X_REQUEST_ID="lb-7f3a-0001")
    assert response.status_code == 401
    assert response["X-Request-ID"] == "lb-7f3a-0001"
    line = next(entry for entry in json_log() if entry["logger"] == "suxinbao.request")
    assert line["request_id"] == "lb-7f3a-0001" and line["tenant"] == "datang"
    assert (line["method"], line["path"], line["status"], line["level"]) == (
        "GET",
        "/api/v1/me/",
        401,
        "INFO",
    )
    assert line["message"] == "GET /api/v1/me/ 401" and line["time"].endswith("+00:00")


def test_a_log_written_during_a_request_carries_its_id_and_a_bad_id_is_replaced(json_log) -> None:
    # A wrong-password login logs nothing of its own; Django logs every 4xx on django.request.
    response = Client(HTTP_HOST="bowei.localhost").get(
        "/api/v1/no-such-thing/?ticket=secret-in-query", HTTP_X_REQUEST_ID="bad id\nwith newline"
    )
    assert response.status_code == 404
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and rid != "bad id\nwith newline"
    lines = json_log()
    assert {entry["request_id"] for entry in lines} == {rid}
    assert {entry["tenant"] for entry in lines} == {"bowei"}
    assert "secret-in-query" not in json.dumps(lines)  # the query string is never logged


@pytest.mark.parametrize(
    ("proxies", "hsts"), [([], None), (["127.0.0.0/8"], "max-age=31536000; includeSubDomains")]
)
def test_hsts_is_sent_when_a_trusted_proxy_says_the_request_came_over_https(settings, proxies, hsts) -> None:
    """The test client's peer is 127.0.0.1: a trusted proxy only when TRUSTED_PROXIES says so."""
    settings.TRUSTED_PROXIES = proxies
    response = Client(HTTP_HOST="datang.localhost").get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert Client(HTTP_HOST="datang.localhost").get("/api/v1/me/").get("Strict-Transport-Security") is None
    answered = Client(HTTP_HOST="datang.localhost").get("/api/v1/me/", HTTP_X_FORWARDED_PROTO="https")
    assert answered.get("Strict-Transport-Security") == hsts
