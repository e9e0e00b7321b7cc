"""BENCHMARKS.md keeps every earlier figure: a new run moves the previous run's table (and the
tables it kept) under "Earlier runs"."""

from __future__ import annotations

from bench.harness import Figure
from bench.report import Machine, benchmarks_md


def write(previous: str, measured: str, date: str) -> str:
    host = Machine(date=date, commit="0123456789abcdef", cpu="cpu", cores=2, ram_gib=1.0,
                   python="3.11", system="Linux", dirty=[], libraries="discord.py",
                   load_before="0")
    return benchmarks_md([Figure("ack", measured, "p99 < 150 ms", True)], host, "0", 1.0,
                         [("Ack", "how")], [], [], previous)


def test_every_earlier_figure_stays() -> None:
    first = write("", "p99 99 ms", "day 1")
    assert "Earlier runs" not in first
    second = write(first, "p99 88 ms", "day 2")
    third = write(second, "p99 77 ms", "day 3")
    for measured in ("p99 99 ms", "p99 88 ms", "p99 77 ms"):
        assert third.count(measured) == 1
    earlier = third.split("## Earlier runs", 1)[1]
    assert earlier.index("day 2") < earlier.index("day 1")
    assert third.count("The figures of the runs before this one") == 1
