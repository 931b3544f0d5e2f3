from typing import Any

from core.models import AuditEvent


def audit_event_record(
    *,
    actor: Any | None,
    action: str,
    summary: str = "",
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Write one audit row in the current schema (the tenant's, or public for platform actions)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "name", "") or getattr(actor, "mobile", "")) if actor else "system",
        action=action,
        summary=summary[:300],
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
        ip=ip,
    )
