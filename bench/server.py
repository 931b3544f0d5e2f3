"""What the benchmarks that drive the running server share: gunicorn on a free loopback port, a
plain HTTP client that times each call, and percentiles."""

import http.client
import json
import os
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    port: int,
    method: str,
    path: str,
    token: str,
    body: dict | None = None,
    *,
    host: str = "datang.localhost",
    timeout: float = 60,
) -> tuple[int, dict, float]:
    """(status, JSON body, milliseconds) of one call on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Host": host, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, (json.loads(data) if data else {}), elapsed


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@contextmanager
def gunicorn(*, workers: int, token: str, host: str = "datang.localhost", threads: int = 1) -> Iterator[int]:
    """Serve the project with gunicorn on a loopback port until the block ends; yields the port
    once GET /api/v1/me/ answers, after warming every worker."""
    port = free_port()
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    if threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "DJANGO_DEBUG": "false"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request(port, "GET", "/api/v1/me/", token, host=host)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not come up")
            time.sleep(0.2)
        for _ in range(4 * workers):
            request(port, "GET", "/api/v1/me/", token, host=host)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # open streams outlast the graceful shutdown
            server.kill()
            server.wait()
