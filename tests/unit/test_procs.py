"""infra/procs.py supervises each process on its own: a dead worker is restarted and the web
process keeps running (before, one death stopped all of them)."""

import os
import signal
import sys
import threading
import time

from infra.procs import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_restarted_and_web_keeps_running(tmp_path):
    supervisor = Supervisor({"web": SLEEPER, "worker": SLEEPER}, cwd=tmp_path)
    supervisor.log = lambda line: None  # type: ignore[method-assign]
    runner = threading.Thread(target=supervisor.run, kwargs={"tick": 0.05})
    runner.start()
    try:
        web, worker = supervisor.children["web"], supervisor.children["worker"]
        assert _wait_for(lambda: web.proc is not None and worker.proc is not None)
        assert web.proc is not None and worker.proc is not None
        web_pid, worker_pid = web.proc.pid, worker.proc.pid

        os.kill(worker_pid, signal.SIGKILL)

        assert _wait_for(lambda: worker.proc is not None and worker.proc.pid != worker_pid)
        assert worker.restarts == 1
        assert worker.proc.poll() is None
        assert web.proc.pid == web_pid and web.proc.poll() is None and web.restarts == 0
    finally:
        supervisor.stop()
        runner.join(timeout=20)
    assert not runner.is_alive()
    assert web.proc.poll() is not None and worker.proc.poll() is not None  # Ctrl-C stops them all
