"""bench/machine.py: a bench refuses to report (exit 3, no figures) when the load average exceeds the
core count, unless --allow-busy; either way the load before and after is printed. After the run a
load above the cores gets time to settle (the bench's own share decays); one that does not settle
is still a refusal."""

import json

import pytest

from bench import machine


def test_a_busy_machine_gets_no_report_unless_allowed(monkeypatch, capsys):
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: (2.5, 1.0, 1.0))
    with pytest.raises(SystemExit) as refused, machine.machine_check(allow_busy=False) as report:
        report.append("p95 1.00x")
    assert refused.value.code == 3
    out = capsys.readouterr()
    assert "load average 2.50 1.00 1.00" in out.out and "p95 1.00x" not in out.out
    assert "exceeds the 2 cores" in out.err

    with machine.machine_check(allow_busy=True) as report:
        report.append("p95 1.00x")
    out = capsys.readouterr().out
    assert "machine after: load average 2.50" in out and "p95 1.00x" in out and "busy machine" in out


class Clock:
    """time.monotonic and time.sleep for bench/machine.py without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(machine.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(machine.time, "sleep", fake.sleep)
    monkeypatch.setattr(machine, "SETTLE_SECONDS", 300.0)
    return fake


def test_a_machine_that_stays_busy_after_the_run_gets_no_report(monkeypatch, capsys, clock):
    loads = iter([(1.5, 1.0, 1.0)])
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: next(loads, (2.01, 1.0, 1.0)))
    with pytest.raises(SystemExit), machine.machine_check(allow_busy=False) as report:
        report.append("p95 1.00x")
    out = capsys.readouterr()
    assert "p95 1.00x" not in out.out and "waiting up to 300 s" in out.err
    assert clock.now == 300  # it waited the whole settle time, then refused


def test_the_bench_s_own_load_settling_after_the_run_is_not_a_refusal(monkeypatch, capsys, clock):
    # before, right after the run (its own 50 clients), then decaying as the 1-minute average does
    loads = iter([(1.5, 1.0, 1.0), (4.0, 2.0, 1.0), (3.1, 2.0, 1.0), (2.4, 2.0, 1.0), (1.9, 1.9, 1.0)])
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: next(loads))
    with machine.machine_check(allow_busy=False) as report:
        report.append("p95 1.00x")
    out = capsys.readouterr().out
    assert "machine after: load average 4.00" in out and "machine after, 10 s later: load average 1.90" in out
    assert "p95 1.00x" in out and "busy" not in out


def test_settle_returns_at_once_on_a_quiet_machine_and_gives_up_at_its_timeout(monkeypatch, clock):
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: (1.0, 1.0, 1.0))
    assert machine.settle(60) == ((1.0, 1.0, 1.0), 0.0)
    monkeypatch.setattr(machine, "load", lambda: (7.0, 7.0, 7.0))
    loads, waited = machine.settle(60)
    assert machine.busy(loads) and waited == 60


def test_a_quiet_machine_reports(monkeypatch, capsys):
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: (1.9, 1.0, 1.0))
    with machine.machine_check(allow_busy=False) as report:
        report.append("p95 1.00x")
    out = capsys.readouterr().out
    assert "p95 1.00x" in out and "busy" not in out


def test_a_whole_bench_run_holds_its_figures_until_the_load_after_is_known(monkeypatch, capsys, clock):
    loads = iter([(1.5, 1.0, 1.0), (2.5, 1.0, 1.0)])
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: next(loads, (2.5, 1.0, 1.0)))
    monkeypatch.setattr("sys.argv", ["bench/x.py", "--rounds", "1"])
    seen: list[list[str]] = []

    def bench_main() -> None:
        import sys

        seen.append(sys.argv[1:])
        print("ratio 1.23x")

    with pytest.raises(SystemExit) as refused:
        machine.run(bench_main)
    assert refused.value.code == 3 and "ratio 1.23x" not in capsys.readouterr().out

    loads = iter([(2.5, 1.0, 1.0), (2.5, 1.0, 1.0)])
    monkeypatch.setattr("sys.argv", ["bench/x.py", "--allow-busy", "--rounds", "1"])
    machine.run(bench_main)
    out = capsys.readouterr().out
    assert "ratio 1.23x" in out and "busy machine" in out
    assert seen == [["--rounds", "1"], ["--rounds", "1"]]  # --allow-busy is not passed on to the bench


def test_the_bench_table_shows_each_result_line_and_marks_a_busy_run():
    from bench import table

    line = machine.result_line(
        bench="quote",
        figure="rating p95 42.0 ms",
        baseline="/me/ p95 10.0 ms",
        ratio=4.2,
        goal="< 5x",
        met=True,
    )
    row = json.loads(line.removeprefix(table.MARKER)) | {"busy": True}
    refused = {"bench": "redeem", "figure": "refused: the machine was busy (load > cores)"}
    lines = table.table([row, refused]).splitlines()
    assert lines[0].split() == ["bench", "figure", "baseline", "ratio", "goal", "met"]
    assert "4.20x" in lines[2] and "yes (busy machine)" in lines[2]
    assert lines[3].startswith("redeem") and "refused" in lines[3]


def test_the_table_waits_for_the_load_to_settle_before_a_bench(monkeypatch, capsys, clock):
    from bench import table

    loads = iter([(3.0, 2.0, 1.0), (2.5, 2.0, 1.0), (1.8, 1.9, 1.0)])
    monkeypatch.setattr(machine, "cores", lambda: 2)
    monkeypatch.setattr(machine, "load", lambda: next(loads))
    table.wait_for_quiet(300)
    assert clock.now == 10
    assert "waited 10 s: machine now: load average 1.80" in capsys.readouterr().out

    monkeypatch.setattr(machine, "load", lambda: (5.0, 5.0, 5.0))
    table.wait_for_quiet(300)
    assert "still busy: the bench will refuse" in capsys.readouterr().out
