"""The stream server: ``GET /api/v1/realtime/stream/`` (Server-Sent Events) under uvicorn, beside
gunicorn. An open stream here is a coroutine waiting on Redis, not a request thread, so a thousand
idle pages cost gunicorn nothing (docs/realtime.md has the figures).

    uvicorn config.asgi_realtime:application --port 8001      (infra/procs.py starts it)

It answers the one route, with the same rules as the Django view (``api.v1.realtime.views.admit``): the
Host header picks the tenant (``tenants.middleware.tenant_for_host``: unknown hosts 404, suspended
tenants 403), the ticket must be bound to that host and to a live token, and the server picks the
channels. The checks read the database in a small pool of threads (``REALTIME_ADMIT_THREADS``), so
the stream server holds at most that many database connections whatever the number of streams.
A client that goes away is noticed at once (``http.disconnect``) and its slot released.

Probes, on any host, as the web process answers them (config/health.py): ``GET /healthz`` the
process is alive (nothing else touched); ``GET /readyz`` Redis, which every stream reads, answers.
"""

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import config.paths  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import redis.asyncio as aredis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402
from django_tenants.utils import get_public_schema_name  # noqa: E402
from redis.exceptions import RedisError  # noqa: E402

from api.v1.realtime.views import Admission, Refusal, admit, sse_event, sse_opening  # noqa: E402
from core import realtime  # noqa: E402
from tenants.middleware import SUSPENDED_MESSAGES, tenant_for_host  # noqa: E402
from tenants.models import TenantStatus  # noqa: E402

STREAM_PATH = "/api/v1/realtime/stream/"
logger = logging.getLogger("realtime.server")
Scope = dict[str, Any]

_admit_pool = ThreadPoolExecutor(
    max_workers=int(os.environ.get("REALTIME_ADMIT_THREADS", "4")), thread_name_prefix="realtime-admit"
)
_redis: dict[int, Any] = {}


def _client() -> Any:
    """One asyncio Redis client (and pool) per event loop."""
    loop = id(asyncio.get_running_loop())
    if loop not in _redis:
        _redis[loop] = aredis.Redis.from_url(settings.REDIS_URL, **realtime.client_options())
    return _redis[loop]


def check(host: str, ticket: str, last_event_id: str | None) -> Admission | Refusal:
    """In a pool thread: the host's tenant, then the same admission as the Django view."""
    close_old_connections()  # as Django does per request: drop a broken or aged connection
    try:
        domain, _port = split_domain_port(host)
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            return Refusal(404, "not_found", "未找到")
        tenant = tenant_for_host(domain)
        if tenant is None:
            return Refusal(404, "not_found", "未找到")
        if tenant.status != TenantStatus.ACTIVE:
            message = SUSPENDED_MESSAGES.get(tenant.status, SUSPENDED_MESSAGES[TenantStatus.SUSPENDED])
            return Refusal(403, "tenant_suspended", message)
        public = tenant.schema_name == get_public_schema_name()
        return admit(
            tenant_id=None if public else int(tenant.pk),
            schema=tenant.schema_name,
            ticket=ticket,
            last_event_id=last_event_id,
        )
    except RedisError:
        return Refusal(503, "realtime_unavailable", "实时推送暂不可用，请稍后重试")


def _cors(host: str, origin: str | None) -> list[tuple[bytes, bytes]]:
    """Pages of the same host on another port (``make run``: the app on :8000, streams on :8001)
    may read the stream; the ticket in the URL is the credential, no cookie is involved."""
    if not origin:
        return []
    parts = urlsplit(origin)
    if parts.scheme in ("http", "https") and parts.hostname == split_domain_port(host)[0]:
        return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
    return [(b"vary", b"Origin")]


async def _json(send: Any, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    import json

    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _stream(receive: Any, send: Any, admitted: Admission, headers: list[tuple[bytes, bytes]]) -> None:
    keys, at, slot = admitted.keys, dict(admitted.start), admitted.slot
    redis = _client()
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": sse_opening().encode(), "more_body": True})
        deadline = time.monotonic() + settings.REALTIME_STREAM_SECONDS
        beat = settings.REALTIME_KEEPALIVE_SECONDS
        renewed = time.monotonic()
        while (left := deadline - time.monotonic()) > 0 and not gone.done():
            read = asyncio.ensure_future(
                redis.xread(dict(at), count=100, block=int(min(left, beat) * 1000) or 1)
            )
            await asyncio.wait({read, gone}, return_when=asyncio.FIRST_COMPLETED)
            if gone.done():
                read.cancel()
                break
            batches = read.result()
            if time.monotonic() - renewed >= beat:
                if not await slot.arenew(redis):
                    break  # the lease ran out: the browser reconnects and is admitted again
                renewed = time.monotonic()
            chunk = ""
            if not batches:
                chunk = ": keepalive\n\n"
            for key, messages in batches or []:
                name = key.decode()
                for message_id, fields in messages:
                    at[name] = message_id.decode()
                    chunk += sse_event(keys, at, fields[b"m"])
            await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})
    except (RedisError, OSError) as exc:  # the browser reconnects and resumes
        logger.warning("realtime stream ended early: %r", exc)
    finally:
        if not gone.done():
            try:  # end the response properly (the browser then reconnects after its retry delay)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:
                pass
        gone.cancel()
        await slot.arelease(redis)


async def _disconnected(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for client in _redis.values():
                await client.aclose()
            _admit_pool.shutdown(wait=False)
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _probe(send: Any, path: str) -> None:
    status = 200
    body: dict[str, Any] = {"status": "ok"}
    if path == "/readyz":
        try:
            await asyncio.wait_for(_client().ping(), timeout=5)
            status, body = 200, {"status": "ready", "checks": {"redis": "ok"}}
        except (RedisError, OSError, TimeoutError):
            logger.warning("realtime readiness: Redis does not answer")
            status, body = 503, {"status": "not ready", "checks": {"redis": "failed"}}
    await _json(send, status, body, [(b"cache-control", b"no-store")])


async def application(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    host = headers.get("host", "")
    cors = _cors(host, headers.get("origin"))
    if scope["path"] in ("/healthz", "/readyz") and scope["method"] in ("GET", "HEAD"):
        await _probe(send, scope["path"])
        return
    if scope["path"] != STREAM_PATH:
        await _json(send, 404, {"code": "not_found", "message": "未找到", "fields": {}}, cors)
        return
    if scope["method"] != "GET":
        body = {"code": "method_not_allowed", "message": "不支持此请求方法", "fields": {}}
        await _json(send, 405, body, [(b"allow", b"GET"), *cors])
        return
    query = parse_qs(scope["query_string"].decode("latin-1"))
    ticket = (query.get("ticket") or [""])[0]
    last_event_id = headers.get("last-event-id") or (query.get("last_id") or [None])[0]
    loop = asyncio.get_running_loop()
    admitted = await loop.run_in_executor(_admit_pool, check, host, ticket, last_event_id)
    if isinstance(admitted, Refusal):
        extra = [(name.lower().encode(), value.encode()) for name, value in admitted.headers.items()]
        await _json(send, admitted.status, admitted.body(), [*extra, *cors])
        return
    await _stream(receive, send, admitted, cors)
