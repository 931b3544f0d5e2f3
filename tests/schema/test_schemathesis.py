"""Schemathesis against the app's own OpenAPI schema, in process (WSGI, the whole middleware stack):
every operation of a tenant host as its admin, an agent and an owner, and every operation of the
platform host as the platform admin, with generated valid and invalid input. No answer may be a 5xx
(`not_a_server_error`), and every documented answer must match its schema
(`response_schema_conformance`: bodies, and the error shape for 400/401/403/404/409/413/429/502).

Bounded: a few examples per operation and role (SCHEMATHESIS_EXAMPLES, default 4), derandomised so
CI sees the same cases every run. Each operation runs in its own rolled-back transaction, so what
one case changes (a logout, a suspended tenant) is gone before the next operation."""

import json
import os
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.services import auth_token_issue
from config.wsgi import application
from tenants.models import Tenant
from tests.conftest import PEOPLE, host_of, person

# A longer, exploring run: SCHEMATHESIS_EXAMPLES=25 SCHEMATHESIS_PHASES=examples,coverage,fuzzing
# SCHEMATHESIS_RANDOM=1 (new inputs each run).
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing").split(",")
RANDOM = os.environ.get("SCHEMATHESIS_RANDOM", "") == "1"
STATS = os.environ.get("SCHEMATHESIS_STATS")  # a file to append "role method path status" lines to
CHECKS = [not_a_server_error, response_schema_conformance]
TENANT_ROLES = ["datang_admin", "datang_agent", "datang_owner"]


def host_schema(urlconf: str) -> Any:
    """The OpenAPI document of one kind of host (what its URL configuration serves)."""
    raw = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, cls=DjangoJSONEncoder)))
    loaded.app = application
    loaded.config.phases.update(phases=PHASES)
    return loaded


tenant_api = host_schema("config.urls_tenant")
platform_api = host_schema("config.urls_public")

bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def bearer(db):
    """Tokens for the people of the test world. Django's own test client keeps the connection
    open across requests; the WSGI app would close it after each (it cannot, inside the test's
    transaction), so the same signal receivers are held off here."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)

    def issue(key: str) -> dict[str, str]:
        schema = PEOPLE[key].schema
        tenant_id = Tenant.objects.get(schema_name=schema).pk if schema else None
        return {
            "Authorization": f"Bearer {auth_token_issue(user=person(key), tenant_id=tenant_id, second_factor=True).token}"
        }

    yield issue
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def check(case: Any, base_url: str, headers: dict[str, str], role: str) -> None:
    response = case.call(base_url=base_url, headers=headers)
    if STATS:
        with open(STATS, "a") as out:
            out.write(f"{role}\t{case.method}\t{case.path}\t{response.status_code}\t{response.elapsed}\n")
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("role", TENANT_ROLES)
@tenant_api.parametrize()
@bounded
def test_tenant_host(case, role, bearer) -> None:
    check(case, f"http://{host_of(PEOPLE[role].schema)}", bearer(role), role)


@platform_api.parametrize()
@bounded
def test_platform_host(case, bearer) -> None:
    check(case, "http://localhost", bearer("platform_admin"), "platform_admin")
