#!/usr/bin/env python
"""``make bench``: run the quick benches one after another (each under the machine check of
bench/machine.py) and print one table of what they measured: bench, figure, baseline, ratio, goal,
met. Each bench's own report is printed as it finishes; its stderr (request logs, progress) goes to
.data/bench/<name>.err, whose tail is printed when a bench fails.

The quick set (a few minutes in all on a quiet machine, the demo data already seeded) is the request
path: tenant routing, quick quote, after-sales steps and gift-pack redemption under 50 clients, and
open realtime streams. ``--all`` adds the database benches (reminders, commission engine and
settlement, fan-out, network), which build large tenant schemas on their first run, and the OCR
bench (200 photos read by one worker).

A bench's own 50 clients push the 1-minute load above the cores of a small machine, and the next
bench would then refuse to start: before each bench the table waits (up to ``--settle`` seconds,
300 by default) for the load to fall below the core count; the bench's own checks then judge the
load as always (so a machine kept busy by others still gets a refusal, not a figure). A bench that
refuses to report because the machine is busy (exit 3) is a row saying so, and the table exits
non-zero; ``--allow-busy`` is passed on to every bench (and the table does not wait). ``--tiny``
runs every bench at smoke-test sizes to check the benches themselves work: its figures mean nothing.

    .venv/bin/python bench/table.py [--all] [--allow-busy] [--tiny] [--settle SECONDS]
"""

import argparse
import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import machine  # noqa: E402

MARKER = "BENCH-RESULT "  # as bench/machine.py prints it
BUSY_EXIT = 3

# (script, tiny-size arguments)
QUICK: list[tuple[str, list[str]]] = [
    ("tenant_routing", ["--rounds", "2", "--requests", "20"]),
    ("quote", ["--rounds", "2", "--requests", "10"]),
    ("aftersales", ["--clients", "4", "--orders", "1", "--workers", "2"]),
    ("redeem", ["--codes", "10", "--attempts", "40", "--rounds", "2", "--clients", "5", "--workers", "2"]),
    ("realtime", ["--streams", "20", "--clients", "4", "--requests", "5"]),
]
DATABASE: list[tuple[str, list[str]]] = [
    ("reminders", ["--customers", "4000", "--vehicles", "5000", "--repeat", "2"]),
    ("settlement", ["--policies", "3000", "--repeat", "2"]),
    ("fanout", ["--agents", "2000", "--repeat", "2"]),
    ("network", ["--size", "2000", "--repeat", "5"]),
]
# The OCR model read by one worker (200 generated 行驶证 photos: a few minutes on a quiet machine).
MODEL: list[tuple[str, list[str]]] = [("ocr", ["--count", "3"])]
COLUMNS = ("bench", "figure", "baseline", "ratio", "goal", "met")


def wait_for_quiet(seconds: float) -> None:
    """Before a bench: wait for the load (the last bench's own, mostly) to settle below the cores.
    Whatever it is after ``seconds``, the bench's own check judges it."""
    loads, waited = machine.settle(seconds, why=" before the next bench")
    if waited >= 1:
        state = "still busy: the bench will refuse" if machine.busy(loads) else "settled"
        print(f"--- waited {waited:.0f} s: {machine.describe('now', loads)} ({state})", flush=True)


def run(script: str, extra: list[str], env: dict[str, str] | None = None) -> tuple[int, list[dict], float]:
    """Run one bench; echo its report; return its exit status, its result rows and its seconds."""
    logs = ROOT / ".data" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    err = logs / f"{script}.err"
    cmd = [sys.executable, str(ROOT / "bench" / f"{script}.py"), *extra]
    print(
        f"\n=== {' '.join(['bench/' + script + '.py', *extra])}  (stderr: {err.relative_to(ROOT)})",
        flush=True,
    )
    started = time.perf_counter()
    with err.open("w") as stderr:
        done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    seconds = time.perf_counter() - started
    rows = []
    busy = "measured on a busy machine" in done.stdout
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            rows.append(json.loads(line[len(MARKER) :]) | ({"busy": True} if busy else {}))
        else:
            print(line)
    if done.returncode not in (0, BUSY_EXIT):
        tail = err.read_text(errors="replace").splitlines()[-15:]
        print(f"--- {script} failed (exit {done.returncode}); last lines of {err.name}:")
        print("\n".join(tail))
    print(f"=== {script}: exit {done.returncode} in {seconds:.0f} s", flush=True)
    return done.returncode, rows, seconds


def cell(row: dict, column: str) -> str:
    value = row.get(column)
    if column == "ratio":
        return "" if value is None else f"{value:.2f}x"
    if column == "met":
        met = {True: "yes", False: "NO", None: ""}.get(value, str(value))
        return met + (" (busy machine)" if row.get("busy") else "")
    return str(value or "")


def width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[dict]) -> str:
    cells = [list(COLUMNS)] + [[cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max(width(line[i]) for line in cells) for i in range(len(COLUMNS))]
    out = []
    for n, line in enumerate(cells):
        out.append("  ".join(text + " " * (widths[i] - width(text)) for i, text in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--all", action="store_true", help="add the database benches (slow on a first run) and OCR"
    )
    parser.add_argument("--allow-busy", action="store_true", help="passed on to every bench")
    parser.add_argument(
        "--tiny", action="store_true", help="smoke-test sizes: checks the benches, not the code"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=machine.SETTLE_SECONDS,
        help="seconds to wait for the load to fall below the cores before each bench and after its run "
        "(default %(default)s)",
    )
    args = parser.parse_args()
    env = {**os.environ, "BENCH_SETTLE_SECONDS": str(args.settle)}

    rows: list[dict] = []
    bad = False
    total = 0.0
    for script, tiny in QUICK + (DATABASE + MODEL if args.all else []):
        extra = (tiny if args.tiny else []) + (["--allow-busy"] if args.allow_busy else [])
        if not args.allow_busy:
            wait_for_quiet(args.settle)
        status, results, seconds = run(script, extra, env)
        total += seconds
        if status != 0 or not results:
            bad = True
        if status == BUSY_EXIT:
            results = [{"bench": script, "figure": "refused: the machine was busy (load > cores)"}]
        elif not results:
            results = [{"bench": script, "figure": f"failed (exit {status}), no figure"}]
        rows.extend(results)

    print(
        f"\nbenches: {total:.0f} s in all"
        + ("  (--tiny sizes: the figures mean nothing)" if args.tiny else "")
    )
    if args.allow_busy:
        print("--allow-busy: figures may come from a busy machine (each bench's report says whether it was)")
    print(table(rows))
    if bad:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
