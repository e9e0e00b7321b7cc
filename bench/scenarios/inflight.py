"""Jobs in flight: the bot's memory with 10,000 SUBMITTED jobs, and how hard its poller then
leans on the Kling API when no callback ever comes.

The bot runs without PUBLIC_BASE_URL (the poller is the only way results arrive) at the
default poll interval, over a store seeded with 10,000 SUBMITTED jobs whose next poll is due,
with the same tasks running in the fake Kling. For a minute after the bot is ready the fake
counts its batch queries (`FakeKling.batch_calls`). The target allows one query per 50 jobs
per poll interval, i.e. what polling every job every interval in batches of 50 would cost.
"""

from __future__ import annotations

import asyncio
import time

from bench.harness import (
    Context,
    Figure,
    RssSampler,
    bot_env,
    fakes,
    mb,
    proc_status,
    running_bot,
)
from bench.seed import seed_submitted

JOBS = 10_000
WINDOW = 60.0
POLL_INTERVAL = 5.0  # the default (README); set explicitly so the figure does not drift
TARGET_RSS_KIB = 100 * 1024
JOBS_PER_CALL = 50


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring)."""
    async with fakes() as fx:
        url = ctx.sqlite_url("inflight.db")
        seeded = await seed_submitted(url, fx.kling, JOBS, guild_id=fx.discord.guild_id,
                                      channel_id=fx.discord.channel_id)
        env = bot_env(fx, url, callbacks=False,
                      extra={"POLL_INTERVAL_SECONDS": str(POLL_INTERVAL), **ctx.env_extra()})
        async with running_bot(fx, env, ctx.workdir / "inflight.log") as bot:
            sampler = RssSampler(bot.pid, every=0.05)
            sampler.start()
            calls_before = len(fx.kling.batch_calls)
            started = time.monotonic()
            await asyncio.sleep(WINDOW)
            elapsed = time.monotonic() - started
            window_calls = fx.kling.batch_calls[calls_before:]
            await sampler.stop()
            status = proc_status(bot.pid)
            counts = await bot.job_counts()

    polled = {task for call in window_calls for task in call}
    per_interval = len(window_calls) / (elapsed / POLL_INTERVAL)
    allowed = JOBS / JOBS_PER_CALL
    per_minute = len(window_calls) * 60.0 / elapsed
    peak = max(status["VmHWM"], sampler.peak_kib)
    return [
        Figure(
            name="jobs in flight: memory",
            measured=f"peak RSS {mb(peak)} (after the minute: {mb(status['VmRSS'])})",
            target=f"< {TARGET_RSS_KIB // 1024} MB total",
            ok=peak < TARGET_RSS_KIB,
            notes=[f"{JOBS:,} SUBMITTED jobs seeded in {seeded.seconds:.1f} s; peak = the "
                   "process's VmHWM from start-up through a minute of polling",
                   f"jobs by state at the end: {counts}"],
        ),
        Figure(
            name="jobs in flight: poller",
            measured=f"{per_minute:.0f} calls/min = {per_interval:.1f} per {POLL_INTERVAL:.0f} s "
                     f"interval (allowed {allowed:.0f})",
            target=f"<= 1 call per {JOBS_PER_CALL} jobs per interval",
            ok=per_interval <= allowed,
            notes=[f"no callbacks, poll interval {POLL_INTERVAL:.0f} s, {elapsed:.0f} s window; "
                   f"{len(polled):,} of {JOBS:,} jobs polled in the window; at most "
                   f"{max((len(c) for c in window_calls), default=0)} tasks per call"],
        ),
    ]
