"""Real-time push: one mechanism for the whole product (after-sales steps, notices, badges).

A service calls ``publish(channels, event, data)`` inside its transaction; after the commit each
message is appended to a Redis stream per channel (bounded, kept for a week). Open pages read their
streams over Server-Sent Events (``api/v1/realtime/views.py``) and, when the connection drops, resume
from their Last-Event-ID, so nothing published in between is lost.

Channels name their scope first, so a tenant's events live under its schema: ``datang:user:7`` is
user 7 on Datang's host, ``public:shop:3`` every staff member of shop 3. The server decides which
channels a connection reads (``channels_for``); a client cannot ask for another's.
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from core.tenancy import current_schema_name

STREAM_MAXLEN = 500
STREAM_TTL_SECONDS = 7 * 24 * 3600


def client_options() -> dict[str, Any]:
    """A stream's XREAD blocks up to a keepalive, longer than redis-py's default 5 s read timeout, and
    each open stream holds a connection, more than its default pool of 100: both are set here."""
    return {"socket_timeout": max(60.0, 2 * settings.REALTIME_KEEPALIVE_SECONDS), "max_connections": 100_000}


@cache
def client() -> Any:  # redis-py's stubs type replies as unions of every shape
    return redis.Redis.from_url(settings.REDIS_URL, **client_options())


def user_channel(user_id: int, schema: str | None = None) -> str:
    return f"{schema or current_schema_name()}:user:{user_id}"


def shop_channel(shop_id: int) -> str:
    return f"public:shop:{shop_id}"


def insurer_channel(insurer_id: int) -> str:
    return f"public:insurer:{insurer_id}"


def stream_key(channel: str) -> str:
    return f"{settings.REALTIME_KEY_PREFIX}:{channel}"


# XADD (MAXLEN ~) and EXPIRE on every stream key, in one command: one packed and parsed by redis-py
# rather than two per channel (issue 20: a step publishes on 3-5 channels).
_APPEND = """
for i = 1, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
return #KEYS
"""


@cache
def _append_script() -> Any:
    """Hashed once per process, run with EVALSHA (the source is loaded again if the server lost it)."""
    return client().register_script(_APPEND)


def _append(channels: list[str], message: str) -> None:
    keys = [stream_key(channel) for channel in channels]
    _append_script()(keys=keys, args=[message, STREAM_MAXLEN, STREAM_TTL_SECONDS], client=client())


def publish(channels: Iterable[str], event: str, data: dict[str, Any]) -> None:
    """Push ``event`` to every channel once the current transaction commits (never on rollback)."""
    targets = sorted({c for c in channels if c})
    if not targets:
        return
    message = json.dumps(
        {"event": event, "data": data, "at": timezone.now().isoformat()},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    # robust: the change is committed; a push Redis could not take is logged, not the request's 500
    transaction.on_commit(lambda: _append(targets, message), robust=True)


def recent(channel: str, count: int = 20) -> list[dict[str, Any]]:
    """The last ``count`` messages on ``channel``, oldest first (for tests and diagnostics)."""
    rows = client().xrevrange(stream_key(channel), count=count)
    return [json.loads(fields[b"m"]) for _, fields in reversed(rows)]


def positions(keys: list[str], last_event_id: str | None) -> dict[str, str]:
    """Where a connection starts reading each stream: after the ids encoded in ``last_event_id``
    (when it names exactly these streams), else after each stream's newest message."""
    if last_event_id:
        parts = last_event_id.split("_")
        if len(parts) == len(keys) and all(_is_stream_id(p) for p in parts):
            return dict(zip(keys, parts, strict=True))
    start: dict[str, str] = {}
    for key in keys:
        newest = client().xrevrange(key, count=1)
        start[key] = newest[0][0].decode() if newest else "0-0"
    return start


def event_id(keys: list[str], at: dict[str, str]) -> str:
    return "_".join(at[key] for key in keys)


def _is_stream_id(value: str) -> bool:
    ms, _, seq = value.partition("-")
    return ms.isdigit() and seq.isdigit()


# --- Open-stream caps --------------------------------------------------------------------------
# Every open stream holds a slot in two sorted sets: its user's and its host's (the tenant schema,
# or "public"). A slot is a lease: the member's score is when it expires (Redis server time, so the
# processes' clocks do not matter). The stream renews it at each keepalive and removes it when it
# ends; a connection whose process was killed stops renewing, and its slot is purged once the
# lease runs out. Admission purges, counts and adds in one script: concurrent opens cannot overshoot.

_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local lease = tonumber(ARGV[4])
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', t) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], t + lease, ARGV[1])
  redis.call('EXPIRE', KEYS[i], math.ceil(lease) + 1)
end
return 0
"""

_RENEW = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local lease = tonumber(ARGV[2])
local held = 1
for i = 1, 2 do
  local score = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if (not score) or tonumber(score) < t then held = 0 end
end
if held == 0 then
  for i = 1, 2 do redis.call('ZREM', KEYS[i], ARGV[1]) end
  return 0
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], 'XX', t + lease, ARGV[1])
  redis.call('EXPIRE', KEYS[i], math.ceil(lease) + 1)
end
return 1
"""

_RELEASE = "for i = 1, 2 do redis.call('ZREM', KEYS[i], ARGV[1]) end return 1"

SLOT_OK, SLOT_USER_FULL, SLOT_TENANT_FULL = 0, 1, 2


def slot_keys(user_id: int, schema: str) -> list[str]:
    prefix = settings.REALTIME_KEY_PREFIX
    # "~" never starts a channel (channels start with a schema name, a lowercase letter).
    return [f"{prefix}:~slots:user:{user_id}", f"{prefix}:~slots:host:{schema}"]


def slot_lease_seconds() -> float:
    """A slot outlives three missed keepalives, then it is free again."""
    return 3 * settings.REALTIME_KEEPALIVE_SECONDS


@dataclass
class Slot:
    """One open stream's place under the caps (see above). ``renew`` says whether it is still held."""

    keys: list[str]
    member: str = field(default_factory=lambda: uuid.uuid4().hex)

    def acquire(self) -> int:
        """SLOT_OK, or which cap is full (SLOT_USER_FULL, SLOT_TENANT_FULL)."""
        limits = (settings.REALTIME_MAX_STREAMS_PER_USER, settings.REALTIME_MAX_STREAMS_PER_TENANT)
        return int(client().eval(_ACQUIRE, 2, *self.keys, self.member, *limits, slot_lease_seconds()))

    def renew(self) -> bool:
        return bool(client().eval(_RENEW, 2, *self.keys, self.member, slot_lease_seconds()))

    def release(self) -> None:
        try:
            client().eval(_RELEASE, 2, *self.keys, self.member)
        except redis.RedisError:  # the lease frees it
            pass

    async def arenew(self, aclient: Any) -> bool:
        return bool(await aclient.eval(_RENEW, 2, *self.keys, self.member, slot_lease_seconds()))

    async def arelease(self, aclient: Any) -> None:
        try:
            await aclient.eval(_RELEASE, 2, *self.keys, self.member)
        except redis.RedisError:
            pass


def open_streams(key: str) -> int:
    """How many leases under one slot key are live now (for tests and diagnostics)."""
    now = client().time()
    return int(client().zcount(key, now[0] + now[1] / 1e6, "+inf"))
