"""Business events (and the reminders and statements written since) reach the inbox once their
transaction commits (in the worker)."""

import logging
from typing import Any

from django.dispatch import receiver

from core.events import events_committed
from notices.dispatch import process_events

logger = logging.getLogger(__name__)


@receiver(events_committed)
def event_to_inbox(sender: Any, kinds: frozenset[str], **kwargs: Any) -> None:
    try:
        process_events()
    except Exception:  # the change stands; notices_process_events_task retries from the cursor
        logger.exception("notifications for %s failed; the periodic task will retry", sorted(kinds))
