"""Server-Sent Events: an open page asks for a ticket (with its bearer token), then reads
``text/event-stream`` from the stream URL (EventSource cannot send headers). The ticket is signed,
bound to the token and the host; the server picks the channels from who the user is on this host."""

import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from redis.exceptions import RedisError
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AuthToken, Role
from api.auth import scope_tenant_id
from core import realtime
from directory.models import InsurerStaff, ShopStaff

TICKET_SALT = "realtime.ticket"
TICKET_MAX_AGE = 12 * 3600


class TicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    url = serializers.CharField()


class RealtimeTicketView(APIView):
    @extend_schema(request=None, responses=TicketSerializer, operation_id="realtime_ticket")
    def post(self, request: Request) -> Response:
        token = request.auth
        assert isinstance(token, AuthToken)
        ticket = signing.dumps(
            {"u": request.user.pk, "t": scope_tenant_id(request) or 0, "k": token.pk},
            key=settings.REALTIME_TICKET_KEY,
            salt=TICKET_SALT,
        )
        return Response({"ticket": ticket, "url": f"/api/v1/realtime/stream/?ticket={ticket}"})


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


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)


@require_GET
def realtime_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        claims: dict[str, Any] = signing.loads(
            request.GET.get("ticket", ""),
            key=settings.REALTIME_TICKET_KEY,
            salt=TICKET_SALT,
            max_age=TICKET_MAX_AGE,
        )
    except signing.BadSignature:
        return _refuse(401, "ticket_invalid", "实时连接凭证无效或已过期")
    tenant_id = scope_tenant_id(request)
    if claims.get("t") != (tenant_id or 0):
        return _refuse(401, "token_wrong_scope", "此凭证不属于当前站点")
    alive = AuthToken.objects.filter(
        pk=int(claims.get("k") or 0),
        user_id=int(claims.get("u") or 0),
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
    if not alive:
        return _refuse(401, "token_invalid", "登录已失效，请重新登录")
    keys = [
        realtime.stream_key(c)
        for c in channels_for(user_id=claims["u"], tenant_id=tenant_id, schema=connection.schema_name)  # type: ignore[attr-defined]
    ]
    start = realtime.positions(keys, request.headers.get("Last-Event-ID") or request.GET.get("last_id"))
    # The stream never touches the database: give the connection back before holding the socket.
    if not connection.in_atomic_block:  # (a test's transaction keeps it)
        connection.close()
    response = StreamingHttpResponse(_events(keys, start), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _events(keys: list[str], at: dict[str, str]) -> Iterator[str]:
    deadline = time.monotonic() + settings.REALTIME_STREAM_SECONDS
    yield f"retry: {settings.REALTIME_RETRY_MS}\n: connected\n\n"
    redis = realtime.client()
    while (left := deadline - time.monotonic()) > 0:
        try:
            batches = redis.xread(dict(at), count=100, block=int(min(left, 15) * 1000) or 1)
        except RedisError:
            return  # Redis went away: end the stream; the browser reconnects and resumes

        if not batches:
            yield ": keepalive\n\n"
            continue
        for key, messages in batches:
            name = key.decode()
            for message_id, fields in messages:
                at[name] = message_id.decode()
                yield f"id: {realtime.event_id(keys, at)}\ndata: {fields[b'm'].decode()}\n\n"
