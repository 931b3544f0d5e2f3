from typing import Any

from celery import shared_task
from django.db import connection

from mall.services import reservations_release


@shared_task(acks_late=True)
def reservations_release_task() -> dict[str, Any]:
    """Give back the stock of one tenant's orders left unpaid past their reservation."""
    return {"schema_name": connection.schema_name, "released": reservations_release()}  # type: ignore[attr-defined]
