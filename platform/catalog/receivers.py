"""Issued policies reach the gift-pack rules once their transaction commits (in the worker)."""

import logging
from typing import Any

from django.dispatch import receiver

from catalog.services import process_events
from core.events import events_committed

logger = logging.getLogger(__name__)


@receiver(events_committed)
def policy_gift_packs(sender: Any, kinds: frozenset[str], **kwargs: Any) -> None:
    if "policy.issued" not in kinds:
        return
    try:
        process_events()
    except Exception:  # the policy stands; gift_packs_process_events_task retries from the cursor
        logger.exception("gift packs for %s failed; the periodic task will retry", sorted(kinds))
