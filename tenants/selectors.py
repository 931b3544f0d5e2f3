from django.db.models import Count, Q, QuerySet
from django_tenants.utils import get_public_schema_name

from tenants.models import Branding, Tenant


def tenants_for_platform(*, search: str = "") -> QuerySet[Tenant]:
    tenants = (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .select_related("branding")
        .prefetch_related("domains")
        .annotate(
            member_count=Count("memberships__user", filter=Q(memberships__is_active=True), distinct=True)
        )
        .order_by("-created_at", "-id")
    )
    if search:
        tenants = tenants.filter(
            Q(name__icontains=search)
            | Q(schema_name__icontains=search)
            | Q(domains__domain__icontains=search)
        ).distinct()
    return tenants


def branding_for_tenant(*, tenant: Tenant) -> Branding:
    """The tenant's branding, or the platform defaults when none was saved."""
    branding = Branding.objects.filter(tenant_id=tenant.pk).first()
    return branding or Branding(tenant=tenant, display_name=tenant.name or "速信保", short_name="速信保")
