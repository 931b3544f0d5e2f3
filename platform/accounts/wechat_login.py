"""WeChat login through the tenant's 公众号: the menu link's OAuth code logs a bound person in, or
starts binding a mobile (proved by an SMS code) to the openid; and a logged-in person binds the
WeChat they opened the page in (for template messages). The OAuth state against login CSRF is
``accounts.wechat_oauth``; the 公众号 client and its models are ``core.wechat`` / ``core.models``."""

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from accounts.models import Role, User
from accounts.selectors import roles_of
from accounts.services import (
    IssuedToken,
    auth_token_issue,
    membership_grant,
    sms_login_code_check,
    user_create,
)
from core import wechat
from core.errors import StateConflict, ValidationFailed
from core.models import WeChatBinding
from core.services import audit_event_record
from core.tenancy import current_tenant_id
from core.validators import normalize_mobile

BIND_TICKET_SECONDS = 600


@dataclass(frozen=True)
class WeChatLogin:
    issued: IssuedToken | None
    bind_ticket: str = ""


def _openid_for(code: str) -> str:
    from wechatpy.exceptions import WeChatClientException, WeChatOAuthException

    try:
        return wechat.openid_for_code(code)
    except (WeChatOAuthException, WeChatClientException) as exc:
        wechat.raise_if_unreachable(exc)
        raise ValidationFailed("微信授权码无效或已过期", code="wechat_code_invalid",
                               fields={"code": [f"微信授权失败：{exc.errmsg}"]}) from None  # fmt: skip


@transaction.atomic
def wechat_login(*, code: str, user_agent: str = "", ip: str | None = None) -> WeChatLogin:
    """The 公众号 menu link's OAuth code: a bound openid logs its owner in; an unknown one gets a
    short-lived ticket to bind a mobile with an SMS code (people are identified by their mobile)."""
    openid = _openid_for(code)
    binding = WeChatBinding.objects.select_related("user").filter(openid=openid).first()
    if binding is None:
        ticket = secrets.token_urlsafe(24)
        cache.set(f"wechat-bind:{ticket}", openid, timeout=BIND_TICKET_SECONDS)
        return WeChatLogin(issued=None, bind_ticket=ticket)
    tenant_id = current_tenant_id()
    issued = auth_token_issue(user=binding.user, tenant_id=tenant_id, user_agent=user_agent)
    audit_event_record(actor=binding.user, action="auth.login", summary="微信授权登录", ip=ip)
    return WeChatLogin(issued=issued)


def wechat_bind(
    *, bind_ticket: str, mobile: str, code: str, user_agent: str = "", ip: str | None = None
) -> IssuedToken:
    """Finish a first WeChat login: the SMS code proves the mobile; the person (created if new)
    becomes an owner here if they hold no role yet, and the openid is bound to them."""
    openid = cache.get(f"wechat-bind:{bind_ticket}")
    if not openid:
        raise ValidationFailed("微信授权已过期，请从公众号菜单重新进入", code="wechat_bind_expired",
                               fields={"bind_ticket": ["已过期"]})  # fmt: skip
    mobile = normalize_mobile(mobile)
    sms_login_code_check(mobile=mobile, code=code)  # outside the transaction: a wrong code stays counted
    with transaction.atomic():
        return _wechat_bind(
            openid=openid, bind_ticket=bind_ticket, mobile=mobile, user_agent=user_agent, ip=ip
        )


def _wechat_bind(
    *, openid: str, bind_ticket: str, mobile: str, user_agent: str, ip: str | None
) -> IssuedToken:
    if WeChatBinding.objects.filter(openid=openid).exists():
        raise StateConflict("该微信已绑定其他手机号", code="wechat_already_bound")
    tenant_id = current_tenant_id()
    user = User.objects.filter(mobile=mobile).first() or user_create(mobile=mobile)
    if not roles_of(user=user, tenant_id=tenant_id):
        membership_grant(user=user, role=Role.OWNER, tenant_id=tenant_id)
        audit_event_record(actor=user, action="owner.signup", summary="车主通过微信公众号注册", ip=ip)
    WeChatBinding.objects.filter(user=user).delete()  # a person keeps the WeChat they bound last
    WeChatBinding.objects.create(openid=openid, user=user)
    cache.delete(f"wechat-bind:{bind_ticket}")
    issued = auth_token_issue(user=user, tenant_id=tenant_id, user_agent=user_agent)
    audit_event_record(actor=user, action="auth.login", summary="微信绑定手机号登录", ip=ip)
    return issued


@transaction.atomic
def wechat_bind_current(*, actor: User, code: str) -> WeChatBinding:
    """A logged-in agent or owner binds the WeChat they opened the page in (for template messages)."""
    openid = _openid_for(code)
    other = WeChatBinding.objects.filter(openid=openid).exclude(user=actor).first()
    if other is not None:
        raise StateConflict("该微信已绑定其他账号", code="wechat_already_bound")
    WeChatBinding.objects.filter(user=actor).exclude(openid=openid).delete()
    binding, _ = WeChatBinding.objects.get_or_create(openid=openid, defaults={"user": actor})
    return binding
