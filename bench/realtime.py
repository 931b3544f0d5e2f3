#!/usr/bin/env python
"""Open realtime streams must not slow the requests of others: p95 of GET /api/v1/me/ (20 clients,
an agent's token on datang.localhost) while 1,000 streams are open, against the same 20 clients
with no stream open, in the same run (baseline phases before and after). Goal: within 1.5x.

The servers are the ones `make run` starts: gunicorn (3 workers x 16 threads, gthread) for the
requests, and the stream server (config/asgi_realtime.py under uvicorn) for the streams. The streams
are idle EventSource-like clients: they hold their connection, read keepalives, and reconnect with
the same ticket when the server ends a stream (REALTIME_STREAM_SECONDS). The caps are raised for the
run (one owner holds all the streams): this measures what open streams cost, not the caps.

``--streams-on gunicorn`` opens the streams on gunicorn's own view instead (the old way): with more
streams than its 48 threads, /me/ waits for a stream to end (the starvation of issue 18, item 9).

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/realtime.py [--streams 1000] [--allow-busy]
"""

import argparse
import asyncio
import io
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import config.paths  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_DEV_SECRETS", "true")
# The servers started below inherit these: one owner holds every stream (see the docstring).
os.environ["REALTIME_MAX_STREAMS_PER_USER"] = "100000"
os.environ["REALTIME_MAX_STREAMS_PER_TENANT"] = "100000"
os.environ["REALTIME_KEY_PREFIX"] = "bench-realtime"
os.environ.setdefault("LOG_FORMAT", "plain")  # no per-request log lines from the servers

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import auth_token_issue  # noqa: E402
from bench.machine import add_busy_flag, machine_check, result_line  # noqa: E402
from bench.server import ROOT, free_port, gunicorn, pct, request  # noqa: E402
from tenants.models import Tenant  # noqa: E402

HOST = "datang.localhost"


class Streams:
    """Hold ``n`` streams open from an event loop in a thread of its own; reconnect when one ends."""

    def __init__(self, port: int, path: str, n: int) -> None:
        self.port, self.path, self.n = port, path, n
        self.open = 0
        self.opened = 0
        self.refused: dict[int, int] = {}
        self.loop = asyncio.new_event_loop()
        self.stopping = False
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.tasks: list[asyncio.Future] = []

    async def _one(self, gate: asyncio.Semaphore) -> None:
        while not self.stopping:
            async with gate:  # at most 50 handshakes at a time, as pages arrive
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
                    writer.write(
                        f"GET {self.path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode()
                    )
                    status = int((await reader.readline()).split()[1])
                except (OSError, ValueError, IndexError):
                    await asyncio.sleep(0.5)
                    continue
            if status != 200:
                self.refused[status] = self.refused.get(status, 0) + 1
                writer.close()
                await asyncio.sleep(1)
                continue
            self.open += 1
            self.opened += 1
            try:
                while not self.stopping and await reader.read(65536):
                    pass
            except OSError:
                pass
            finally:
                self.open -= 1
                writer.close()

    def start(self) -> None:
        self.thread.start()

        async def spawn() -> None:
            gate = asyncio.Semaphore(50)
            self.tasks = [asyncio.ensure_future(self._one(gate)) for _ in range(self.n)]

        asyncio.run_coroutine_threadsafe(spawn(), self.loop).result()

    def wait_open(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.open < self.n:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.open} of {self.n} streams opened (refused: {self.refused})")
            time.sleep(0.2)

    def stop(self) -> None:
        self.stopping = True

        async def cancel() -> None:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def me_load(port: int, token: str, clients: int, per_client: int, timeout: float) -> tuple[list[float], int]:
    """Each client calls GET /me/ ``per_client`` times in a row; the latencies (ms) and the failures."""

    def client(_: int) -> tuple[list[float], int]:
        times, failed = [], 0
        for _ in range(per_client):
            try:
                status, _body, ms = request(port, "GET", "/api/v1/me/", token, host=HOST, timeout=timeout)
            except OSError:
                failed += 1
                continue
            if status != 200:
                failed += 1
                continue
            times.append(ms)
        return times, failed

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    return [t for times, _ in results for t in times], sum(f for _, f in results)


