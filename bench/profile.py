"""Where the bot's time went: a pyinstrument session of the bot process, summarised for
BENCHMARKS.md.

The session samples the bot's main thread (its event loop) every millisecond. Time the loop
spent blocked in epoll is waiting (for Discord, Kling, or aiosqlite's worker thread); the rest
is the bot working, split here by whose code ran, and the bot's own functions are ranked by
the time spent in them and below them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyinstrument.frame import Frame
from pyinstrument.session import Session

from bench.harness import ROOT

AREAS: tuple[tuple[str, str], ...] = (
    (f"{ROOT}/bot/store/", "bot: store (SQL, rows to jobs)"),
    (f"{ROOT}/bot/", "bot: core and Discord side"),
    (f"{ROOT}/cogs/", "cogs (slash commands)"),
    ("/site-packages/discord/", "discord.py"),
    ("/site-packages/aiohttp/", "aiohttp (HTTP client and server)"),
    ("/site-packages/aiosqlite/", "aiosqlite (hand-off to its thread)"),
    ("/site-packages/yarl/", "aiohttp (HTTP client and server)"),
    ("/site-packages/multidict/", "aiohttp (HTTP client and server)"),
    ("/asyncio/", "asyncio (event loop, tasks, transports)"),
    ("/selectors.py", "asyncio (event loop, tasks, transports)"),
    ("/json/", "json"),
    ("/logging/", "logging"),
)
IDLE = "waiting (event loop blocked in epoll)"


@dataclass(frozen=True)
class Summary:
    """Where the profiled stretch spent its time: by area (bot, discord.py, aiohttp ...) and
    by the bot's own functions."""

    duration: float
    cpu_time: float
    areas: list[tuple[str, float]]  # (area, seconds), busiest first; IDLE included
    functions: list[tuple[str, float]]  # (bot or cogs function, seconds inclusive)

    @property
    def busy(self) -> float:
        """Seconds spent doing something (waiting in epoll left out)."""
        return sum(seconds for area, seconds in self.areas if area != IDLE)


def _area(frame: Frame, inherited: str) -> str:
    path = frame.file_path or ""
    if frame.is_synthetic:  # "[self]" and the like: time of the frame above
        return inherited
    if path.startswith("<"):  # a built-in (C code): its caller's area, except these
        if frame.function.endswith(("poll", "select")):
            return IDLE
        if frame.function.startswith("socket."):
            return "socket system calls (send, recv, connect)"
        return inherited
    for fragment, area in AREAS:
        if fragment in path:
            return area
    return "other (stdlib and libraries)"


def _walk(frame: Frame, area: str) -> Iterator[tuple[Frame, str, float]]:
    """(frame, its area, its self time) for every frame below `frame`."""
    here = _area(frame, area)
    own = frame.time - sum(child.time for child in frame.children)
    yield frame, here, max(0.0, own)
    for child in frame.children:
        yield from _walk(child, here)


def _is_ours(frame: Frame) -> bool:
    path = frame.file_path or ""
    return path.startswith((f"{ROOT}/bot/", f"{ROOT}/cogs/"))


def summarise(path: Path, top: int = 12) -> Summary:
    """Read a saved profile into its `top` busiest areas and functions of the bot."""
    session = Session.load(str(path))
    root = session.root_frame()
    areas: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)
    if root is not None:
        for _frame, area, own in _walk(root, "other (stdlib and libraries)"):
            areas[area] += own
        _rank(root, functions, set())
    ranked = sorted(functions.items(), key=lambda item: -item[1])[:top]
    return Summary(session.duration, session.cpu_time,
                   sorted(areas.items(), key=lambda item: -item[1]), ranked)


def _rank(frame: Frame, totals: dict[str, float], active: set[str]) -> None:
    """Inclusive time per function of ours, each counted once per call stack."""
    name = None
    if _is_ours(frame) and not frame.is_synthetic:
        relative = Path(frame.file_path or "").relative_to(ROOT)
        name = f"{frame.function} ({relative}:{frame.line_no})"
        if name not in active:
            totals[name] += frame.time
    inner = active | {name} if name else active
    for child in frame.children:
        _rank(child, totals, inner)


def markdown(summary: Summary, what: str) -> list[str]:
    """The BENCHMARKS.md section: the split by area, then the bot's heaviest functions."""
    busy = summary.busy or 1.0
    lines = [
        f"Profiled: {what}. {summary.duration:.1f} s of wall time sampled on the bot's event "
        f"loop; {busy:.1f} s of it busy, the rest waiting in epoll; process CPU time "
        f"{summary.cpu_time:.1f} s (includes aiosqlite's worker threads).",
        "",
        "| where | seconds | share of busy time |",
        "|---|---|---|",
    ]
    for area, seconds in summary.areas:
        share = "" if area == IDLE else f"{seconds / busy:.0%}"
        lines.append(f"| {area} | {seconds:.2f} | {share} |")
    lines += [
        "",
        "The bot's own functions by time spent in them and in what they called (a caller "
        "includes its callees):",
        "",
        "| function | seconds | share of busy time |",
        "|---|---|---|",
    ]
    for name, seconds in summary.functions:
        lines.append(f"| `{name}` | {seconds:.2f} | {seconds / busy:.0%} |")
    return lines
