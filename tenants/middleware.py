"""Host -> tenant routing.

django-tenants' TenantMainMiddleware looks the host up in the Domain table on every request and
resets the connection's search_path each time. This subclass keeps a short in-process cache of
host -> tenant (TENANT_HOST_CACHE_SECONDS), cleared in this process whenever a Tenant or Domain is
saved or deleted. Other processes (gunicorn workers) learn of the change through a generation
counter in Redis, bumped once the change commits and read at most every
TENANT_HOST_GENERATION_CHECK_SECONDS; should Redis be unreachable they fall back to the TTL.
It leaves the search_path alone when the connection already points at the request's tenant.
bench/tenant_routing.py measures it.

Only verified domains route (a custom domain is added unverified). A suspended tenant (or one
being deleted) answers every request on its hosts with a clear page, or for /api/ the error JSON
with code ``tenant_suspended``; nothing of its data is touched.

Requests made with a support (impersonation) token are written to the tenant's audit log.
"""

import logging
import threading
from html import escape
from time import monotonic
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.models import Domain, Tenant, TenantStatus

logger = logging.getLogger(__name__)

_hosts: dict[str, tuple[Tenant, float]] = {}
_lock = threading.Lock()
# The last generation seen in Redis and when it was read (monotonic seconds).
_generation: dict[str, float | int | None] = {"value": None, "read_at": float("-inf")}


def generation_key() -> str:
    """Per database: two deployments (or test runs) sharing one Redis do not disturb each other."""
    return f"sxb:tenant-hosts:generation:{connection.settings_dict['NAME']}"


def _redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _follow_other_processes(now: float) -> None:
    """Drop this process's cache when another process changed a Tenant or Domain."""
    if now - float(_generation["read_at"] or 0) < settings.TENANT_HOST_GENERATION_CHECK_SECONDS:
        return
    try:
        current = int(_redis().get(generation_key()) or 0)
    except Exception:  # Redis down: the TTL still bounds staleness
        logger.warning("tenant host generation unreadable; relying on the cache TTL", exc_info=True)
        _generation["read_at"] = now
        return
    with _lock:
        if _generation["value"] is not None and current != _generation["value"]:
            _hosts.clear()
        _generation["value"], _generation["read_at"] = current, now


def tenant_for_host(hostname: str) -> Tenant | None:
    """The active tenant serving ``hostname``, or None. Cached for TENANT_HOST_CACHE_SECONDS."""
    now = monotonic()
    _follow_other_processes(now)
    hit = _hosts.get(hostname)
    if hit is not None and hit[1] > now:
        return hit[0]
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    domain = (
        Domain.objects.select_related("tenant")
        .filter(domain=hostname, tenant__is_active=True, verified_at__isnull=False)
        .first()
    )
    if domain is None:
        return None
    with _lock:
        _hosts[hostname] = (domain.tenant, now + settings.TENANT_HOST_CACHE_SECONDS)
    return domain.tenant


def forget_tenant_hosts(**_: Any) -> None:
    with _lock:
        _hosts.clear()


def _bump_generation() -> None:
    try:
        _redis().incr(generation_key())
    except Exception:
        logger.warning("could not tell other processes about a tenant host change", exc_info=True)


def tenant_hosts_changed(**_: Any) -> None:
    """A Tenant or Domain changed: forget here at once, and everywhere once the change commits
    (telling the others earlier could let them re-cache the old row)."""
    forget_tenant_hosts()
    transaction.on_commit(_bump_generation)


for _model in (Tenant, Domain):
    post_save.connect(
        tenant_hosts_changed, sender=_model, dispatch_uid=f"forget-hosts-save-{_model.__name__}"
    )
    post_delete.connect(
        tenant_hosts_changed, sender=_model, dispatch_uid=f"forget-hosts-delete-{_model.__name__}"
    )


SUSPENDED_MESSAGES = {
    TenantStatus.SUSPENDED: "该租户的服务已暂停，请联系平台或您的服务机构。",
    TenantStatus.DELETING: "该租户正在注销，服务已停止。",
}


def tenant_suspended_response(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    message = SUSPENDED_MESSAGES.get(tenant.status, SUSPENDED_MESSAGES[TenantStatus.SUSPENDED])
    if request.path.startswith("/api/"):
        body = {"code": "tenant_suspended", "message": message, "fields": {}}
        return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>服务已暂停 - {escape(tenant.name)}</title></head>"
        '<body style="font-family:sans-serif;text-align:center;padding:64px 16px;color:#333">'
        f'<h1 data-testid="tenant-suspended">服务已暂停</h1><p>{escape(tenant.name)}</p><p>{message}</p>'
        "</body></html>"
    )
    return HttpResponse(page, status=403, content_type="text/html; charset=utf-8")


def support_action_record(request: HttpRequest, response: HttpResponse) -> None:
    """A write made with a support token, in the tenant's audit log: "平台支持 X 代 Y"."""
    token = getattr(request, "auth", None)
    if getattr(token, "impersonator_id", None) is None or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    impersonator = token.impersonator  # type: ignore[union-attr]
    from core.services import audit_event_record

    user = token.user  # type: ignore[union-attr]
    audit_event_record(
        actor=user,
        action="support.action",
        summary=f"平台支持 {impersonator.name or impersonator.mobile} 代 {user.name or user.mobile}："
        f"{request.method} {request.path}（{response.status_code}）",
        object_type="support_session",
        object_id=token.pk,  # type: ignore[union-attr]
        data={"impersonator_id": impersonator.pk, "status": response.status_code},
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
        if tenant.status != TenantStatus.ACTIVE:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            return tenant_suspended_response(request, tenant)
        if getattr(connection, "tenant", None) is not tenant:
            connection.set_tenant(tenant)  # type: ignore[attr-defined]
        self.setup_url_routing(request)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "auth", None) is not None:
            support_action_record(request, response)
        return response
