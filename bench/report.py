"""The machine a run happened on, the table printed at the end, and BENCHMARKS.md.

Every number in BENCHMARKS.md comes from the run that wrote it: the file is rewritten whole by
`python -m bench`, never edited by hand, and names the commit, the machine and the load on it
(other processes on a 2-core machine move these figures).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from importlib import metadata

from bench.harness import ROOT, Figure


@dataclass(frozen=True)
class Machine:
    """The machine and code a run measured, as the report's header shows them."""

    cpu: str
    cores: int
    ram_gib: float
    python: str
    system: str
    date: str
    commit: str
    dirty: list[str]
    libraries: str
    load_before: str

    @property
    def commit_line(self) -> str:
        """The commit measured, naming the folders with uncommitted changes (figures from a dirty
        tree are not the commit's)."""
        if not self.dirty:
            return self.commit
        return f"{self.commit} plus uncommitted changes to {', '.join(self.dirty)}"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def load_average() -> str:
    """The load average, so a reader sees how busy the machine was around the run."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def machine() -> Machine:
    """Describe this machine, the libraries and the commit measured."""
    # Only changes to what is measured count as dirty: the code, the fakes and the bench.
    changed = _git("status", "--porcelain", "--", "bot", "cogs", "bench", "testkit")
    dirty = sorted({line[3:].split("/", 1)[0] for line in changed.splitlines() if line})
    versions = []
    for name in ("discord.py", "aiohttp", "aiosqlite", "asyncpg"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    versions.append(f"SQLite {sqlite3.sqlite_version}")
    return Machine(
        cpu=_cpu_model(), cores=os.cpu_count() or 0, ram_gib=_ram_gib(),
        python=platform.python_version(), system=platform.platform(),
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        commit=_git("rev-parse", "HEAD") or "unknown", dirty=dirty,
        libraries=", ".join(versions), load_before=load_average(),
    )


def table(figures: list[Figure]) -> list[str]:
    """The figures as a Markdown table, a missed target in bold."""
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    for fig in figures:
        lines.append(f"| {fig.name} | {fig.measured} | {fig.target} | "
                     f"{'yes' if fig.ok else '**no**'} |")
    return lines


def plain_table(figures: list[Figure]) -> str:
    """The table for a terminal: aligned columns, no Markdown."""
    rows = [("figure", "measured", "target", "met")]
    rows += [(f.name, f.measured, f.target, "yes" if f.ok else "NO") for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = []
    for index, row in enumerate(rows):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def earlier_runs(previous: str) -> list[str]:
    """The figures of the runs before this one, from the BENCHMARKS.md being replaced: its own
    run's date, commit and table, then the earlier runs it kept. Every figure ever written
    stays in the file."""
    if not previous.strip():
        return []

    def section(title: str) -> list[str]:
        lines = previous.splitlines()
        if title not in lines:
            return []
        start = lines.index(title) + 1
        end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        return lines[start:end]

    run = {line.split(":", 1)[0][2:]: line.split(":", 1)[1].strip()
           for line in section("## The run") if line.startswith("- ") and ":" in line}
    table_lines = [line for line in section("## Figures") if line.startswith("|")]
    kept = section("## Earlier runs")
    kept = kept[next((i for i, line in enumerate(kept) if line.startswith("### ")),
                     len(kept)):]
    if not table_lines:
        return kept
    heading = f"### {run.get('date', 'an earlier run')} (commit {run.get('commit', '?')[:12]})"
    return ["", heading, "", *table_lines, *(["", *kept] if kept else [])]


def benchmarks_md(figures: list[Figure], host: Machine, load_after: str, seconds: float,
                  methods: list[tuple[str, str]], profile: list[str],
                  fixes: list[str], previous: str = "") -> str:
    """The whole BENCHMARKS.md: the run, the figures, how each was measured, the profile, and
    the fixes the figures led to."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (see README, \"Benchmarks\"); every figure below comes "
        "from the run that wrote this file. Do not edit by hand: run it again.",
        "",
        "## The run",
        "",
        f"- date: {host.date}",
        f"- commit: {host.commit_line}",
        f"- CPU: {host.cpu}, {host.cores} cores; RAM: {host.ram_gib:.1f} GiB",
        f"- Python {host.python} on {host.system}",
        f"- libraries: {host.libraries}",
        f"- load average before / after: {host.load_before}; {load_after}",
        f"- duration of the whole run: {seconds:.0f} s",
        "",
        "## Figures",
        "",
        *table(figures),
        "",
        "## Details",
        "",
    ]
    for fig in figures:
        lines.append(f"- **{fig.name}**: " + "; ".join(fig.notes))
    lines += ["", "## Where the time goes", "", *profile, ""]
    lines += ["## What the benchmark found", "", *fixes, ""]
    lines += ["## How each figure is measured", ""]
    for title, text in methods:
        lines += [f"### {title}", "", text.strip(), ""]
    earlier = earlier_runs(previous)
    if earlier:
        lines += ["## Earlier runs", "", "The figures of the runs before this one, newest first, "
                  "as they were written.", *earlier, ""]
    return "\n".join(lines).rstrip() + "\n"
