"""Against a minimal bot: klingcord's ack and private confirmation divided by those of the
least a discord.py bot can do (`bench/baseline_bot.py`: defer privately, one private
follow-up), through the same fakes (Discord's rate limits on) and the same burst of `/video
text` commands from as many members in one channel, in alternating runs (baseline, klingcord,
baseline, ...), each with fresh fakes and a fresh process. Ack: INTERACTION_CREATE sent -> the
first interaction callback received; private confirmation: -> the first follow-up received
(for klingcord the job is then reserved; its public card follows), both on the fake Discord's
clock.
The ratio of each pair's p99s is reported, and the median of the pairs' ratios is held to the
target.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from bench.harness import (
    READY_TIMEOUT,
    BotProcess,
    Context,
    Fakes,
    Figure,
    bot_env,
    fakes,
    fakes_without_gc_pauses,
    ms,
    percentile,
    running_bot,
)
from bench.scenarios.ack import burst_of_commands

COMMANDS = 100
PAIRS = 5
TARGET_ACK = 1.2
TARGET_CONFIRMATION = 2.0


class BaselineProcess(BotProcess):
    """`python -m bench.baseline_bot`: ready once its session is live and its command is
    synced (it serves no /healthz)."""

    command = (sys.executable, "-m", "bench.baseline_bot")

    async def wait_ready(self, fx: Fakes, limit: float = READY_TIMEOUT) -> float:
        """Wait until the baseline bot's session is live and its command synced; seconds since
        start."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self._check_alive()
            if any(s.live for s in fx.discord.sessions) and \
                    fx.discord.commands.get(fx.discord.guild_id):
                return time.monotonic() - self.started_at
            await asyncio.sleep(0.02)
        raise TimeoutError(f"the baseline bot was not ready within {limit:.0f}s; see {self.log}")


@contextlib.asynccontextmanager
async def running_baseline(fx: Fakes, env: dict[str, str], log: Path
                           ) -> AsyncIterator[BaselineProcess]:
    """The baseline bot started against `fx` and ready; stopped on the way out, even on failure."""
    bot = BaselineProcess(env, log)
    await bot.start()
    try:
        await bot.wait_ready(fx)
        yield bot
    finally:
        await bot.stop()


async def one_run(ctx: Context, which: str, index: int) -> tuple[float, float]:
    """(ack p99, confirmation p99) of one burst against `which` bot."""
    async with fakes() as fx:
        fx.discord.rate_limits.enabled = True
        members = await fx.add_members(COMMANDS + 1)
        env = bot_env(fx, ctx.sqlite_url(f"baseline-{which}-{index}.db"))
        log = ctx.workdir / f"baseline-{which}-{index}.log"
        runner = running_baseline if which == "baseline" else running_bot
        async with runner(fx, env, log):
            warm = await fx.video(members[-1])  # first-call imports out of the figure
            await fx.discord.wait_for_response(warm, 15)
            await asyncio.sleep(0.5)
            fx.discord.rate_limits.reset()
            with fakes_without_gc_pauses():
                burst, confirmed_at = await burst_of_commands(fx, members[:COMMANDS])
    acks = [i.responses[0].received_at - i.created_at for i in burst]
    confirmations = [confirmed_at[i.token] - i.created_at for i in burst]
    return percentile(acks, 99), percentile(confirmations, 99)


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring), from paired runs of both bots."""
    pairs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for index in range(PAIRS):
        base = await one_run(ctx, "baseline", index)
        ours = await one_run(ctx, "klingcord", index)
        pairs.append((base, ours))
    ack_ratios = [ours[0] / base[0] for base, ours in pairs]
    confirmation_ratios = [ours[1] / base[1] for base, ours in pairs]
    ack, confirmation = statistics.median(ack_ratios), statistics.median(confirmation_ratios)

    def listing(part: int) -> str:
        return "; ".join(f"{ms(ours[part])} vs {ms(base[part])} ({ours[part] / base[part]:.2f}x)"
                         for base, ours in pairs)

    what = (f"{PAIRS} pairs of runs, baseline then klingcord, {COMMANDS} `/video text` "
            "commands from as many members in one channel at once, Discord's rate limits on")
    return [
        Figure(name="ack p99 vs a minimal bot",
               measured=f"{ack:.2f}x (median of {PAIRS} pairs)",
               target=f"<= {TARGET_ACK}x", ok=ack <= TARGET_ACK,
               notes=[what, f"klingcord vs baseline p99 per pair: {listing(0)}"]),
        Figure(name="private confirmation p99 vs a minimal bot",
               measured=f"{confirmation:.2f}x (median of {PAIRS} pairs)",
               target=f"<= {TARGET_CONFIRMATION}x", ok=confirmation <= TARGET_CONFIRMATION,
               notes=[what + "; the baseline's confirmation is its only follow-up, "
                      "klingcord's comes after reserving the job (its public card follows)",
                      f"klingcord vs baseline p99 per pair: {listing(1)}"]),
    ]
