"""Tenant provisioning: a tenant, its schema (a copy of the migrated template:
``tenants.provisioning``), its domain, branding and admin."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_exists

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from core.citus import new_schemas_on_least_loaded_worker
from core.errors import FieldErrors
from core.services import audit_event_record
from core.validators import normalize_mobile, validate_hex_color, validate_mobile
from tenants.models import (
    DEFAULT_PRIMARY_COLOR,
    DEFAULT_SECONDARY_COLOR,
    Branding,
    Domain,
    Tenant,
    TenantKind,
)

SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{2,39}$")
RESERVED_SCHEMAS = {"public", "information_schema", "www", "api", "admin", "static", "media", "console"}
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")


@dataclass(frozen=True)
class AdminSpec:
    mobile: str
    name: str
    password: str


def schema_name_validate(errors: FieldErrors, schema_name: str) -> None:
    """Public: adds to ``errors`` why ``schema_name`` cannot name a new tenant's schema (format,
    reserved, taken). Signup checks a company's chosen subdomain with it before provisioning."""
    if not SCHEMA_NAME.match(schema_name):
        errors.add("schema_name", "模式名应为3-40位小写字母、数字或下划线，以字母开头")
    elif schema_name in RESERVED_SCHEMAS or schema_name.startswith("pg_"):
        errors.add("schema_name", f"模式名 {schema_name} 是保留名称")
    elif Tenant.objects.filter(schema_name=schema_name).exists() or schema_exists(schema_name):
        errors.add("schema_name", f"模式名 {schema_name} 已被占用")


def domain_name_validate(errors: FieldErrors, domain: str) -> None:
    """Public: adds to ``errors`` why ``domain`` cannot be a new tenant's host (format, taken)."""
    if not HOSTNAME.match(domain):
        errors.add("domain", "域名格式不正确，如 datang.localhost 或 bx.example.com")
    elif Domain.objects.filter(domain=domain).exists():
        errors.add("domain", f"域名 {domain} 已被其他租户使用")


def _check_branding(errors: FieldErrors, branding: dict[str, Any]) -> None:
    if not (branding.get("display_name") or "").strip():
        errors.add("branding.display_name", "请填写显示名称")
    for key in ("primary_color", "secondary_color"):
        value = branding.get(key)
        if value:
            try:
                validate_hex_color(value)
            except DjangoValidationError as exc:
                errors.add(f"branding.{key}", exc.messages[0])


def _check_admin(errors: FieldErrors, admin: AdminSpec) -> None:
    try:
        validate_mobile(admin.mobile)
    except DjangoValidationError as exc:
        errors.add("admin.mobile", exc.messages[0])
        return
    if User.objects.filter(mobile=normalize_mobile(admin.mobile)).exists():
        return  # an existing person becomes this tenant's admin too; their password stays theirs
    if not admin.name.strip():
        errors.add("admin.name", "请填写管理员姓名")
    try:
        validate_password(admin.password)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("admin.password", message)


def tenant_provision(
    *,
    actor: User | None,
    name: str,
    schema_name: str,
    domain: str,
    kind: str = TenantKind.BROKERAGE,
    branding: dict[str, Any] | None = None,
    admin: AdminSpec | None = None,
    on_step: Callable[[str], None] | None = None,
    then: Callable[[Tenant], None] | None = None,
) -> Tenant:
    """Create a tenant with its schema (as migrated), domain, branding and first admin, all or nothing.

    Every way a tenant comes to exist (signup task, POST platform/tenants, ``tenant_create``,
    ``seed_demo``, the test world, the benches) goes through here.

    Everything a client can get wrong is checked first and reported together, naming each field;
    then the rest runs in one transaction (PostgreSQL DDL is transactional, so a failure leaves no
    schema behind). ``on_step`` is told each step as it starts (the signup progress page); ``then``
    runs last inside the same transaction (the signup opens the tenant's subscription there).
    """
    step = on_step or (lambda _text: None)
    name = name.strip()
    schema_name = schema_name.strip()
    domain = domain.strip().lower()
    branding = dict(branding or {})
    branding.setdefault("display_name", name)
    errors = FieldErrors()
    if not name:
        errors.add("name", "请填写租户名称")
    if kind not in (TenantKind.BROKERAGE, TenantKind.AFTERSALES):
        errors.add("kind", "租户类型应为 brokerage（经纪公司）或 aftersales（售后连锁）")
    schema_name_validate(errors, schema_name)
    domain_name_validate(errors, domain)
    _check_branding(errors, branding)
    if admin is not None:
        _check_admin(errors, admin)
    errors.raise_if_any("租户信息有误")

    with transaction.atomic():
        step("创建并迁移数据库模式")
        tenant = Tenant(name=name, schema_name=schema_name, kind=kind)
        # On a Citus cluster the new schema goes to the worker with the fewest tenants (core.citus).
        with new_schemas_on_least_loaded_worker():
            tenant.save()  # creates the schema: Tenant.create_schema -> tenants.provisioning.schema_create
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        step("配置域名与品牌")
        Domain.objects.create(tenant=tenant, domain=domain, is_primary=True)
        Branding.objects.create(
            tenant=tenant,
            display_name=branding["display_name"].strip(),
            short_name=(branding.get("short_name") or "").strip(),
            slogan=(branding.get("slogan") or "").strip(),
            logo_url=branding.get("logo_url") or "",
            primary_color=branding.get("primary_color") or DEFAULT_PRIMARY_COLOR,
            secondary_color=branding.get("secondary_color") or DEFAULT_SECONDARY_COLOR,
        )
        if admin is not None:
            step("创建管理员账号")
            user = User.objects.filter(mobile=normalize_mobile(admin.mobile)).first() or user_create(
                mobile=admin.mobile, name=admin.name, password=admin.password, field_prefix="admin."
            )
            membership_grant(user=user, role=Role.TENANT_ADMIN, tenant_id=tenant.pk)
        audit_event_record(
            actor=actor,
            action="tenant.provision",
            summary=f"开通租户 {name}（{schema_name}，{domain}）",
            object_type="tenant",
            object_id=tenant.pk,
        )
        if then is not None:
            then(tenant)
    return tenant


def public_tenant_ensure(*, hosts: list[str]) -> Tenant:
    """The platform's own row (schema ``public``) and the hosts that reach it. Idempotent."""
    tenant, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"name": "速信保平台", "kind": TenantKind.PLATFORM}
    )
    for host in hosts:
        Domain.objects.get_or_create(domain=host, defaults={"tenant": tenant, "is_primary": host == hosts[0]})
    Branding.objects.get_or_create(
        tenant=tenant,
        defaults={
            "display_name": "速信保",
            "short_name": "速信保",
            "slogan": "车主·代理人·保险公司·服务商 一站连接",
        },
    )
    return tenant
