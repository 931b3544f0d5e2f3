#!/usr/bin/env python3
"""Run web, the realtime stream server, Celery worker and beat together in the foreground (what
`make run` ends with).

Each process is supervised on its own: if the worker dies, it is started again (after a short
back-off that grows while it keeps dying) and the web server keeps serving; the same for web and
beat. Ctrl-C (or SIGTERM) stops all of them."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PORT = os.environ.get("PORT", "8000")
# Realtime streams are served by their own process (config/asgi_realtime.py under uvicorn): an idle
# stream there is a coroutine, not one of gunicorn's request threads. The pages reach it on this port
# of their own host; web learns the port from the environment (settings.REALTIME_STREAM_PORT).
STREAM_PORT = os.environ.get("REALTIME_STREAM_PORT") or "8001"

PROCS: dict[str, list[str]] = {
    "web": [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"0.0.0.0:{PORT}",
        "--workers",
        os.environ.get("WEB_CONCURRENCY", "3"),
        "--worker-class",
        "gthread",
        "--threads",
        os.environ.get("WEB_THREADS", "16"),
        "--access-logfile",
        "-",
    ],
    "realtime": [
        str(BIN / "uvicorn"),
        "config.asgi_realtime:application",
        "--host",
        "0.0.0.0",
        "--port",
        STREAM_PORT,
        "--no-access-log",
    ],
    "worker": [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2"],
    "beat": [
        str(BIN / "celery"),
        "-A",
        "config",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(ROOT / ".data" / "celerybeat-schedule"),
    ],
}

# A process that dies is restarted after BACKOFF_FIRST seconds, doubling up to BACKOFF_MAX while it
# keeps dying; once it has run for STABLE_AFTER seconds the delay starts again from the first.
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0


class Supervised:
    """One process under supervision: its command, the running child, and when to restart it."""

    def __init__(self, name: str, cmd: Sequence[str], *, cwd: Path | str) -> None:
        self.name, self.cmd, self.cwd = name, list(cmd), cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.restart_at: float | None = None
        self.backoff = BACKOFF_FIRST
        self.restarts = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd)
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self, now: float, log: Callable[[str], None]) -> None:
        """Restart the process if it has died and its back-off has run out."""
        if self.proc is None:
            return
        code = self.proc.poll()
        if code is None:
            return
        if self.restart_at is None:
            if now - self.started_at >= STABLE_AFTER:
                self.backoff = BACKOFF_FIRST
            self.restart_at = now + self.backoff
            log(
                f"procs: {self.name} (pid {self.proc.pid}) exited with {code}; restarting in {self.backoff:.0f} s"
            )
            self.backoff = min(self.backoff * 2, BACKOFF_MAX)
        elif now >= self.restart_at:
            self.restarts += 1
            self.start()
            log(f"procs: {self.name} restarted (pid {self.proc.pid})")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Supervisor:
    def __init__(self, procs: Mapping[str, Sequence[str]], *, cwd: Path | str = ROOT) -> None:
        self.children = {name: Supervised(name, cmd, cwd=cwd) for name, cmd in procs.items()}
        self.stopping = False

    def log(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def run(self, *, tick: float = 0.5) -> int:
        for child in self.children.values():
            child.start()
        try:
            while not self.stopping:
                now = time.monotonic()
                for child in self.children.values():
                    child.check(now, self.log)
                time.sleep(tick)
        finally:
            self.shutdown()
        return 0

    def stop(self, *_: object) -> None:
        self.stopping = True

    def shutdown(self) -> None:
        for child in self.children.values():
            child.stop()
        for child in self.children.values():
            child.wait(timeout=10)


def main() -> int:
    os.environ["REALTIME_STREAM_PORT"] = STREAM_PORT  # inherited by web: the ticket's stream URL
    supervisor = Supervisor(PROCS)
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGTERM, supervisor.stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
