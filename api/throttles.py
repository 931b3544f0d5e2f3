from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from core.validators import normalize_mobile


class MobileAndIpThrottle(SimpleRateThrottle):
    """Counts attempts per (mobile, client IP) in the tenant's cache namespace (the cache key
    function adds the schema), so guessing one account's password is slowed down everywhere."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        mobile = normalize_mobile(str(request.data.get("mobile", ""))) if hasattr(request, "data") else ""
        return f"throttle:{self.scope}:{mobile}:{self.get_ident(request)}"


class LoginThrottle(MobileAndIpThrottle):
    scope = "login"


class SmsSendThrottle(MobileAndIpThrottle):
    scope = "sms_send"
