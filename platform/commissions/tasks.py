from typing import Any

from celery import shared_task
from django.db import connection

from commissions.services import process_events, settlement_run_execute


@shared_task(acks_late=True)
def commissions_process_events_task() -> dict[str, Any]:
    """Catch up on sale events of one tenant (beat fans it out); a no-op when nothing is new."""
    return {"schema_name": connection.schema_name, "events": process_events()}  # type: ignore[attr-defined]


@shared_task(acks_late=True)
def settlement_run_task(run_id: int) -> dict[str, Any]:
    run = settlement_run_execute(run_id)
    return {"schema_name": connection.schema_name, "run": run_id, "status": run.status}  # type: ignore[attr-defined]
