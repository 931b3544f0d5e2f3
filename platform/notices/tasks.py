from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db import connection
from django.utils import timezone

from core.realtime import publish
from notices.dispatch import process_events
from notices.models import Delivery, DeliveryStatus
from notices.services import MAX_ATTEMPTS, DeliveryFailed, delivery_attempt


def backoff_seconds(retries: int) -> int:
    """30 s, 60 s, 120 s, 240 s … (exponential, capped at an hour)."""
    return int(min(30 * 2**retries, 3600))


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1)
def delivery_send_task(self: Any, delivery_id: int) -> dict[str, Any]:
    """Send one delivery. Safe to run twice (acks_late redelivers after a worker dies): the
    delivery row's state is the idempotency record."""
    try:
        delivery = delivery_attempt(delivery_id)
    except DeliveryFailed as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return {
        "schema_name": connection.schema_name,  # type: ignore[attr-defined]
        "delivery": delivery_id,
        "status": delivery.status if delivery else None,
    }


@shared_task(acks_late=True)
def realtime_push_task(channels: list[str], event: str, data: dict[str, Any]) -> int:
    """Push one message to many users' channels (a large announcement's audience)."""
    publish(channels, event, data)  # no transaction here: appended at once
    return len(channels)


@shared_task(acks_late=True)
def notices_process_events_task() -> dict[str, Any]:
    """Beat, per tenant: catch up on events/reminders/statements and re-enqueue deliveries whose
    task was lost (pending or retrying for over ten minutes)."""
    handled = process_events()
    stale = timezone.now() - timedelta(minutes=10)
    lost = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
            updated_at__lt=stale,
        ).values_list("pk", flat=True)[:500]
    )
    for delivery_id in lost:
        delivery_send_task.delay(delivery_id)
    return {"schema_name": connection.schema_name, "events": handled, "requeued": len(lost)}  # type: ignore[attr-defined]
