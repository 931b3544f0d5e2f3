"""The stream server (config/asgi_realtime.py) started for real under uvicorn, against the test
database and Redis: it delivers a publish within a second, routes by Host like the Django stack
(another tenant's host or ticket gets nothing), applies the caps, and frees a slot the moment its
client goes away."""

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core import realtime
from tests.conftest import committed_db, person
from tests.realtime.test_stream import ticket

pytestmark = committed_db
ROOT = Path(__file__).resolve().parents[2]
PER_USER = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def stream_port(django_db_setup) -> Iterator[int]:
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "REALTIME_KEY_PREFIX": settings.REALTIME_KEY_PREFIX,
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "REALTIME_MAX_STREAMS_PER_USER": str(PER_USER),
        "REALTIME_KEEPALIVE_SECONDS": "1",
        "REALTIME_STREAM_SECONDS": "30",
        "DJANGO_DEV_SECRETS": "true",
        "DJANGO_DEBUG": "false",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "config.asgi_realtime:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the stream server did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


class Stream:
    """A raw HTTP/1.1 GET on the stream server, read as bytes arrive."""

    def __init__(self, port: int, host: str, path: str, origin: str | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        extra = f"Origin: {origin}\r\n" if origin else ""
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n{extra}\r\n".encode()
        )
        self.seen = b""
        while b"\r\n\r\n" not in self.seen:
            self._more()
        head, _, self.seen = self.seen.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.seen += chunk

    def wait_for(self, needle: bytes, seconds: float) -> float:
        started = time.monotonic()
        self.sock.settimeout(seconds)
        while needle not in self.seen:
            self._more()
        return time.monotonic() - started

    def body_json(self) -> dict:
        while True:  # the error bodies are small: one chunk, then the terminating one
            start = self.seen.find(b"{")
            end = self.seen.rfind(b"}")
            if start != -1 and end > start:
                try:
                    return json.loads(self.seen[start : end + 1])
                except ValueError:
                    pass
            self._more()

    def close(self) -> None:
        self.sock.close()


def test_the_stream_server_answers_its_probes_on_any_host(stream_port):
    for host in ("10.0.0.9", "datang.localhost", "nobody.localhost"):
        alive = Stream(stream_port, host, "/healthz")
        assert alive.status == 200 and alive.body_json() == {"status": "ok"}
        assert alive.headers["cache-control"] == "no-store"
        alive.close()
    ready = Stream(stream_port, "10.0.0.9", "/readyz")
    assert ready.status == 200 and ready.body_json() == {"status": "ready", "checks": {"redis": "ok"}}
    ready.close()
    posted = Stream(stream_port, "10.0.0.9", "/nothing-here")
    assert posted.status == 404 and posted.body_json()["code"] == "not_found"
    posted.close()


def test_a_publish_reaches_an_open_stream_within_a_second(api, stream_port):
    agent = person("datang_agent")
    path = ticket(api("datang_agent"))
    stream = Stream(stream_port, "datang.localhost", path, origin="http://datang.localhost:8000")
    try:
        assert stream.status == 200 and stream.headers["content-type"] == "text/event-stream"
        # make run's pages live on :8000 of the same host: they may read it, another host may not
        assert stream.headers["access-control-allow-origin"] == "http://datang.localhost:8000"
        stream.wait_for(b": connected", 5)
        sent = time.monotonic()
        realtime.publish([realtime.user_channel(agent.pk, "datang")], "quote.sent", {"quote_no": "Q-ASGI-1"})
        stream.wait_for(b'"quote_no": "Q-ASGI-1"', 5)
        assert time.monotonic() - sent < 1.0
    finally:
        stream.close()
    other = Stream(stream_port, "datang.localhost", path, origin="http://bowei.localhost:8000")
    try:
        assert other.status == 200 and "access-control-allow-origin" not in other.headers
    finally:
        other.close()


def test_another_tenants_host_or_ticket_gets_nothing(api, stream_port):
    datang_path = ticket(api("datang_agent"))
    bowei_agent = person("bowei_agent")
    elsewhere = Stream(stream_port, "bowei.localhost", datang_path)
    assert elsewhere.status == 401 and elsewhere.body_json()["code"] == "token_wrong_scope"
    elsewhere.close()
    unknown = Stream(stream_port, "nobody.localhost", datang_path)
    assert unknown.status == 404 and unknown.body_json() == {
        "code": "not_found",
        "message": "未找到",
        "fields": {},
    }
    unknown.close()
    forged = Stream(stream_port, "datang.localhost", datang_path[:-3] + "abc")
    assert forged.status == 401 and forged.body_json()["code"] == "ticket_invalid"
    forged.close()
    # Bowei's agent reads Bowei's channel only: the same user id under Datang's schema is not theirs.
    bowei = Stream(stream_port, "bowei.localhost", ticket(api("bowei_agent")))
    try:
        assert bowei.status == 200
        bowei.wait_for(b": connected", 5)
        realtime.publish([realtime.user_channel(bowei_agent.pk, "datang")], "x", {"no": "datang-only"})
        realtime.publish([realtime.user_channel(bowei_agent.pk, "bowei")], "x", {"no": "bowei-own"})
        bowei.wait_for(b"bowei-own", 5)
        assert b"datang-only" not in bowei.seen
    finally:
        bowei.close()


def test_the_caps_hold_and_a_closed_connection_frees_its_slot_at_once(api, stream_port):
    owner = person("datang_owner")
    path = ticket(api("datang_owner"))
    held = [Stream(stream_port, "datang.localhost", path) for _ in range(PER_USER)]
    try:
        assert [s.status for s in held] == [200] * PER_USER
        over = Stream(stream_port, "datang.localhost", path)
        assert over.status == 429 and over.headers["retry-after"] == "1"
        assert over.body_json()["code"] == "too_many_streams"
        over.close()
        user_key = realtime.slot_keys(owner.pk, "datang")[0]
        assert realtime.open_streams(user_key) == PER_USER
        held.pop().close()
        deadline = time.monotonic() + 1.0
        while realtime.open_streams(user_key) != PER_USER - 1:
            assert time.monotonic() < deadline, "the slot of a closed connection was not released"
            time.sleep(0.05)
        again = Stream(stream_port, "datang.localhost", path)
        assert again.status == 200
        held.append(again)
    finally:
        for stream in held:
            stream.close()
