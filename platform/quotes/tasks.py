from typing import Any

from celery import shared_task
from django.db import connection

from quotes.services import quotes_expire


@shared_task(acks_late=True)
def quotes_expire_task() -> dict[str, Any]:
    """Mark one tenant's open quotes past their validity as 已过期 (beat fans it out with
    core.tasks.run_in_every_tenant). Idempotent: an expired quote is not open any more."""
    return {"schema_name": connection.schema_name, "expired": quotes_expire()}  # type: ignore[attr-defined]
