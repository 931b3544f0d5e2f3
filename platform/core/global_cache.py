"""Rows read on a hot path, kept in the global cache (no schema in the key: callers key by a
public-schema id) for a short while and dropped when they change. One read-through and one forget,
used by the read-only check of every write (the tenant's subscription) and by the service-order
steps (the tenant's staff)."""

from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.db import transaction

_NONE = "global-cache:none"  # a cached "nothing found" (the cache's own None means "not cached")


def read_through(key: str, seconds: float, read: Callable[[], Any]) -> Any:
    """The value under ``key``, else ``read()`` kept there for ``seconds`` (None included)."""
    cache = caches["global"]
    found = cache.get(key)
    if found is not None:
        return None if found == _NONE else found
    value = read()
    cache.set(key, _NONE if value is None else value, seconds)
    return value


def forget(key: str) -> None:
    """What ``key`` holds changed: drop it now, and again after the commit (a reader that filled it
    from the old rows meanwhile does not keep them)."""
    caches["global"].delete(key)
    transaction.on_commit(lambda: caches["global"].delete(key))
