"""Every throttle of the API, counted atomically in Redis.

DRF's SimpleRateThrottle reads the history from the cache, then writes it back: requests that
arrive together all read the same short history and all pass (20 photos at once by one agent got
17 through a limit of 10). AtomicRateThrottle keeps the same sliding window (a sorted set of
request times per key) but trims, counts and adds in one Lua script, so Redis runs each check as
one step: exactly the limit passes. Keys go through the cache's own key function, so the tenant's
schema and the prefix stay in them as before (``caches["global"]`` has no schema)."""

import math
import uuid
from typing import Any

from django.core.cache import caches
from django_redis import get_redis_connection
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from core.clients import client_ip
from core.validators import normalize_mobile


def _mobile(request: Any) -> str:
    data = getattr(request, "data", None)
    return normalize_mobile(str(data.get("mobile", ""))) if isinstance(data, dict) else ""


# KEYS[1] the counter; ARGV: window (microseconds), limit, a unique member. Time is Redis's own
# (every web process agrees on it). Answers {1, 0} when allowed, {0, microseconds to wait} if not.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, window - (now - tonumber(oldest[2]))}
"""


class AtomicRateThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's rates, scopes and keys; the check is one atomic step in Redis."""

    cache_alias = "default"

    def allow_request(self, request: Any, view: Any) -> bool:
        self._wait: float | None = None
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        limit, duration = self.parse_rate(self.rate)
        assert limit is not None and duration is not None
        redis = get_redis_connection(self.cache_alias)
        allowed, wait_us = redis.eval(
            _SLIDING_WINDOW,
            1,
            caches[self.cache_alias].make_key(key),
            duration * 1_000_000,
            limit,
            uuid.uuid4().hex,
        )
        if allowed:
            return True
        self._wait = max(1, math.ceil(int(wait_us) / 1_000_000))  # Retry-After: whole seconds, never 0
        return False

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class ClientIpThrottle(AtomicRateThrottle):
    """Identifies the client by core.clients.client_ip: X-Forwarded-For is believed only through
    settings.TRUSTED_PROXIES, never as the client sends it."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"


class UserThrottle(ClientIpThrottle, UserRateThrottle):
    """Per signed-in user (per real client address when anonymous), in the tenant's namespace."""


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

    cache_alias = "global"


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
