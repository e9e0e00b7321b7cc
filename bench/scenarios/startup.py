"""Start-up: from starting the bot process to ready, with 10,000 jobs to recover.

"Ready" is what an orchestrator and Discord would both accept: the fake Discord has a live
gateway session for the bot (it sent READY and GUILD_CREATE, and the commands were synced
before that) and the bot's /healthz answers 200 (store reachable, poller ticking, discord.py
ready). The store holds 10,000 SUBMITTED jobs, all due for a poll, as after an outage. Three
cold starts; the target applies to the slowest.
"""

from __future__ import annotations

import statistics

from bench.harness import BotProcess, Context, Figure, bot_env, fakes
from bench.seed import seed_submitted

JOBS = 10_000
RUNS = 3
TARGET = 5.0


async def one_start(ctx: Context, run: int) -> tuple[float, float]:
    """(seconds to ready, seconds to the gateway session) for one cold start."""
    async with fakes() as fx:
        url = ctx.sqlite_url(f"startup-{run}.db")
        env = bot_env(fx, url, extra=ctx.env_extra())
        await seed_submitted(url, fx.kling, JOBS, guild_id=fx.discord.guild_id,
                             channel_id=fx.discord.channel_id,
                             callback_base=env["PUBLIC_BASE_URL"])
        bot = BotProcess(env, ctx.workdir / f"startup-{run}.log")
        await bot.start()
        try:
            ready = await bot.wait_ready(fx)
            session = min(s.identified_at for s in fx.discord.sessions) - bot.started_at
        finally:
            await bot.stop()
    return ready, session


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring)."""
    starts = [await one_start(ctx, n) for n in range(RUNS)]
    ready = [r for r, _ in starts]
    worst = max(ready)
    return [Figure(
        name="start-up",
        measured=f"median {statistics.median(ready):.2f} s, slowest {worst:.2f} s",
        target=f"< {TARGET:.0f} s",
        ok=worst < TARGET,
        notes=[f"{RUNS} cold starts of `python -m bot` (via bench.run_bot) with {JOBS:,} "
               "SUBMITTED jobs to recover; process start -> gateway session + /healthz 200",
               "gateway session (READY sent) after "
               + ", ".join(f"{s:.2f} s" for _, s in starts)
               + "; discord.py then waits 2 s for more GUILD_CREATEs before it is ready"],
    )]
