"""Sale events reach the ledger once their transaction commits."""

import logging
from typing import Any

from django.dispatch import receiver

from commissions.services import SALE_EVENTS, process_events
from core.events import domain_event

logger = logging.getLogger(__name__)


@receiver(domain_event)
def sale_to_ledger(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.kind not in SALE_EVENTS:
        return
    try:
        process_events()
    except Exception:  # the sale stands; commissions_process_events_task retries from the cursor
        logger.exception("commission entries for event %s failed; the periodic task will retry", event.pk)
