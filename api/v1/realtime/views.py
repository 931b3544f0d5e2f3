"""Server-Sent Events: an open page asks for a ticket (with its bearer token), then reads
``text/event-stream`` from the stream URL (EventSource cannot send headers). The ticket is signed,
bound to the token and the host; the server picks the channels from who the user is on this host."""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.request import split_domain_port
from django.utils import timezone
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from redis.exceptions import RedisError
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import AuthToken, Role
from api.auth import scope_tenant_id
from api.roles import SIGNED_IN
from api.views import ApiView
from core import realtime
from directory.models import InsurerStaff, ShopStaff

TICKET_SALT = "realtime.ticket"
TICKET_MAX_AGE = 12 * 3600


class TicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    url = serializers.CharField()


class RealtimeTicketView(ApiView):
    allowed_roles = SIGNED_IN

    @extend_schema(request=None, responses=TicketSerializer, operation_id="realtime_ticket")
    def post(self, request: Request) -> Response:
        token = request.auth
        assert isinstance(token, AuthToken)
        ticket = signing.dumps(
            {"u": request.user.pk, "t": scope_tenant_id(request) or 0, "k": token.pk},
            key=settings.REALTIME_TICKET_KEY,
            salt=TICKET_SALT,
        )
        return Response({"ticket": ticket, "url": stream_url(request, ticket)})


def stream_url(request: HttpRequest, ticket: str) -> str:
    """Same origin (the Django view, or the stream server behind the reverse proxy), or the
    stream server's own port on this host (REALTIME_STREAM_PORT, as ``make run`` does)."""
    path = f"/api/v1/realtime/stream/?ticket={ticket}"
    port = settings.REALTIME_STREAM_PORT
    if not port:
        return path
    hostname, _ = split_domain_port(request.get_host())
    return f"{request.scheme}://{hostname}:{port}{path}"


def channels_for(*, user_id: int, tenant_id: int | None, schema: str) -> list[str]:
    channels = [realtime.user_channel(user_id, schema)]
    if tenant_id is None:  # shop and insurer staff work on the public host
        shops = ShopStaff.objects.filter(user_id=user_id, user__memberships__role=Role.SHOP_STAFF)
        insurers = InsurerStaff.objects.filter(user_id=user_id, user__memberships__role=Role.INSURER_STAFF)
        channels += [realtime.shop_channel(pk) for pk in shops.values_list("shop_id", flat=True).distinct()]
        channels += [
            realtime.insurer_channel(pk) for pk in insurers.values_list("insurer_id", flat=True).distinct()
        ]
    return channels


@dataclass
class Refusal:
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": {}}


@dataclass
class Admission:
    keys: list[str]
    start: dict[str, str]
    slot: realtime.Slot


def admit(
    *, tenant_id: int | None, schema: str, ticket: str, last_event_id: str | None
) -> Admission | Refusal:
    """Check a stream request (its ticket on this host, its token still alive, a free slot under the
    caps) and say where it starts reading. Used by the Django view and by the stream server
    (``config/asgi_realtime.py``); only the public schema's tables are read."""
    try:
        claims: dict[str, Any] = signing.loads(
            ticket, key=settings.REALTIME_TICKET_KEY, salt=TICKET_SALT, max_age=TICKET_MAX_AGE
        )
    except signing.BadSignature:
        return Refusal(401, "ticket_invalid", "实时连接凭证无效或已过期")
    if claims.get("t") != (tenant_id or 0):
        return Refusal(401, "token_wrong_scope", "此凭证不属于当前站点")
    user_id = int(claims.get("u") or 0)
    alive = AuthToken.objects.filter(
        pk=int(claims.get("k") or 0),
        user_id=user_id,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
    if not alive:
        return Refusal(401, "token_invalid", "登录已失效，请重新登录")
    keys = [realtime.stream_key(c) for c in channels_for(user_id=user_id, tenant_id=tenant_id, schema=schema)]
    start = realtime.positions(keys, last_event_id)
    slot = realtime.Slot(realtime.slot_keys(user_id, schema))
    full = slot.acquire()
    retry = {"Retry-After": str(int(settings.REALTIME_KEEPALIVE_SECONDS))}
    if full == realtime.SLOT_USER_FULL:
        limit = settings.REALTIME_MAX_STREAMS_PER_USER
        return Refusal(
            429, "too_many_streams", f"此账号打开的实时连接已达 {limit} 个，请关闭其他页面后重试", retry
        )
    if full == realtime.SLOT_TENANT_FULL:
        return Refusal(429, "site_streams_full", "本站实时连接已满，请稍后重试", retry)
    return Admission(keys, start, slot)


@require_GET
def realtime_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        admitted = admit(
            tenant_id=scope_tenant_id(request),
            schema=connection.schema_name,  # type: ignore[attr-defined]
            ticket=request.GET.get("ticket", ""),
            last_event_id=request.headers.get("Last-Event-ID") or request.GET.get("last_id"),
        )
    except RedisError:
        return JsonResponse(
            {"code": "realtime_unavailable", "message": "实时推送暂不可用，请稍后重试", "fields": {}},
            status=503,
        )
    if isinstance(admitted, Refusal):
        refused = JsonResponse(
            admitted.body(), status=admitted.status, json_dumps_params={"ensure_ascii": False}
        )
        for name, value in admitted.headers.items():
            refused[name] = value
        return refused
    # The stream never touches the database: give the connection back before holding the socket.
    if not connection.in_atomic_block:  # (a test's transaction keeps it)
        connection.close()
    response = StreamingHttpResponse(
        _events(admitted.keys, admitted.start, admitted.slot), content_type="text/event-stream"
    )
    # Released when the server closes the response, even if the stream was never read.
    response._resource_closers.append(admitted.slot.release)  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def sse_event(keys: list[str], at: dict[str, str], message: bytes) -> str:
    return f"id: {realtime.event_id(keys, at)}\ndata: {message.decode()}\n\n"


def sse_opening() -> str:
    return f"retry: {settings.REALTIME_RETRY_MS}\n: connected\n\n"


def _events(keys: list[str], at: dict[str, str], slot: realtime.Slot) -> Iterator[str]:
    deadline = time.monotonic() + settings.REALTIME_STREAM_SECONDS
    beat = settings.REALTIME_KEEPALIVE_SECONDS
    renewed = time.monotonic()
    yield sse_opening()
    redis = realtime.client()
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                batches = redis.xread(dict(at), count=100, block=int(min(left, beat) * 1000) or 1)
                if time.monotonic() - renewed >= beat:
                    if not slot.renew():
                        return  # the lease ran out (a stalled process): reconnect and queue again
                    renewed = time.monotonic()
            except RedisError:
                return  # Redis went away: end the stream; the browser reconnects and resumes

            if not batches:
                yield ": keepalive\n\n"
                continue
            for key, messages in batches:
                name = key.decode()
                for message_id, fields in messages:
                    at[name] = message_id.decode()
                    yield sse_event(keys, at, fields[b"m"])
    finally:
        slot.release()
