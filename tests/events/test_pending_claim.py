"""The pending claim (issue 20): a commit adds its kinds to the schema's pending set (kept ten flag
TTLs) and learns whether it set the pending flag (kept one TTL), in one Redis command; Redis
unreachable counts as "set" (publish rather than wait)."""

import redis

from core.events import _pending_claim, _pending_keys
from core.realtime import client


def test_the_first_claim_sets_the_flag_and_every_claim_adds_its_kinds(settings) -> None:
    settings.EVENTS_QUEUE, settings.EVENTS_PENDING_TTL_SECONDS = "test-claim", 40
    flag, kinds_key = _pending_keys("bowei")
    client().delete(flag, kinds_key)
    try:
        assert _pending_claim("bowei", ["service_order.started"]) is True
        assert _pending_claim("bowei", ["service_order.completed", "service_order.started"]) is False
        assert _pending_claim("bowei", []) is False
        assert client().smembers(kinds_key) == {b"service_order.started", b"service_order.completed"}
        assert client().get(flag) == b"1"
        assert 35 <= client().ttl(flag) <= 40 and 395 <= client().ttl(kinds_key) <= 400
        client().delete(flag)
        assert _pending_claim("bowei", []) is True  # no kinds: the flag alone
        assert client().scard(kinds_key) == 2
    finally:
        client().delete(flag, kinds_key)


def test_redis_unreachable_counts_as_a_claim(settings, monkeypatch) -> None:
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr("core.realtime.client", lambda: down)
    assert _pending_claim("bowei", ["service_order.started"]) is True
