"""Host -> tenant routing.

django-tenants' TenantMainMiddleware looks the host up in the Domain table on every request and
resets the connection's search_path each time. This subclass keeps a short in-process cache of
host -> tenant (TENANT_HOST_CACHE_SECONDS; cleared in this process whenever a Tenant or Domain is
saved or deleted, other processes see the change within the TTL) and leaves the search_path alone
when the connection already points at the request's tenant. bench/tenant_routing.py measures it.
"""

import threading
from time import monotonic
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.models import Domain, Tenant

_hosts: dict[str, tuple[Tenant, float]] = {}
_lock = threading.Lock()


def tenant_for_host(hostname: str) -> Tenant | None:
    """The active tenant serving ``hostname``, or None. Cached for TENANT_HOST_CACHE_SECONDS."""
    now = monotonic()
    hit = _hosts.get(hostname)
    if hit is not None and hit[1] > now:
        return hit[0]
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    domain = Domain.objects.select_related("tenant").filter(domain=hostname, tenant__is_active=True).first()
    if domain is None:
        return None
    with _lock:
        _hosts[hostname] = (domain.tenant, now + settings.TENANT_HOST_CACHE_SECONDS)
    return domain.tenant


def forget_tenant_hosts(**_: Any) -> None:
    with _lock:
        _hosts.clear()


for _model in (Tenant, Domain):
    post_save.connect(forget_tenant_hosts, sender=_model, dispatch_uid=f"forget-hosts-save-{_model.__name__}")
    post_delete.connect(
        forget_tenant_hosts, sender=_model, dispatch_uid=f"forget-hosts-delete-{_model.__name__}"
    )


class TenantRoutingMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        tenant = tenant_for_host(hostname)
        if tenant is None:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            return self.no_tenant_found(request, hostname)
        tenant.domain_url = hostname
        request.tenant = tenant  # type: ignore[attr-defined]
        if getattr(connection, "tenant", None) is not tenant:
            connection.set_tenant(tenant)  # type: ignore[attr-defined]
        self.setup_url_routing(request)
        return None
