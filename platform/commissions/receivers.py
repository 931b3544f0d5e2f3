"""Sale events reach the ledger once their transaction commits (in the worker)."""

import logging
from typing import Any

from django.dispatch import receiver

from commissions.services import SALE_EVENTS, process_events
from core.events import events_committed

logger = logging.getLogger(__name__)


@receiver(events_committed)
def sale_to_ledger(sender: Any, kinds: frozenset[str], **kwargs: Any) -> None:
    if not kinds & set(SALE_EVENTS):
        return
    try:
        process_events()
    except Exception:  # the sale stands; commissions_process_events_task retries from the cursor
        logger.exception("commission entries for %s failed; the periodic task will retry", sorted(kinds))
