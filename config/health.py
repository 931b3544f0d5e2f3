"""Probes for the orchestrator, answered before host routing (a probe comes by IP, not a tenant host):

- ``GET /healthz``: the process is alive and serving (no dependency is touched);
- ``GET /readyz``: it can do its work: PostgreSQL answers, Redis answers, the Celery broker accepts a
  connection, and every migration is applied in the public schema and in every active tenant's
  schema. 200 when all pass, 503 naming what failed; never a secret or an address in the body.
"""

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse

log = logging.getLogger("suxinbao.health")

# Once every schema is migrated it stays so until new code (a new process) brings migrations: the
# per-schema check is repeated at most this often.
MIGRATIONS_RECHECK_SECONDS = 60.0
_migrations_ok_at = 0.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    from django_redis import get_redis_connection

    get_redis_connection("default").ping()


def check_broker() -> None:
    from config.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
        broker.connect_timeout = 3
        broker.connect()  # one attempt, raises when the broker does not answer


def unapplied_migrations() -> dict[str, int]:
    """Schema -> number of migrations not applied there (only schemas with some)."""
    from tenants.models import Tenant, TenantStatus

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    schemas = [settings.PUBLIC_SCHEMA_NAME] + list(
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .filter(status=TenantStatus.ACTIVE)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    missing: dict[str, int] = {}
    try:
        for schema in schemas:
            connection.set_schema(schema, include_public=False)  # type: ignore[attr-defined]
            applied = MigrationRecorder(connection).applied_migrations()
            executor.loader.applied_migrations = applied  # type: ignore[assignment]
            plan = executor.migration_plan(targets)
            if plan:
                missing[schema] = len(plan)
    finally:  # the next request's host routing sets its own schema again
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    return missing


def check_migrations() -> None:
    global _migrations_ok_at
    if time.monotonic() - _migrations_ok_at < MIGRATIONS_RECHECK_SECONDS:
        return
    missing = unapplied_migrations()
    if missing:
        shown = ", ".join(f"{schema}: {count}" for schema, count in list(missing.items())[:5])
        raise RuntimeError(f"unapplied migrations in {len(missing)} schema(s) ({shown})")
    _migrations_ok_at = time.monotonic()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "migrations": check_migrations,
}


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # a probe reports, it does not raise
            log.warning("readiness check %s failed: %s", name, exc.__class__.__name__)
            detail = str(exc) if name == "migrations" else exc.__class__.__name__
            results[name] = f"failed: {detail}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


def _json(status: int, body: dict[str, object]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return _json(200, {"status": "ok"})
        if request.path_info == "/readyz" and request.method in ("GET", "HEAD"):
            ready, checks = readiness()
            return _json(
                200 if ready else 503, {"status": "ready" if ready else "not ready", "checks": checks}
            )
        return self.get_response(request)
