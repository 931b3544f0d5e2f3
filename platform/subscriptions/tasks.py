from typing import Any

from celery import shared_task

from subscriptions.services import signup_provision


@shared_task
def signup_provision_task(signup_id: str) -> dict[str, Any]:
    """Provision a queued signup (enqueued on the public host, so it runs in the public schema).
    Idempotent: a signup that is not queued is left as it is."""
    signup = signup_provision(signup_id=signup_id)
    return {"signup": str(signup.pk), "status": signup.status}
