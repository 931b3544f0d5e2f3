from typing import Any

from celery import shared_task

from tenants.domains import pending_domains_check
from tenants.lifecycle import tenant_export_build, tenant_export_fail


@shared_task
def pending_domains_check_task() -> dict[str, int]:
    """Beat (public schema): re-check every custom domain still waiting for its DNS."""
    return pending_domains_check()


@shared_task(bind=True, max_retries=2, default_retry_delay=30, acks_late=True, reject_on_worker_lost=True)
def tenant_export_build_task(self: Any, export_id: int) -> dict[str, Any]:
    """Acknowledged when it ends and put back on the queue if its worker dies; the build is safe
    to run again (see tenant_export_build)."""
    try:
        export = tenant_export_build(export_id=export_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            tenant_export_fail(export_id=export_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc) from exc
    return {"export_id": export.pk, "status": export.status, "rows": export.row_count}
