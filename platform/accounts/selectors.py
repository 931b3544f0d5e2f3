from django.db.models import Count, QuerySet

from accounts.models import Membership, User


def roles_of(*, user: User, tenant_id: int | None) -> set[str]:
    """Active roles of ``user`` in the tenant (or, with None, on the public host)."""
    memberships = Membership.objects.filter(user=user, is_active=True)
    memberships = (
        memberships.filter(tenant_id=tenant_id) if tenant_id else memberships.filter(tenant__isnull=True)
    )
    return set(memberships.values_list("role", flat=True))


def members_by_role(*, tenant_id: int) -> dict[str, int]:
    rows = (
        Membership.objects.filter(tenant_id=tenant_id, is_active=True, user__is_active=True)
        .values("role")
        .annotate(n=Count("id"))
    )
    return {row["role"]: row["n"] for row in rows}


def members_of_tenant(*, tenant_id: int) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant_id=tenant_id).select_related("user")
