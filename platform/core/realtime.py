"""Real-time push: one mechanism for the whole product (after-sales steps, notices, badges).

A service calls ``publish(channels, event, data)`` inside its transaction; after the commit each
message is appended to a Redis stream per channel (bounded, kept for a week). Open pages read their
streams over Server-Sent Events (``api/v1/realtime.py``) and, when the connection drops, resume
from their Last-Event-ID, so nothing published in between is lost.

Channels name their scope first, so a tenant's events live under its schema: ``datang:user:7`` is
user 7 on Datang's host, ``public:shop:3`` every staff member of shop 3. The server decides which
channels a connection reads (``channels_for``); a client cannot ask for another's.
"""

import json
from collections.abc import Iterable
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


@cache
def client() -> Any:  # redis-py's stubs type replies as unions of every shape
    return redis.Redis.from_url(settings.REDIS_URL)


def user_channel(user_id: int, schema: str | None = None) -> str:
    return f"{schema or current_schema_name()}:user:{user_id}"


def shop_channel(shop_id: int) -> str:
    return f"public:shop:{shop_id}"


def insurer_channel(insurer_id: int) -> str:
    return f"public:insurer:{insurer_id}"


def stream_key(channel: str) -> str:
    return f"{settings.REALTIME_KEY_PREFIX}:{channel}"


def _append(channels: list[str], message: str) -> None:
    pipe = client().pipeline(transaction=False)
    for channel in channels:
        key = stream_key(channel)
        pipe.xadd(key, {"m": message}, maxlen=STREAM_MAXLEN, approximate=True)
        pipe.expire(key, STREAM_TTL_SECONDS)
    pipe.execute()


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
    transaction.on_commit(lambda: _append(targets, message))


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
