"""Request ids and structured logs.

Every request gets an id: the caller's ``X-Request-ID`` when it is a sane token (a proxy or a client
correlating), else a new one; it is sent back in ``X-Request-ID`` and carried by every log record
written while the request runs. Outside development, logs are one JSON object per line with the
time, level, logger, message, request id and tenant (the schema the connection is on), and one line
per request (method, path without the query string, status, duration, tenant).
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="")

SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "host")
access_log = logging.getLogger("suxinbao.request")


def _current_schema() -> str:
    from django.db import connection

    return str(getattr(connection, "schema_name", "") or "")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``tenant`` to every record (kept when the caller set them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        if not getattr(record, "tenant", ""):
            try:
                record.tenant = _current_schema()
            except Exception:  # settings not ready (a process starting): no tenant
                record.tenant = ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "tenant": getattr(record, "tenant", "") or None,
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """First in the chain: the id exists before routing, so even a 404 for an unknown host has one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
        # Kept until the response is closed (request_finished), not reset on the way out: Django
        # logs a 4xx/5xx (django.request) after the middleware chain has returned.
        request_id.set(rid)
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        tenant = getattr(request, "tenant", None)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,  # never the query string: it can carry a ticket
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "host": request.META.get("HTTP_HOST", ""),
                "tenant": getattr(tenant, "schema_name", "") or "-",
                "request_id": rid,
            },
        )
        return response


@receiver(request_finished)
def _forget_request_id(**_: Any) -> None:
    request_id.set("")
