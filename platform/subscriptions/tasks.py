from typing import Any

from celery import shared_task

from subscriptions.services import signup_provision


@shared_task(acks_late=True, reject_on_worker_lost=True)
def signup_provision_task(signup_id: str) -> dict[str, Any]:
    """Provision a queued signup (enqueued on the public host, so it runs in the public schema).
    Acknowledged when it ends and put back on the queue if its worker dies; the redelivery picks a
    signup left "provisioning" up again (see signup_provision). Ready or failed signups are left."""
    signup = signup_provision(signup_id=signup_id)
    return {"signup": str(signup.pk), "status": signup.status}
