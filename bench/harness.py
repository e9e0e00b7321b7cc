"""What every scenario shares: results, percentiles, the fakes, and the bot as a real process.

The bot runs as its own process (`python -m bench.run_bot`, i.e. `python -m bot` pointed at the
fakes) so that its memory can be read from /proc and its event loop is not shared with the
fakes that drive it: on this 2-core machine the fakes get one core and the bot the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

import testkit.processes
from testkit.fakes.discord import FakeDiscord, Member
from testkit.fakes.kling import FakeKling

ROOT = Path(__file__).resolve().parent.parent
KLING_TOKEN = "bench-kling-token-7e1d9a"
READY_TIMEOUT = 60.0
MIB = 1024 * 1024


@dataclass
class Figure:
    """One row of the table: what was measured, against which target, and whether it met it."""

    name: str
    measured: str
    target: str
    ok: bool
    notes: list[str] = field(default_factory=list)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: an observed value, so p99 of 200 samples is the 198th."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    """`seconds` as milliseconds, for the report."""
    return f"{seconds * 1000:.1f} ms"


def mb(kib: float) -> str:
    """`kib` as megabytes, for the report."""
    return f"{kib / 1024:.1f} MB"


@contextlib.contextmanager
def fakes_without_gc_pauses() -> Iterator[None]:
    """Freeze the driving process's objects out of Python's garbage collector for a timed
    stretch. The fakes timestamp requests in this process; a full collection here (tens of
    milliseconds once the fakes hold thousands of payloads) would be counted against the
    bot, though the real Discord's pauses are not on our clock. The bot's own process is
    left alone: its pauses are part of what is measured."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# -- memory of a process -------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) and friends of `pid`, in KiB."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key.startswith("Vm"):
                values[key] = int(rest.split()[0])
    return values


def reset_peak(pid: int) -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS, so the next VmHWM read is
    the peak of what happens from now on. False where the kernel does not allow it."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


class RssSampler:
    """Samples a process's VmRSS in the background; `peak_kib` is the highest seen.

    The kernel's own VmHWM catches spikes between samples; the sampler catches growth on
    kernels where VmHWM cannot be reset, and gives the idle level to compare against.
    """

    def __init__(self, pid: int, every: float = 0.005) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.samples.append(proc_status(self.pid)["VmRSS"])
            await asyncio.sleep(self.every)

    def start(self) -> None:
        """Start sampling afresh (earlier samples are dropped)."""
        self.samples.clear()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop sampling; the samples stay for `peak_kib`."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def peak_kib(self) -> int:
        """The highest resident size sampled, in KiB (0 when none was)."""
        return max(self.samples, default=0)


# -- the fakes -----------------------------------------------------------------------------


@dataclass
class Fakes:
    """The fake Discord and the fake Kling one scenario runs against."""

    discord: FakeDiscord
    kling: FakeKling

    async def add_members(self, count: int, prefix: str = "member") -> list[Member]:
        """`count` new members of the fake guild, named `prefix` and a number."""
        guild = self.discord.guild_id
        return [await self.discord.add_member(guild, name=f"{prefix}{i}") for i in range(count)]

    async def video(self, member: Member, prompt: str = "a fox in the snow") -> Any:
        """One `/video text` from `member` in the default channel (an Interaction)."""
        return await self.discord.slash(self.discord.guild_id, self.discord.channel_id,
                                        member.user.id, "video", ["text"], {"prompt": prompt})


@contextlib.asynccontextmanager
async def fakes(*, processing_seconds: float = 3600.0, video_size: int = 64 * 1024
                ) -> AsyncIterator[Fakes]:
    """A fake Discord and a fake Kling on 127.0.0.1. Tasks do not finish by themselves: each
    scenario finishes them when it wants a result to arrive."""
    discord = FakeDiscord()
    await discord.start()
    kling = FakeKling(token=KLING_TOKEN, processing_seconds=processing_seconds,
                      video_size=video_size)
    await kling.start()
    kling.auto_finish = False
    try:
        yield Fakes(discord, kling)
    finally:
        await kling.close()
        await discord.close()


# -- the bot as a process ------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for the bot's web server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(fx: Fakes, db_url: str, *, callbacks: bool = True,
            extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of `python -m bot` in production, except where the services are, and
    the settings in `extra`."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DISCORD_TOKEN": fx.discord.bot_token,
        "KLING_API_TOKEN": KLING_TOKEN,
        "KLING_API_BASE": fx.kling.base_url,
        # The fake Kling serves its videos from 127.0.0.1, which is not a public address.
        "TRUSTED_VIDEO_HOSTS": "127.0.0.1",
        "DATABASE_URL": db_url,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "METRICS_PORT": str(free_port()),
        # The scenarios wait on the job counts read from /metrics: kept only briefly here.
        "METRICS_REFRESH_SECONDS": "0.05",
        "DEV_GUILD_ID": str(fx.discord.guild_id),
        "DEFAULT_CREDITS_PER_DAY": "1000",
        "INSTANCE_ID": "bench",
        "KLINGCORD_BENCH_DISCORD_API": fx.discord.api_base,
        "KLINGCORD_BENCH_DISCORD_GATEWAY": fx.discord.gateway_url,
    }
    if callbacks:
        env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    env.update(extra or {})
    return env


