"""A tenant's own domains (自定义域名): add, verify, make primary, remove.

A domain is added unverified with a TXT token to publish; it routes to the tenant only once it
resolves to the platform (CNAME to ``CUSTOM_DOMAIN_TARGET``, or to the same addresses). The check
goes through a ``DomainResolver`` (settings.DOMAIN_RESOLVER): the default asks the system resolver
through the stdlib; tests plug in a fake. A beat task re-checks pending domains.
"""

import secrets
import socket
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from core.errors import FieldErrors, NotFound, StateConflict
from core.services import audit_event_record
from tenants.models import Domain, Tenant
from tenants.services import HOSTNAME

VERIFY_TXT_PREFIX = "_suxinbao-verify"


@dataclass(frozen=True)
class Resolution:
    """What a host resolves to: its canonical name (the end of any CNAME chain) and addresses."""

    canonical: str
    addresses: frozenset[str]


class DomainResolver(Protocol):
    def resolve(self, hostname: str) -> Resolution | None:
        """None when the name does not resolve at all."""


class SocketDomainResolver:
    """The system resolver via the stdlib (no dnspython): ``gethostbyname_ex`` gives the canonical
    name after CNAMEs and the IPv4 addresses."""

    def resolve(self, hostname: str) -> Resolution | None:
        try:
            canonical, _aliases, addresses = socket.gethostbyname_ex(hostname)
        except (OSError, UnicodeError):
            return None
        return Resolution(canonical=canonical.rstrip(".").lower(), addresses=frozenset(addresses))


def domain_resolver() -> DomainResolver:
    resolver: DomainResolver = import_string(settings.DOMAIN_RESOLVER)()
    return resolver


def dns_records_for(domain: Domain) -> list[dict[str, str]]:
    """The records the tenant creates at its DNS provider."""
    return [
        {"type": "CNAME", "name": domain.domain, "value": settings.CUSTOM_DOMAIN_TARGET},
        {
            "type": "TXT",
            "name": f"{VERIFY_TXT_PREFIX}.{domain.domain}",
            "value": domain.verification_token,
        },
    ]


def points_to_platform(hostname: str, *, resolver: DomainResolver | None = None) -> tuple[bool, str]:
    """(True, "") when ``hostname`` reaches us; otherwise (False, why)."""
    resolver = resolver or domain_resolver()
    target = settings.CUSTOM_DOMAIN_TARGET.lower()
    found = resolver.resolve(hostname)
    if found is None:
        return False, f"{hostname} 无法解析，请确认已添加 CNAME 记录"
    if found.canonical == target:
        return True, ""
    ours = resolver.resolve(target)
    if ours is not None and found.addresses & ours.addresses:
        return True, ""
    shown = ", ".join(sorted(found.addresses)) or found.canonical
    return False, f"{hostname} 解析到 {shown}，尚未指向 {target}"


def _platform_host(hostname: str) -> bool:
    base = settings.TENANT_BASE_DOMAIN.lower()
    return hostname in settings.PUBLIC_HOSTS or hostname == base or hostname.endswith(f".{base}")


def _tenant_domain(*, tenant: Tenant, domain_id: int) -> Domain:
    domain = Domain.objects.select_for_update().filter(pk=domain_id, tenant=tenant).first()
    if domain is None:
        raise NotFound("域名不存在", code="domain_not_found")
    return domain


@transaction.atomic
def domain_add(*, actor: User | None, tenant: Tenant, hostname: str) -> Domain:
    hostname = (hostname or "").strip().lower().rstrip(".")
    errors = FieldErrors()
    if not HOSTNAME.match(hostname) or "." not in hostname:
        errors.add("domain", "域名格式不正确，如 bx.example.com")
    elif _platform_host(hostname):
        errors.add("domain", f"{hostname} 属于平台域名，不能作为自定义域名")
    elif Domain.objects.filter(domain=hostname).exists():
        errors.add("domain", f"域名 {hostname} 已被使用")
    errors.raise_if_any("域名有误")
    domain = Domain.objects.create(
        tenant=tenant,
        domain=hostname,
        is_primary=False,
        verified_at=None,
        verification_token=secrets.token_hex(16),
    )
    audit_event_record(actor=actor, action="domain.add", summary=f"添加自定义域名 {hostname}",
                       object_type="domain", object_id=domain.pk)  # fmt: skip
    return domain


def domain_check(*, domain: Domain, resolver: DomainResolver | None = None) -> Domain:
    """Resolve the domain once and record the outcome; marks it verified when it reaches us."""
    ok, why = points_to_platform(domain.domain, resolver=resolver)
    now = timezone.now()
    with transaction.atomic():
        locked = Domain.objects.select_for_update().get(pk=domain.pk)
        locked.last_checked_at = now
        locked.last_check_error = why[:200]
        fields = ["last_checked_at", "last_check_error"]
        if ok and locked.verified_at is None:
            locked.verified_at = now
            fields.append("verified_at")
            audit_event_record(actor=None, action="domain.verify", summary=f"自定义域名 {locked.domain} 已验证",
                               object_type="domain", object_id=locked.pk)  # fmt: skip
        locked.save(update_fields=fields)  # the post_save signal clears the host cache
    return locked


def domain_verify(
    *, actor: User | None, tenant: Tenant, domain_id: int, resolver: DomainResolver | None = None
) -> Domain:
    """The tenant asks for a check now (the beat task does the same for every pending domain)."""
    domain = Domain.objects.filter(pk=domain_id, tenant=tenant).first()
    if domain is None:
        raise NotFound("域名不存在", code="domain_not_found")
    return domain_check(domain=domain, resolver=resolver)


def pending_domains_check(*, resolver: DomainResolver | None = None) -> dict[str, int]:
    """Beat job: check every unverified domain once."""
    checked = verified = 0
    for domain in Domain.objects.filter(verified_at__isnull=True).order_by("id"):
        checked += 1
        if domain_check(domain=domain, resolver=resolver).verified_at is not None:
            verified += 1
    return {"checked": checked, "verified": verified}


@transaction.atomic
def domain_make_primary(*, actor: User | None, tenant: Tenant, domain_id: int) -> Domain:
    domain = _tenant_domain(tenant=tenant, domain_id=domain_id)
    if domain.verified_at is None:
        raise StateConflict("域名尚未验证，不能设为主域名", code="domain_not_verified")
    for other in (
        Domain.objects.select_for_update().filter(tenant=tenant, is_primary=True).exclude(pk=domain.pk)
    ):
        other.is_primary = False
        other.save(update_fields=["is_primary"])
    domain.is_primary = True
    domain.save(update_fields=["is_primary"])
    audit_event_record(actor=actor, action="domain.primary", summary=f"主域名改为 {domain.domain}",
                       object_type="domain", object_id=domain.pk)  # fmt: skip
    return domain


@transaction.atomic
def domain_remove(*, actor: User | None, tenant: Tenant, domain_id: int) -> None:
    domain = _tenant_domain(tenant=tenant, domain_id=domain_id)
    if domain.is_primary:
        raise StateConflict("主域名不能删除，请先把另一个已验证的域名设为主域名", code="domain_is_primary")
    if not Domain.objects.filter(tenant=tenant, verified_at__isnull=False).exclude(pk=domain.pk).exists():
        raise StateConflict("这是租户唯一可用的域名，不能删除", code="domain_last")
    hostname = domain.domain
    domain.delete()  # the post_delete signal clears the host cache
    audit_event_record(actor=actor, action="domain.remove", summary=f"删除自定义域名 {hostname}",
                       object_type="domain", object_id=domain_id)  # fmt: skip
