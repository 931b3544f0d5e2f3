"""Issued policies reach the gift-pack rules once their transaction commits."""

import logging
from typing import Any

from django.dispatch import receiver

from catalog.services import process_events
from core.events import domain_event

logger = logging.getLogger(__name__)


@receiver(domain_event)
def policy_gift_packs(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.kind != "policy.issued":
        return
    try:
        process_events()
    except Exception:  # the policy stands; gift_packs_process_events_task retries from the cursor
        logger.exception("gift packs for event %s failed; the periodic task will retry", event.pk)
