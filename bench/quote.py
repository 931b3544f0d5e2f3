#!/usr/bin/env python
"""Quick quote latency: p50/p95 of a 6-insurer quick quote (POST /api/v1/rating/ for a demo car with
交强险 + 车船税 + 车损险 + 三者险 100万 + 司机/乘客座位险) through the whole stack (host routing, token
auth, DRF, rating, serialisation) versus the trivial GET /api/v1/me/ with the same token, in one
process over the WSGI interface, single requests interleaved, against the configured PostgreSQL.
Prints both distributions and the ratios. Targets: quote p95 under 50 ms and under 5x /me/'s.

    .venv/bin/python bench/quote.py [--rounds 7] [--requests 200]
"""

import argparse
import io
import json
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

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import auth_token_issue  # noqa: E402
from customers.models import Vehicle  # noqa: E402
from tenants.models import Tenant  # noqa: E402

PLATE = "粤B2088Z"  # the brochure customer "long"'s car, seeded by seed_demo


def environ(token: str, method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "datang.localhost",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "datang.localhost:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "_body": body,
    }


def call(handler: WSGIHandler, env: dict[str, Any]) -> bytes:
    status: list[str] = []

    def start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(status_line)
        return lambda data: None

    request = dict(env, **{"wsgi.input": io.BytesIO(env["_body"])})
    body = b"".join(handler(request, start_response))
    if not status or not status[0].startswith("200"):
        raise SystemExit(f"unexpected answer {status} {body[:300]!r}")
    return body


def latencies(handler: WSGIHandler, env: dict[str, Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call(handler, env)
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(schema_name="datang")
    admin = User.objects.get(mobile="13800001001")
    token = auth_token_issue(user=admin, tenant_id=tenant.pk, second_factor=True).token
    with tenant_context(tenant):
        vehicle = Vehicle.objects.get(plate=PLATE)
    quote = {
        "vehicle_id": vehicle.pk,
        "history": {"ctpl_class": "A2", "claim_free_years": 2},
        "coverages": {
            "ctpl": True,
            "vehicle_tax": True,
            "commercial": [
                {"code": "own_damage"},
                {"code": "third_party", "limit": "1000000"},
                {"code": "driver_liability", "seats": 1, "limit_per_seat": "10000"},
                {"code": "passenger_liability", "seats": 4, "limit_per_seat": "10000"},
            ],
        },
    }
    rating_env = environ(token, "POST", "/api/v1/rating/", json.dumps(quote).encode())
    me_env = environ(token, "GET", "/api/v1/me/")
    handler = WSGIHandler()

    answer = json.loads(call(handler, rating_env))
    options = answer["options"]
    assert len(options) == 6 and all(o["available"] for o in options), "six priced options expected"
    print("options: " + ", ".join(f"{o['insurer']['short_name']} {o['total']}" for o in options))
    for name, env in (("rating", rating_env), ("me", me_env)):
        call(handler, env)
        with CaptureQueriesContext(connection) as queries:
            call(handler, env)
        print(f"{name:>7}: {len(queries)} SQL statements per request (steady state)")

    latencies(handler, rating_env, args.requests // 4)  # warm-up
    latencies(handler, me_env, args.requests // 4)
    rating: list[float] = []
    me: list[float] = []
    for _ in range(args.rounds):  # single requests interleaved, in alternating order
        for i in range(args.requests):
            order = [(rating_env, rating), (me_env, me)]
            for env, sink in order[::-1] if i % 2 else order:
                sink.extend(latencies(handler, env, 1))

    print(f"rounds={args.rounds} requests/round={args.requests} each (datang.localhost, tenant admin token)")
    for name, values in (("POST /api/v1/rating/", rating), ("GET /api/v1/me/", me)):
        print(f"{name:>22}: p50 {pct(values, 50):6.2f} ms  p95 {pct(values, 95):6.2f} ms  n={len(values)}")
    p95_ratio = pct(rating, 95) / pct(me, 95)
    p50_ratio = pct(rating, 50) / pct(me, 50)
    print(f"ratio rating/me: p50 {p50_ratio:.2f}x  p95 {p95_ratio:.2f}x  (target: p95 < 50 ms and < 5x)")
    machine.result(
        bench="quote",
        figure=f"rating p95 {pct(rating, 95):.1f} ms (p50 {pct(rating, 50):.1f} ms, {p50_ratio:.2f}x)",
        baseline=f"/me/ p95 {pct(me, 95):.1f} ms (p50 {pct(me, 50):.1f} ms)",
        ratio=round(p95_ratio, 3),
        goal="p95 < 5x and < 50 ms",
        met=p95_ratio < 5 and pct(rating, 95) < 50,
    )


if __name__ == "__main__":
    machine.run(main)
