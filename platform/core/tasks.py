from typing import Any

from celery import current_app, shared_task
from django.db import connection

from core.services import audit_event_record


@shared_task(bind=True, max_retries=3, default_retry_delay=5)
def audit_event_record_task(
    self: Any, action: str, summary: str = "", data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Record an audit event from a background job. tenant-schemas-celery sets the schema the task
    was enqueued in; the result names it so callers can see where it ran."""
    event = audit_event_record(actor=None, action=action, summary=summary, data=data)
    return {"schema_name": connection.schema_name, "event_id": event.pk}  # type: ignore[attr-defined]


@shared_task
def run_in_every_tenant(
    task_name: str, kwargs: dict[str, Any] | None = None, queue: str | None = None
) -> list[str]:
    """Beat entry point for per-tenant jobs: enqueue ``task_name`` once in each active tenant's
    schema (tenant-schemas-celery stamps the schema on each message). Suspended tenants and those
    being deleted get none: no reminders or messages go out in their name."""
    from django_tenants.utils import get_public_schema_name, get_tenant_model, tenant_context

    schemas = []
    tenants = (
        get_tenant_model()
        .objects.filter(is_active=True, status="active")
        .exclude(schema_name=get_public_schema_name())
    )
    for tenant in tenants.order_by("schema_name"):
        with tenant_context(tenant):
            current_app.send_task(task_name, kwargs=kwargs or {}, queue=queue)
        schemas.append(tenant.schema_name)
    return schemas


@shared_task(acks_late=True)
def events_consume_task(kinds: list[str]) -> dict[str, Any]:
    """The consumers of the events committed in the schema it was enqueued in since it was
    published (``core.events``): ``kinds`` of the commit that published it and those of the commits
    that found it pending, taken (and the pending flag cleared) before any consumer reads. Safe to
    run twice: every consumer reads its outbox exactly once."""
    from core.events import events_consume, events_pending_done, events_pending_take

    schema = connection.schema_name  # type: ignore[attr-defined]
    taken = events_pending_take(schema)
    kinds = sorted(set(kinds) | taken)
    events_consume(kinds)
    events_pending_done(schema, taken)
    return {"schema_name": connection.schema_name, "kinds": kinds}  # type: ignore[attr-defined]
