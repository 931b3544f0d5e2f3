#!/usr/bin/env python3
"""Run web, Celery worker and beat together in the foreground (what `make run` ends with).
Ctrl-C stops all three; if one dies, the others are stopped too."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PORT = os.environ.get("PORT", "8000")

PROCS = {
    "web": [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"0.0.0.0:{PORT}",
        "--workers",
        os.environ.get("WEB_CONCURRENCY", "3"),
        # threads: an open real-time stream (Server-Sent Events) holds one thread, not a worker
        "--worker-class",
        "gthread",
        "--threads",
        os.environ.get("WEB_THREADS", "16"),
        "--access-logfile",
        "-",
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


def main() -> int:
    running = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in PROCS.items()}

    def stop(*_: object) -> None:
        for proc in running.values():
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while all(proc.poll() is None for proc in running.values()):
            time.sleep(0.5)
    finally:
        stop()
        for proc in running.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    dead = [name for name, proc in running.items() if proc.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if dead else 0


if __name__ == "__main__":
    sys.exit(main())
