"""The tenant's WeChat 公众号 through wechatpy: OAuth (code → openid), the JS-SDK signature, and
template messages. Access tokens and the jsapi ticket live in the Django cache, whose key function
(django_tenants.cache.make_key) puts the schema name in every key: one tenant's ticket is never
handed to another tenant's page."""

import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.core.cache import cache
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from core.crypto import decrypt_text
from core.errors import StateConflict, UpstreamUnavailable
from core.models import WeChatSettings


class TenantCacheStorage(SessionStorage):
    """wechatpy's session storage on the Django cache (so per tenant, shared by every worker)."""

    def get(self, key: str, default: Any = None) -> Any:
        return cache.get(f"wechat:{key}", default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        cache.set(f"wechat:{key}", value, timeout=ttl)

    def delete(self, key: str) -> None:
        cache.delete(f"wechat:{key}")


@dataclass(frozen=True)
class Credentials:
    app_id: str
    app_secret: str
    template_ids: dict[str, str]


def credentials() -> Credentials:
    """The 公众号 of the current tenant; a 409 when the admin has not set it up."""
    row = WeChatSettings.objects.first()
    if row is None or not row.enabled or not row.app_id or not row.app_secret_cipher:
        raise StateConflict("本公司尚未配置微信公众号", code="wechat_not_configured")
    return Credentials(row.app_id, decrypt_text(row.app_secret_cipher), dict(row.template_ids or {}))


# Seconds to wait for WeChat: a login or page waits on it, so a hung connection must not hold a worker.
WECHAT_TIMEOUT = 10


class _TimeoutSession(requests.Session):
    """wechatpy's OAuth client sends its requests without a timeout."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", WECHAT_TIMEOUT)
        return super().request(*args, **kwargs)


def client(creds: Credentials | None = None) -> WeChatClient:
    creds = creds or credentials()
    return WeChatClient(creds.app_id, creds.app_secret, session=TenantCacheStorage(), timeout=WECHAT_TIMEOUT)


def oauth(redirect_uri: str = "", state: str = "", creds: Credentials | None = None) -> WeChatOAuth:
    creds = creds or credentials()
    result = WeChatOAuth(creds.app_id, creds.app_secret, redirect_uri, scope="snsapi_base", state=state)
    result._http = _TimeoutSession()
    return result


# WeChat's "system busy, try later" (errcode -1); no errcode at all means no JSON answer came back
# (unreachable, timed out, an HTTP error page): either way WeChat, not the caller, is at fault.
WECHAT_BUSY = -1


def unreachable() -> UpstreamUnavailable:
    return UpstreamUnavailable("微信服务暂时无法连接，请稍后再试", code="wechat_unavailable")


def raise_if_unreachable(exc: WeChatClientException) -> None:
    """A 502 in the error shape when WeChat could not be reached or was busy (the caller's code,
    app id or secret are not what failed)."""
    if exc.errcode is None or exc.errcode == WECHAT_BUSY:
        raise unreachable() from exc


def openid_for_code(code: str) -> str:
    """Exchange an OAuth code for the user's openid (raises wechatpy's WeChatOAuthException)."""
    try:
        result = oauth().fetch_access_token(code)
    except (requests.RequestException, ValueError) as exc:  # unreachable, or not JSON
        raise unreachable() from exc
    return str(result["openid"])


def jsapi_signature(url: str) -> dict[str, Any]:
    creds = credentials()
    wechat = client(creds)
    try:
        ticket = wechat.jsapi.get_jsapi_ticket()
    except (requests.RequestException, ValueError) as exc:
        raise unreachable() from exc
    except WeChatClientException as exc:
        raise_if_unreachable(exc)
        raise UpstreamUnavailable(
            f"微信拒绝签发 JS-SDK 凭证：{exc.errmsg}（请检查公众号设置）", code="wechat_rejected"
        ) from exc
    nonce = secrets.token_hex(8)
    timestamp = int(time.time())
    signature = wechat.jsapi.get_jsapi_signature(nonce, ticket, timestamp, url)
    return {"app_id": creds.app_id, "timestamp": timestamp, "nonce_str": nonce, "signature": signature}


def template_send(*, openid: str, template_id: str, title: str, body: str, url: str = "") -> dict[str, Any]:
    data = {"first": {"value": title}, "keyword1": {"value": body}, "remark": {"value": ""}}
    result: dict[str, Any] = client().message.send_template(openid, template_id, data, url=url or None)
    return result
