"""What every bench says about the machine it ran on: the load average before and after, and a
refusal to report when the machine was busy (load average above the number of cores), since a
figure measured beside other work flatters or slanders at random. ``--allow-busy`` reports anyway,
and the report says so.

    from bench.machine import add_busy_flag, machine_check

    parser = argparse.ArgumentParser(); add_busy_flag(parser); args = parser.parse_args()
    with machine_check(args.allow_busy) as report:
        ...  # measure (progress may be printed as it goes)
        report.append("p95 ...")  # the figures: printed only if the machine was not busy

A bench's own clients load the machine too: after a run the 1-minute load average is the bench's
as much as anyone's. So the check after the run (and bench/table.py before each bench) waits for the
load to settle below the core count, up to ``SETTLE_SECONDS`` (env ``BENCH_SETTLE_SECONDS``): the
bench's own share decays (the 1-minute average halves in about 42 s once it stops), another's
sustained load does not, and a load that has not settled by then is a refusal as before.

A bench that prints its figures as it goes runs whole under ``run(main)`` instead: ``--allow-busy``
is taken out of sys.argv, and everything ``main`` prints on stdout is held as the report (progress
meant to be seen as it happens goes to stderr). ``result(...)`` prints the one ``BENCH-RESULT {json}``
line that bench/table.py collects into the ``make bench`` table.
"""

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout

MARKER = "BENCH-RESULT "
# How long to wait for the load to settle below the core count (after a run; before each bench in
# bench/table.py). A bench's own load at 5 on 2 cores decays below 2 in about a minute.
SETTLE_SECONDS = float(os.environ.get("BENCH_SETTLE_SECONDS", "300"))
SETTLE_POLL_SECONDS = 5.0


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def describe(when: str, loads: tuple[float, float, float]) -> str:
    one, five, fifteen = loads
    return f"machine {when}: load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min), {cores()} cores"


def busy(loads: tuple[float, float, float]) -> bool:
    """Busy: the 1-minute load average exceeds the core count."""
    return loads[0] > cores()


def settle(timeout: float | None = None, *, why: str = "") -> tuple[tuple[float, float, float], float]:
    """Wait until the 1-minute load average is at most the core count, or ``timeout`` seconds
    (``SETTLE_SECONDS``) have passed. Returns the last load and the seconds waited; progress goes
    to stderr. The caller still judges the load it gets back: a load that did not settle is busy."""
    limit = SETTLE_SECONDS if timeout is None else timeout
    started = time.monotonic()
    loads = load()
    if busy(loads) and limit > 0:
        print(f"waiting up to {limit:.0f} s for the load average ({loads[0]:.2f}) to settle below the "
              f"{cores()} cores{why}", file=sys.stderr, flush=True)  # fmt: skip
    while busy(loads) and time.monotonic() - started < limit:
        time.sleep(min(SETTLE_POLL_SECONDS, max(0.0, limit - (time.monotonic() - started))))
        loads = load()
    return loads, time.monotonic() - started


def add_busy_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-busy",
        action="store_true",
        help="report even when the load average exceeds the core count (the figures are then marked)",
    )


class BusyMachine(SystemExit):
    """Raised (exit status 3) when the machine was busy and --allow-busy was not given."""

    def __init__(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)
        super().__init__(3)


def refuse_if_busy(loads: tuple[float, float, float], allow_busy: bool, when: str) -> None:
    if busy(loads) and not allow_busy:
        raise BusyMachine(
            f"refusing to report: the load average {when} ({loads[0]:.2f}) exceeds the {cores()} cores; "
            "run on a quiet machine, or pass --allow-busy (the figures are then marked as measured busy)"
        )


@contextmanager
def machine_check(allow_busy: bool) -> Iterator[list[str]]:
    """Print the load before; refuse to start when busy. Yield the report's lines; print the load
    after, then the report, unless the machine stayed busy after the run (non-zero exit, no report)
    and ``allow_busy`` was not given. A load above the cores right after the run may be the bench's
    own: without ``allow_busy`` the check waits (``settle``) for it to fall below the cores, and
    refuses if it does not."""
    before = load()
    print(describe("before", before), flush=True)
    refuse_if_busy(before, allow_busy, "before the run")
    report: list[str] = []
    yield report
    after = load()
    print(describe("after", after), flush=True)
    if busy(after) and not allow_busy:
        after, waited = settle(why=" (the bench's own share of it decays; another's sustained load does not)")
        print(describe(f"after, {waited:.0f} s later", after), flush=True)
    refuse_if_busy(after, allow_busy, "after the run")
    if busy(before) or busy(after):
        report.append("NOTE: measured on a busy machine (--allow-busy): these figures are not a verdict")
    print("\n".join(report), flush=True)


def run(main: Callable[[], None]) -> None:
    """Run a whole bench under ``machine_check``: its stdout is the report, printed only after the
    load after the run is known (and not at all on a busy machine without --allow-busy)."""
    allow_busy = "--allow-busy" in sys.argv
    sys.argv = [a for a in sys.argv if a != "--allow-busy"]
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print("(every bench also takes --allow-busy: report even when the load average exceeds the cores)")
        main()
        return
    held = io.StringIO()
    with machine_check(allow_busy) as report:
        try:
            with redirect_stdout(held):
                main()
        except BaseException:
            sys.stderr.write(held.getvalue())  # what the bench said before it failed, to see why
            raise
        report.append(held.getvalue().rstrip("\n"))


def result(
    *, bench: str, figure: str, baseline: str, ratio: float | None, goal: str, met: bool | None
) -> None:
    """One machine-readable line for bench/table.py: what was measured, against what, and the goal."""
    print(result_line(bench=bench, figure=figure, baseline=baseline, ratio=ratio, goal=goal, met=met))


def result_line(
    *, bench: str, figure: str, baseline: str, ratio: float | None, goal: str, met: bool | None
) -> str:
    """The ``BENCH-RESULT {json}`` line (for a report held by ``machine_check``)."""
    row = {"bench": bench, "figure": figure, "baseline": baseline, "ratio": ratio, "goal": goal, "met": met}
    return MARKER + json.dumps(row, ensure_ascii=False)