class BotProcess(testkit.processes.BotProcess):
    """`python -m bench.run_bot` with a given environment; its output goes to `log`."""

    command = (sys.executable, "-m", "bench.run_bot")
    stop_grace = 30.0

    @property
    def pid(self) -> int:
        """The bot process's id, for sampling its memory and signalling the profiler."""
        assert self.proc is not None
        return self.proc.pid

    @property
    def operator_base(self) -> str:
        """The base URL of the bot's operator address (/healthz, /metrics)."""
        return f"http://127.0.0.1:{self.env['METRICS_PORT']}"

    async def wait_ready(self, fx: Fakes, limit: float = READY_TIMEOUT) -> float:
        """Wait until the fake Discord has a live session for the bot (it sent READY and
        GUILD_CREATE) and the bot's /healthz answers 200; return seconds since `start`."""
        deadline = time.monotonic() + limit
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while time.monotonic() < deadline:
                self._check_alive()
                if any(s.live for s in fx.discord.sessions) and \
                        fx.discord.commands.get(fx.discord.guild_id) is not None:
                    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                        async with http.get(f"{self.operator_base}/healthz") as resp:
                            if resp.status == 200:
                                return time.monotonic() - self.started_at
                await asyncio.sleep(0.02)
        raise TimeoutError(f"the bot was not ready within {limit:.0f}s; see {self.log}")

    async def job_counts(self) -> dict[str, int]:
        """Jobs by state, from the bot's own /metrics."""
        counts: dict[str, int] = {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http, \
                http.get(f"{self.operator_base}/metrics") as resp:
            for line in (await resp.text()).splitlines():
                if line.startswith("klingcord_jobs{"):
                    state = line.split('"')[1]
                    counts[state] = int(float(line.rsplit(" ", 1)[1]))
        return counts

    async def wait_jobs(self, state: str, count: int, limit: float) -> None:
        """Wait (bounded, polling /metrics twice a second) until `count` jobs are in `state`."""
        deadline = time.monotonic() + limit
        while (await self.job_counts()).get(state, 0) < count:
            self._check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"fewer than {count} jobs {state} after {limit:.0f}s")
            await asyncio.sleep(0.5)

    def _check_alive(self) -> None:
        if self.proc is not None and self.proc.returncode is not None:
            raise RuntimeError(f"the bot exited with {self.proc.returncode}; see {self.log}")

    @contextlib.asynccontextmanager
    async def profiled(self, target: Path | None) -> AsyncIterator[None]:
        """Profile the bot for the `async with` block (see bench.run_bot) when `target` is
        set; wait until the bot has saved the session there."""
        if target is None:
            yield
            return
        target.unlink(missing_ok=True)  # noqa: ASYNC240 - a local unlink is instant
        assert self.proc is not None
        self.proc.send_signal(signal.SIGUSR1)
        await asyncio.sleep(0.1)  # the signal is handled between two bytecodes: soon
        try:
            yield
        finally:
            self.proc.send_signal(signal.SIGUSR2)
            await bounded_wait(target.exists, 60, "the profile to be saved", every=0.1)

@contextlib.asynccontextmanager
async def running_bot(fx: Fakes, env: dict[str, str], log: Path) -> AsyncIterator[BotProcess]:
    """The bot started against `fx` and ready; stopped on the way out, even on failure."""
    bot = BotProcess(env, log)
    await bot.start()
    try:
        await bot.wait_ready(fx)
        yield bot
    finally:
        await bot.stop()


async def bounded_wait(check: Any, limit: float, what: str, every: float = 0.005) -> Any:
    """Poll `check()` until truthy, at most `limit` seconds; for conditions on the bot's side
    that the fakes do not signal."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(every)
    raise TimeoutError(f"timed out after {limit:.0f}s waiting for {what}")


@dataclass
class Context:
    """What the entry point hands each scenario: a scratch folder for databases and logs,
    and, when the scenario runs to be profiled, where the bot saves the profile of the
    stretch the scenario marks with `BotProcess.profiled`."""

    workdir: Path
    profile_to: Path | None = None

    def sqlite_url(self, name: str) -> str:
        """A SQLite database URL for a file in the scratch folder."""
        return f"sqlite:///{self.workdir / name}"

    def env_extra(self) -> dict[str, str]:
        """The environment that tells the bot where to save the profile (empty when not
        profiling)."""
        return {"KLINGCORD_BENCH_PROFILE": str(self.profile_to)} if self.profile_to else {}
