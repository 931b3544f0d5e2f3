from typing import Any

from django.db.models import QuerySet

from core.models import AuditEvent


def audit_events_visible_to(*, user: Any, roles: set[str]) -> QuerySet[AuditEvent]:
    """Tenant admins and finance see the whole trail of their tenant; everyone else their own rows.
    Always scoped to the current schema, so never another tenant's."""
    events = AuditEvent.objects.select_related("actor")
    if roles & {"tenant_admin", "finance", "platform_admin"}:
        return events
    return events.filter(actor=user)
