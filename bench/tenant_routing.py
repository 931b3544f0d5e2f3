#!/usr/bin/env python
"""Tenant routing overhead: requests/second of an authenticated tenant endpoint (GET /api/v1/me/ on
datang.localhost with an agent's token) through the real middleware stack, versus the same view
with the host routing replaced by a middleware that pins the tenant (no host lookup, no schema
switch). Both run in one process, single requests interleaved, over the WSGI interface, against the
configured PostgreSQL. Prints the median of the rounds' ratios; the target is an overhead under 10%.

    make bench            (or: .venv/bin/python bench/tenant_routing.py --rounds 9 --requests 500)
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401
from bench import machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import auth_token_issue  # noqa: E402
from tenants.models import Tenant  # noqa: E402

PINNED: dict[str, Any] = {}


class PinnedTenantMiddleware:
    """The baseline: the tenant is known in advance; nothing is looked up or switched per request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.tenant = PINNED["tenant"]
        return self.get_response(request)


def environ(token: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/me/",
        "QUERY_STRING": "",
        "SERVER_NAME": "datang.localhost",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "datang.localhost:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def call(handler: WSGIHandler, env: dict[str, Any]) -> bytes:
    status: list[str] = []

    def start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(status_line)
        return lambda data: None

    body = b"".join(handler(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response))
    if not status or not status[0].startswith("200"):
        raise SystemExit(f"unexpected answer {status} {body[:200]!r}")
    return body


def rps(handler: WSGIHandler, env: dict[str, Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call(handler, env)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(schema_name="datang")
    agent = User.objects.get(mobile="13800001011")
    token = auth_token_issue(user=agent, tenant_id=tenant.pk).token
    env = environ(token)

    routed = WSGIHandler()
    pinned_stack = ["bench.tenant_routing.PinnedTenantMiddleware"] + [
        m for m in settings.MIDDLEWARE if m != "tenants.middleware.TenantRoutingMiddleware"
    ]
    stock_stack = [
        "django_tenants.middleware.main.TenantMainMiddleware"
        if m == "tenants.middleware.TenantRoutingMiddleware"
        else m
        for m in settings.MIDDLEWARE
    ]
    with override_settings(MIDDLEWARE=pinned_stack):
        pinned = WSGIHandler()
    with override_settings(MIDDLEWARE=stock_stack):
        stock = WSGIHandler()
    # The middleware is imported by its dotted path, i.e. from bench.tenant_routing, not __main__.
    import bench.tenant_routing as as_imported

    as_imported.PINNED["tenant"] = tenant
    connection.set_tenant(tenant)  # type: ignore[attr-defined]

    assert call(routed, env) == call(pinned, env), "both stacks must give the same answer"
    assert "王海峰".encode() in call(routed, env)
    for name, handler in (("routed", routed), ("pinned", pinned), ("stock", stock)):
        call(handler, env)
        with CaptureQueriesContext(connection) as queries:
            call(handler, env)
        print(f"{name:>7}: {len(queries)} SQL statements per request (steady state)")

    for handler in (routed, pinned, stock):  # warm-up
        rps(handler, env, args.requests // 4)
    ratios: list[float] = []
    stock_ratios: list[float] = []
    routed_rps: list[float] = []
    pinned_rps: list[float] = []
    stock_rps: list[float] = []
    handlers = [routed, pinned, stock]
    for _ in range(args.rounds):
        # Single requests interleaved (routed, pinned, stock, then the next order...), so a burst of
        # load from elsewhere falls on all three alike instead of on one block of requests.
        spent = [0.0, 0.0, 0.0]
        for i in range(args.requests):
            for k in range(3):
                which = (i + k) % 3
                start = time.perf_counter()
                call(handlers[which], env)
                spent[which] += time.perf_counter() - start
        routed_rps.append(args.requests / spent[0])
        pinned_rps.append(args.requests / spent[1])
        stock_rps.append(args.requests / spent[2])
        ratios.append(routed_rps[-1] / pinned_rps[-1])
        stock_ratios.append(stock_rps[-1] / pinned_rps[-1])

    median_ratio = statistics.median(ratios)
    overhead = 1 - median_ratio
    print(
        f"rounds={args.rounds} requests/round={args.requests} each, single requests interleaved "
        "(GET /api/v1/me/, agent token, datang.localhost)"
    )
    print(f" routed: median {statistics.median(routed_rps):8.1f} req/s")
    print(f" pinned: median {statistics.median(pinned_rps):8.1f} req/s  (baseline: no tenant routing)")
    print(
        f"  stock: median {statistics.median(stock_rps):8.1f} req/s  (django-tenants' own middleware, for reference)"
    )
    print(f"ratio stock/pinned:  median of rounds {statistics.median(stock_ratios):.3f}")
    print(f"ratio routed/pinned: median of rounds {median_ratio:.3f}")
    print(f"routing overhead: {100 * overhead:.1f}% (median of rounds; target < 10%)")
    machine.result(
        bench="tenant_routing",
        figure=f"routed {statistics.median(routed_rps):.0f} req/s",
        baseline=f"pinned {statistics.median(pinned_rps):.0f} req/s",
        ratio=round(median_ratio, 3),
        goal="req/s ratio > 0.90 (overhead < 10%)",
        met=overhead < 0.10,
    )


if __name__ == "__main__":
    machine.run(main)
