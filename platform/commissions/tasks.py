from typing import Any

from celery import shared_task
from django.db import connection

from commissions.services import process_events, settlement_run_execute, settlement_watchdog


@shared_task(acks_late=True)
def commissions_process_events_task() -> dict[str, Any]:
    """Catch up on sale events of one tenant (beat fans it out); a no-op when nothing is new."""
    return {"schema_name": connection.schema_name, "events": process_events()}  # type: ignore[attr-defined]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def settlement_run_task(run_id: int) -> dict[str, Any]:
    """Acknowledged when it ends, and put back on the queue if its worker dies: a killed worker's
    run is picked up again (the run itself is idempotent and locked against a second runner)."""
    run = settlement_run_execute(run_id)
    return {"schema_name": connection.schema_name, "run": run_id, "status": run.status}  # type: ignore[attr-defined]


@shared_task(acks_late=True)
def settlement_watchdog_task() -> dict[str, Any]:
    """Beat, per tenant: re-queue settlement runs whose heartbeat stopped."""
    return {"schema_name": connection.schema_name, "requeued": settlement_watchdog()}  # type: ignore[attr-defined]
