"""The tenant's WeChat 公众号 through wechatpy: OAuth (code → openid), the JS-SDK signature, and
template messages. Access tokens and the jsapi ticket live in the Django cache, whose key function
(django_tenants.cache.make_key) puts the schema name in every key: one tenant's ticket is never
handed to another tenant's page."""

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.session import SessionStorage

from core.crypto import decrypt_text
from core.errors import StateConflict
from notices.models import WeChatSettings


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


def client(creds: Credentials | None = None) -> WeChatClient:
    creds = creds or credentials()
    return WeChatClient(creds.app_id, creds.app_secret, session=TenantCacheStorage())


def oauth(redirect_uri: str = "", state: str = "", creds: Credentials | None = None) -> WeChatOAuth:
    creds = creds or credentials()
    return WeChatOAuth(creds.app_id, creds.app_secret, redirect_uri, scope="snsapi_base", state=state)


def openid_for_code(code: str) -> str:
    """Exchange an OAuth code for the user's openid (raises wechatpy's WeChatOAuthException)."""
    result = oauth().fetch_access_token(code)
    return str(result["openid"])


def jsapi_signature(url: str) -> dict[str, Any]:
    creds = credentials()
    wechat = client(creds)
    ticket = wechat.jsapi.get_jsapi_ticket()
    nonce = secrets.token_hex(8)
    timestamp = int(time.time())
    signature = wechat.jsapi.get_jsapi_signature(nonce, ticket, timestamp, url)
    return {"app_id": creds.app_id, "timestamp": timestamp, "nonce_str": nonce, "signature": signature}


def template_send(*, openid: str, template_id: str, title: str, body: str, url: str = "") -> dict[str, Any]:
    data = {"first": {"value": title}, "keyword1": {"value": body}, "remark": {"value": ""}}
    result: dict[str, Any] = client().message.send_template(openid, template_id, data, url=url or None)
    return result
