from typing import Any

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from core.clients import client_ip
from core.validators import normalize_mobile


def _mobile(request: Any) -> str:
    data = getattr(request, "data", None)
    return normalize_mobile(str(data.get("mobile", ""))) if isinstance(data, dict) else ""


class ClientIpThrottle(SimpleRateThrottle):
    """Identifies the client by core.clients.client_ip: X-Forwarded-For is believed only through
    settings.TRUSTED_PROXIES, never as the client sends it."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"


class MobileAndIpThrottle(ClientIpThrottle):
    """Counts attempts per (mobile, client IP) in the tenant's cache namespace (the cache key
    function adds the schema), so guessing one account's password is slowed down everywhere."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return f"throttle:{self.scope}:{_mobile(request)}:{self.get_ident(request)}"


class LoginThrottle(MobileAndIpThrottle):
    scope = "login"


class SmsSendThrottle(MobileAndIpThrottle):
    scope = "sms_send"


class AcrossHostsThrottle(ClientIpThrottle):
    """Counted once for every host (the ``global`` cache carries no schema): trying an account on
    each tenant's host in turn does not multiply the attempts."""

    cache = caches["global"]


class LoginAccountThrottle(AcrossHostsThrottle):
    """Logins per mobile, whatever the host and the address."""

    scope = "login_account"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        mobile = _mobile(request)
        return f"throttle:{self.scope}:{mobile}" if mobile else None


class SmsSendMobileThrottle(AcrossHostsThrottle):
    """Codes sent to one mobile from any host and address (SMS pumping)."""

    scope = "sms_send_mobile"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        mobile = _mobile(request)
        return f"throttle:{self.scope}:{mobile}" if mobile else None


class SmsSendIpThrottle(AcrossHostsThrottle):
    """Codes asked for by one client address, to any mobile on any host (SMS pumping)."""

    scope = "sms_send_ip"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return f"throttle:{self.scope}:{self.get_ident(request)}"


LOGIN_THROTTLES = [LoginThrottle, LoginAccountThrottle]
SMS_SEND_THROTTLES = [SmsSendThrottle, SmsSendMobileThrottle, SmsSendIpThrottle]
