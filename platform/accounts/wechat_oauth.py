"""WeChat OAuth against login CSRF: a random ``state`` per login, bound to the browser that asked for
it (an HttpOnly cookie) and kept once on the server (the tenant's cache), checked and used up on the
callback; and the redirect target parsed strictly (http(s), this tenant's host, nothing odd).

Without it a link carrying an attacker's ``code`` logged a victim into the attacker's WeChat account,
or bound the attacker's WeChat to the victim's account; and ``http://host@evil.com/`` passed."""

import secrets
from urllib.parse import urlsplit

from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import constant_time_compare

from core.errors import ValidationFailed

STATE_COOKIE = "sxb_wx_state"
STATE_COOKIE_PATH = "/api/v1/wechat/"
STATE_SECONDS = 600
STATE_MESSAGE = "微信授权已过期或不是从本浏览器发起，请重新进入"


def _key(state: str) -> str:
    return f"wechat-oauth-state:{state}"


def redirect_checked(redirect: str, request: HttpRequest, *, field: str = "redirect") -> str:
    """``redirect`` if it is an absolute http(s) URL on this very host; else a 400 naming it.
    Refused: other hosts, user info (``http://host@evil.com/``), scheme-relative ``//evil.com``,
    ``javascript:`` and other schemes, backslashes, whitespace and control characters."""
    bad = ValidationFailed(fields={field: ["只能是本站的 http 或 https 地址"]})
    if not redirect or "\\" in redirect or any(ord(c) < 33 or ord(c) == 127 for c in redirect):
        raise bad
    try:
        parts = urlsplit(redirect)
        port = parts.port
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or parts.username is not None or parts.password is not None:
        raise bad
    host = request.get_host().lower()
    own_name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if (parts.hostname or "") != own_name:
        raise bad
    if port is not None and parts.netloc.lower() != host:
        raise bad  # the same name on another port is another origin
    return redirect


def state_issue(response: HttpResponseBase, request: HttpRequest) -> str:
    """A new state for one login: remembered for STATE_SECONDS and set as this browser's cookie."""
    state = secrets.token_urlsafe(24)
    cache.set(_key(state), 1, STATE_SECONDS)
    response.set_cookie(
        STATE_COOKIE, state, max_age=STATE_SECONDS, path=STATE_COOKIE_PATH, httponly=True,
        secure=request.is_secure(), samesite="Lax",
    )  # fmt: skip
    return state


def state_consume(request: HttpRequest, state: str) -> None:
    """The callback's ``state`` must be the one this browser was given, and unused; it is used up
    here (the cache delete answers whether it was still there, so two callbacks cannot both pass)."""
    cookie = request.COOKIES.get(STATE_COOKIE, "")
    if not state or not cookie or not constant_time_compare(cookie, state) or not cache.delete(_key(state)):
        raise ValidationFailed(STATE_MESSAGE, code="wechat_state_invalid", fields={"state": [STATE_MESSAGE]})


def state_forget(response: HttpResponseBase) -> None:
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH, samesite="Lax")
