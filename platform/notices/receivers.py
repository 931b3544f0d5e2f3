"""Business events reach the inbox once their transaction commits."""

import logging
from typing import Any

from django.dispatch import receiver

from core.events import domain_event
from notices.dispatch import process_events

logger = logging.getLogger(__name__)


@receiver(domain_event)
def event_to_inbox(sender: Any, event: Any, **kwargs: Any) -> None:
    try:
        process_events()
    except Exception:  # the change stands; notices_process_events_task retries from the cursor
        logger.exception("notifications for event %s failed; the periodic task will retry", event.pk)
