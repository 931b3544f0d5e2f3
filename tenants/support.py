"""Platform support sessions (impersonation): the platform admin acts as one of a tenant's admins.

The token is bound to that tenant like any other, carries the impersonator, and expires after
SUPPORT_SESSION_MINUTES. Starting and ending a session are audited on the platform and in the
tenant's own log; every write made with it is audited in the tenant's log by the routing
middleware ("平台支持 X 代 Y"). The tenant's admins see the sessions and can end one.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AuthToken, Membership, Role, User, token_digest
from core.errors import FieldErrors, NotFound, StateConflict
from core.services import audit_event_record
from tenants.lifecycle import locked_tenant
from tenants.models import TenantStatus


@dataclass(frozen=True)
class SupportSession:
    token: str
    record: AuthToken


def _who(user: User) -> str:
    return user.name or user.mobile


@transaction.atomic
def support_session_start(*, actor: User, tenant_id: int, user_id: int, reason: str = "") -> SupportSession:
    tenant = locked_tenant(tenant_id)
    if tenant.status != TenantStatus.ACTIVE:
        raise StateConflict("租户未在正常服务中，不能开启支持会话", code="tenant_not_active")
    errors = FieldErrors()
    membership = (
        Membership.objects.select_related("user")
        .filter(tenant=tenant, user_id=user_id, role=Role.TENANT_ADMIN, is_active=True, user__is_active=True)
        .first()
    )
    if membership is None:
        errors.add("user", "请选择该租户的一位管理员")
    if not reason.strip():
        errors.add("reason", "请填写支持原因")
    errors.raise_if_any("支持会话信息有误")
    assert membership is not None
    user = membership.user
    raw = secrets.token_urlsafe(32)
    record = AuthToken.objects.create(
        digest=token_digest(raw),
        user=user,
        tenant=tenant,
        impersonator=actor,
        support_reason=reason.strip()[:200],
        expires_at=timezone.now() + timedelta(minutes=settings.SUPPORT_SESSION_MINUTES),
        user_agent="platform-support",
        second_factor=True,  # started by a platform admin, whose own token needed one
    )
    summary = f"平台支持 {_who(actor)} 代 {_who(user)} 开始支持会话：{reason.strip()}"
    audit_event_record(actor=actor, action="support.start", summary=f"{summary}（租户 {tenant.name}）",
                       object_type="tenant", object_id=tenant.pk, data={"session_id": record.pk})  # fmt: skip
    with schema_context(tenant.schema_name):
        audit_event_record(actor=user, action="support.start", summary=summary,
                           object_type="support_session", object_id=record.pk,
                           data={"impersonator_id": actor.pk})  # fmt: skip
    return SupportSession(token=raw, record=record)


@transaction.atomic
def support_session_end(*, actor: User, tenant_id: int, session_id: int) -> AuthToken:
    """End a session early (the tenant's admin, or the support person with the session's own token)."""
    record = (
        AuthToken.objects.select_for_update()
        .select_related("user", "impersonator")
        .filter(pk=session_id, tenant_id=tenant_id, impersonator__isnull=False)
        .first()
    )
    if record is None:
        raise NotFound("支持会话不存在", code="support_session_not_found")
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        impersonator = record.impersonator
        audit_event_record(actor=actor, action="support.end",
                           summary=f"结束支持会话：平台支持 {_who(impersonator) if impersonator else '已删除的用户'}"
                           f" 代 {_who(record.user)}",
                           object_type="support_session", object_id=record.pk)  # fmt: skip
    return record
