"""Memory while delivering: peak RSS growth of the bot process while it delivers a 300 MB
result (too big to upload: the message carries the link) and a 9 MiB one (uploaded), against
the same process idle just before.

The bot must stream a video to a temporary file and upload it from there, never holding it
whole. The peak is the kernel's own high-water mark (VmHWM), reset just before the result
is released, read after the result message was posted; a 5 ms VmRSS sampler runs alongside
as a cross-check. Idle is the highest VmRSS sampled over the second before.
"""

from __future__ import annotations

import asyncio

from bench.harness import (
    MIB,
    BotProcess,
    Context,
    Fakes,
    Figure,
    RssSampler,
    bot_env,
    fakes,
    mb,
    proc_status,
    reset_peak,
    running_bot,
)
from testkit.fakes.discord import Member

TARGET_GROWTH_KIB = 20 * 1024
CASES = (
    ("300 MB result (link)", 300 * 1000 * 1000),
    ("9 MiB result (upload)", 9 * MIB),
)


async def deliver_one(fx: Fakes, bot: BotProcess, member: Member, size: int
                      ) -> tuple[int, int, int]:
    """One job whose result is `size` bytes: (idle KiB, peak KiB by VmHWM, peak KiB sampled)."""
    posted_before = len(fx.discord.requests_to("POST", r"/channels/\d+/messages$"))
    known = set(fx.kling.tasks)
    await fx.video(member)
    task_id: str = await fx.kling.wait_for(
        lambda: next(iter(set(fx.kling.tasks) - known), ""), 30)
    await bot.wait_jobs("submitted", 1, 30)
    fx.kling.set_video_size(task_id, size)

    sampler = RssSampler(bot.pid)
    sampler.start()
    await asyncio.sleep(1.0)
    idle = sampler.peak_kib
    await sampler.stop()

    hwm_reset = reset_peak(bot.pid)
    sampler.start()
    await fx.kling.finish(task_id)

    def result_posted() -> bool:
        posted = fx.discord.requests_to("POST", r"/channels/\d+/messages$")
        return any("your video is ready" in str((r.json or {}).get("content", ""))
                   for r in posted[posted_before:] if r.status)

    await fx.discord.wait_until(result_posted, 120, "the result message")
    await bot.wait_jobs("delivered", len(known) + 1, 30)
    await sampler.stop()
    hwm = proc_status(bot.pid)["VmHWM"] if hwm_reset else 0
    return idle, hwm, sampler.peak_kib


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring)."""
    figures: list[Figure] = []
    async with fakes() as fx:
        members = await fx.add_members(len(CASES) + 1)
        env = bot_env(fx, ctx.sqlite_url("memory.db"), extra=ctx.env_extra())
        async with running_bot(fx, env, ctx.workdir / "memory.log") as bot:
            # Warm-up: one small upload end to end, so first-use imports and buffers are
            # part of "idle", as they are in a process that has run for a while.
            await deliver_one(fx, bot, members[-1], 64 * 1024)
            results = [(name, await deliver_one(fx, bot, member, size))
                       for (name, size), member in zip(CASES, members, strict=False)]
    growths = {name: max(hwm, sampled) - idle for name, (idle, hwm, sampled) in results}
    worst = max(growths.values())
    details = [f"{name}: idle {mb(idle)}, peak {mb(max(hwm, sampled))} (VmHWM {mb(hwm)}, "
               f"sampled {mb(sampled)})" for name, (idle, hwm, sampled) in results]
    figures.append(Figure(
        name="memory while delivering",
        measured="; ".join(f"{name}: +{mb(growth)}" for name, growth in growths.items()),
        target=f"< {TARGET_GROWTH_KIB // 1024} MB growth for both",
        ok=worst < TARGET_GROWTH_KIB,
        notes=["peak RSS of the bot process while delivering, minus its idle RSS just "
               "before (upload limit 10 MiB, the fake guild's default)", *details],
    ))
    return figures