def stream_server(port: int) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "uvicorn"), "config.asgi_realtime:application",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "DJANGO_DEBUG": "false"})
    deadline = time.monotonic() + 60
    while True:
        try:
            request(port, "GET", "/nothing", "x", host=HOST)
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the stream server did not come up") from None
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client and phase")
    parser.add_argument("--streams-on", choices=["asgi", "gunicorn"], default="asgi")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one /me/ call may take")
    parser.add_argument("--no-setup", action="store_true", help="skip migrate_schemas and seed_demo")
    add_busy_flag(parser)
    args = parser.parse_args()

    if not args.no_setup:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(schema_name="datang")
    agent = User.objects.get(mobile="13800001011")
    owner = User.objects.get(mobile="13900001021")
    token = auth_token_issue(user=agent, tenant_id=tenant.pk).token
    owner_token = auth_token_issue(user=owner, tenant_id=tenant.pk).token

    with machine_check(args.allow_busy) as report:
        stream_port = free_port()
        streams_server = stream_server(stream_port) if args.streams_on == "asgi" else None
        try:
            with gunicorn(workers=3, threads=16, token=token) as web:
                status, made, _ = request(web, "POST", "/api/v1/realtime/ticket/", owner_token, host=HOST)
                assert status == 200, made
                path = made["url"]
                target = stream_port if streams_server else web
                phases: dict[str, tuple[list[float], int]] = {}
                phases["baseline-1"] = me_load(web, token, args.clients, args.requests, args.timeout)
                print(f"baseline 1: p95 {pct(phases['baseline-1'][0], 95):.1f} ms", flush=True)
                streams = Streams(target, path, args.streams)
                streams.start()
                opening = time.monotonic()
                try:
                    if streams_server:
                        streams.wait_open(timeout=300)
                    else:  # gunicorn holds at most its threads' worth; wait for them to fill
                        time.sleep(5)
                    print(
                        f"{streams.open} streams open on {args.streams_on} "
                        f"after {time.monotonic() - opening:.1f} s",
                        flush=True,
                    )
                    phases["streams"] = me_load(web, token, args.clients, args.requests, args.timeout)
                    held = streams.open
                finally:
                    streams.stop()
                answered = phases["streams"][0]
                print(f"with streams: {len(answered)} answered, {phases['streams'][1]} failed", flush=True)
                phases["baseline-2"] = me_load(web, token, args.clients, args.requests, args.timeout)
        finally:
            if streams_server:
                streams_server.terminate()
                streams_server.wait(timeout=30)

        base = phases["baseline-1"][0] + phases["baseline-2"][0]
        loaded, failed = phases["streams"]
        report.append(
            f"GET /api/v1/me/ on gunicorn (3 workers x 16 threads), {args.clients} clients x {args.requests} "
            f"calls per phase; {args.streams} streams requested on {args.streams_on}, {held} held open "
            f"during the loaded phase ({streams.opened} connections in all, refused: {streams.refused or 'none'})"
        )
        for name, (times, fails) in phases.items():
            if len(times) >= 2:
                report.append(
                    f"  {name:>10}: p50 {pct(times, 50):7.1f} ms  p95 {pct(times, 95):7.1f} ms  "
                    f"({len(times)} answered, {fails} failed or timed out after {args.timeout:.0f} s)"
                )
            else:
                report.append(f"  {name:>10}: no call answered ({fails} failed or timed out)")
        if len(loaded) < 2:
            report.append("ratio: no /me/ call answered while the streams were open (goal <= 1.5)")
        else:
            ratio = pct(loaded, 95) / pct(base, 95)
            verdict = "met" if ratio <= 1.5 and not failed else "NOT met"
            report.append(
                f"ratio p95 with streams / p95 without (baseline: both baseline phases): {ratio:.2f} "
                f"(goal <= 1.5, no failures): {verdict}"
            )
            report.append(
                result_line(
                    bench="realtime",
                    figure=f"/me/ p95 {pct(loaded, 95):.0f} ms with {held} streams",
                    baseline=f"/me/ p95 {pct(base, 95):.0f} ms without",
                    ratio=round(ratio, 3),
                    goal="<= 1.5x, no failures",
                    met=ratio <= 1.5 and not failed,
                )
            )


if __name__ == "__main__":
    main()
