"""Reads by who asks: a recipient's announcements and inbox, the sender's receipts."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from notices.models import Announcement, AnnouncementReceipt, Notification


def announcements_sent() -> QuerySet[Announcement]:
    """The console's list: every announcement of this tenant with its read / unread counts."""
    return (
        Announcement.objects.select_related("insurer")
        .annotate(
            read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def receipts_of(announcement: Announcement, state: str = "") -> QuerySet[AnnouncementReceipt]:
    rows = announcement.receipts.select_related("user").order_by("read_at", "id")
    if state == "read":
        rows = rows.filter(read_at__isnull=False).order_by("-read_at", "id")
    elif state == "unread":
        rows = rows.filter(read_at__isnull=True)
    return rows


def announcements_for(user: User) -> QuerySet[AnnouncementReceipt]:
    """A recipient's policies that have taken effect: one published today to start next month stays
    out of the agent's list, badge and reading until its first day (open-ended ones never lapse)."""
    return (
        AnnouncementReceipt.objects.filter(user=user, announcement__effective_from__lte=timezone.localdate())
        .select_related("announcement", "announcement__insurer")
        .order_by("-announcement__created_at", "-id")
    )


def inbox_of(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=user)
    return rows.filter(read_at__isnull=True) if unread else rows


def unread_counts(user: User) -> dict[str, Any]:
    announcements = announcements_for(user).filter(read_at__isnull=True).count()
    notifications = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "announcements": announcements,
        "notifications": notifications,
        "total": announcements + notifications,
    }


def insurer_publications(insurer: Any) -> list[dict[str, Any]]:
    """An insurer's announcements as it sees them: one row per publication, summed over the tenants
    it reached (each tenant keeps its own copy and receipts in its schema)."""
    from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

    rows: dict[Any, dict[str, Any]] = {}
    tenants = get_tenant_model().objects.filter(is_active=True).exclude(schema_name=get_public_schema_name())
    for schema in tenants.order_by("schema_name").values_list("schema_name", flat=True):
        with schema_context(schema):
            for a in announcements_sent().filter(insurer=insurer, publication__isnull=False):
                row = rows.setdefault(
                    a.publication,
                    {
                        "publication": a.publication, "title": a.title, "effective_from": a.effective_from,
                        "effective_until": a.effective_until, "created_at": a.created_at, "tenants": 0,
                        "recipients": 0, "read_count": 0,
                    },
                )  # fmt: skip
                row["tenants"] += 1
                row["recipients"] += a.recipients
                row["read_count"] += a.read_count  # type: ignore[attr-defined]
    return sorted(rows.values(), key=lambda r: r["created_at"], reverse=True)
