"""The test world, built the way users build it: through the provisioning and account services.

Two tenants (Datang, Bowei) with their hosts, branding and people are created once per session in
the test database (a real PostgreSQL: schemas need it). Each test gets a clean slice of the cache.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase
from django_redis import get_redis_connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import auth_token_issue, membership_grant, user_create
from core.citus import install_test_database_hook
from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_provision

# The public dev placeholder secrets are fine in tests and in the processes tests start (a Celery
# worker, a web server), which inherit this. (Settings are loaded before this file: under pytest
# they allow the placeholders themselves.)
os.environ["DJANGO_DEV_SECRETS"] = "true"

# On a Citus coordinator (`make test-cluster`) the test database is made a Citus database on every node.
install_test_database_hook()

PASSWORD = "Test@2026pw"

# For tests whose data must be committed (a real worker, a browser against live_server).
committed_db = pytest.mark.django_db(transaction=True)


def _keep_the_committed_world(self: TransactionTestCase) -> None:
    """Django empties every table after a transactional test (TRUNCATE). That would take the
    session's tenants and people with it, and a tenant schema cannot be re-provisioned cheaply, so
    committed tests keep their rows instead: pytest-django runs them after all the others, and
    each uses data of its own. The test database is dropped at the end of the session."""


TransactionTestCase._fixture_teardown = _keep_the_committed_world  # type: ignore[attr-defined]


# The Datang team (``team``, ``as_distributor``) and the tenants' insurers (``insurers``).
pytest_plugins = ["tests.teams", "tests.insurers"]


@dataclass(frozen=True)
class Person:
    mobile: str
    name: str
    role: str
    schema: str | None  # None: the public host


PEOPLE = {
    "platform_admin": Person("13700000000", "平台管理员", Role.PLATFORM_ADMIN, None),
    "datang_admin": Person("13700001001", "陈大唐", Role.TENANT_ADMIN, "datang"),
    "datang_agent": Person("13700001011", "王海峰", Role.AGENT, "datang"),
    "datang_owner": Person("13700001021", "赵车主", Role.OWNER, "datang"),
    "bowei_admin": Person("13700002001", "周博维", Role.TENANT_ADMIN, "bowei"),
    "bowei_agent": Person("13700002011", "孙志强", Role.AGENT, "bowei"),
}

TENANTS = {
    "datang": dict(
        name="大唐保险经纪有限公司", display_name="大唐经纪", primary_color="#C8102E", kind="brokerage"
    ),
    "bowei": dict(
        name="博维保险经纪有限公司", display_name="博维经纪", primary_color="#0B5FA5", kind="brokerage"
    ),
}


def host_of(schema: str | None) -> str:
    return f"{schema}.localhost" if schema else "localhost"


def build_world() -> None:
    public_tenant_ensure(hosts=list(settings.PUBLIC_HOSTS))
    for schema, spec in TENANTS.items():
        tenant_provision(
            actor=None,
            name=spec["name"],
            schema_name=schema,
            domain=host_of(schema),
            kind=spec["kind"],
            branding={"display_name": spec["display_name"], "primary_color": spec["primary_color"]},
        )
    for person in PEOPLE.values():
        user = User.objects.filter(mobile=person.mobile).first() or user_create(
            mobile=person.mobile, name=person.name, password=PASSWORD
        )
        tenant_id = Tenant.objects.get(schema_name=person.schema).pk if person.schema else None
        membership_grant(user=user, role=person.role, tenant_id=tenant_id)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache() -> Iterator[None]:
    """Every test starts on the public schema with an empty cache (throttles, one-time codes)."""
    _clear_test_cache()
    try:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    except Exception:  # no database for this test
        pass
    yield
    _clear_test_cache()


def _clear_test_cache() -> None:
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    redis = get_redis_connection("default")
    keys = list(redis.scan_iter(f"*:{prefix}:*", count=1000))  # "<schema>:<prefix>:<version>:<key>"
    keys += list(redis.scan_iter(f"{settings.REALTIME_KEY_PREFIX}:*", count=1000))  # pushes, stream slots
    if keys:
        redis.delete(*keys)


@pytest.fixture
def datang(db) -> Tenant:
    return Tenant.objects.get(schema_name="datang")


@pytest.fixture
def bowei(db) -> Tenant:
    return Tenant.objects.get(schema_name="bowei")


@pytest.fixture
def steady_hosts(settings) -> None:
    """For tests that count queries: the host cache is emptied, then neither expires (its TTL could
    run out between the two counts on a loaded machine) nor follows a host change another test made
    a moment before (the generation is re-read once a second), so both counts see the same cache."""
    from tenants.middleware import forget_tenant_hosts

    forget_tenant_hosts()
    settings.TENANT_HOST_CACHE_SECONDS = 3600
    settings.TENANT_HOST_GENERATION_CHECK_SECONDS = 3600


def person(key: str) -> User:
    return User.objects.get(mobile=PEOPLE[key].mobile)


@pytest.fixture
def api(db):
    """``api("datang_agent")``: a client on that person's host, logged in there.
    ``api(None, host="bowei.localhost")``: anonymous on a host. ``token_host`` issues the token on
    another host than the one the client talks to (for the isolation cases)."""

    def make(key: str | None, *, host: str | None = None, token_host: str | None = None) -> APIClient:
        client = APIClient()
        schema = PEOPLE[key].schema if key else None
        client_host = host or host_of(schema)
        client.defaults["HTTP_HOST"] = client_host
        if key:
            issue_schema = (token_host or host_of(schema)).split(".")[0]
            tenant_id = (
                None if issue_schema == "localhost" else Tenant.objects.get(schema_name=issue_schema).pk
            )
            # as after a full login: admins' tokens carry their second factor
            issued = auth_token_issue(user=person(key), tenant_id=tenant_id, second_factor=True)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
        return client

    return make


def password_login(client: APIClient, mobile: str, password: str) -> Any:
    """POST auth/token/ as the apps do: when the account needs a second factor (admins, finance),
    answer the otp_required with the SMS code it sent."""
    from accounts import sms

    body = {"mobile": mobile, "password": password}
    first = client.post("/api/v1/auth/token/", body, format="json")
    if first.status_code != 401 or first.json()["code"] != "otp_required":
        return first
    code = next(m.params["code"] for m in reversed(sms.outbox) if m.mobile == mobile)
    return client.post("/api/v1/auth/token/", {**body, "otp": code}, format="json")


@pytest.fixture
def in_schema():
    return schema_context
