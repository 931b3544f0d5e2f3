from typing import Any

from celery import shared_task
from django.db import connection
from django.utils import timezone

from customers.butler import preferences_recompute
from customers.reminders import reminders_scan_daily


@shared_task(bind=True, max_retries=3, default_retry_delay=60, acks_late=True)
def reminders_scan_task(self: Any) -> dict[str, Any]:
    """The daily reminder scan of one tenant (beat fans it out with core.tasks.run_in_every_tenant).
    Idempotent, so a redelivered or repeated run creates nothing twice."""
    created = reminders_scan_daily(today=timezone.localdate())
    return {"schema_name": connection.schema_name, "created": created}  # type: ignore[attr-defined]


@shared_task(acks_late=True)
def preferences_recompute_task() -> dict[str, Any]:
    return {"schema_name": connection.schema_name, "tags": preferences_recompute()}  # type: ignore[attr-defined]
