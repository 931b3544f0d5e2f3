from datetime import date

from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django_tenants.utils import get_public_schema_name

from accounts.models import AuthToken, Role, User
from core.models import AuditEvent
from tenants.models import Branding, Domain, Tenant, TenantExport


def tenants_for_platform(*, search: str = "", status: str = "") -> QuerySet[Tenant]:
    tenants = (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .select_related("branding")
        .prefetch_related("domains")
        .annotate(
            member_count=Count("memberships__user", filter=Q(memberships__is_active=True), distinct=True)
        )
        .order_by("-created_at", "-id")
    )
    if status:
        tenants = tenants.filter(status=status)
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


def domains_for_tenant(*, tenant_id: int) -> QuerySet[Domain]:
    return Domain.objects.filter(tenant_id=tenant_id).order_by("-is_primary", "created_at", "id")


def tenant_admins(*, tenant_id: int) -> QuerySet[User]:
    """Whom the platform can act as in a support session."""
    return User.objects.filter(
        memberships__tenant_id=tenant_id,
        memberships__role=Role.TENANT_ADMIN,
        memberships__is_active=True,
        is_active=True,
    ).order_by("id")


def support_sessions_for_tenant(*, tenant_id: int) -> QuerySet[AuthToken]:
    """Support sessions on the tenant, newest first, with how many writes each made (counted in
    the tenant's own audit log, the current schema)."""
    actions = (
        AuditEvent.objects.filter(
            action="support.action",
            object_type="support_session",
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .order_by()
        .values("object_type")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        AuthToken.objects.filter(tenant_id=tenant_id, impersonator__isnull=False)
        .select_related("user", "impersonator")
        .annotate(action_count=Coalesce(Subquery(actions), 0))
        .order_by("-created_at", "-id")
    )


def platform_audit_events(
    *,
    action: str = "",
    actor: str = "",
    search: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The platform's own audit log (the public schema): tenant provisioning, suspension,
    deletion, support sessions, domains checked by the platform."""
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(Q(actor_name__icontains=actor) | Q(actor__mobile=actor))
    if search:
        events = events.filter(summary__icontains=search)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events.order_by("-created_at", "-id")


def tenant_exports(*, tenant_id: int | None = None) -> QuerySet[TenantExport]:
    exports = TenantExport.objects.select_related("requested_by")
    if tenant_id is not None:
        exports = exports.filter(tenant_id=tenant_id)
    return exports.order_by("-requested_at", "-id")
