"""Delivery overhead: from a result callback reaching the bot to the result message reaching
Discord, for 500 jobs, with a file so small that transfer time is out of the figure.

The fake Kling cannot serve an empty MP4; its smallest file is the 32-byte header (an `ftyp`
box and an empty `mdat`), which is what is used. Callbacks are sent one at a time (the next
after the previous result was posted), so the figure is the bot's own overhead per delivery:
look up the job by token, record the result, claim the delivery, fetch the file, upload it.
Timed on the fakes' side, on one clock: the moment the fake Kling starts the callback POST to
the moment the fake Discord has received the result message (`RecordedRequest.received_at`).
The driving process's garbage collector is kept from pausing the fakes meanwhile (see
`fakes_without_gc_pauses`); the bot's is not.
"""

from __future__ import annotations

import asyncio
import time

from bench.harness import (
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
from testkit.fakes.discord import RecordedRequest

JOBS = 500
WARM_UP = 5
MEMBERS = 50
TARGET_P99 = 0.050
SMALLEST_MP4 = 32


class ResultWatch:
    """Finds result messages among the fake Discord's requests, oldest first, each once."""

    def __init__(self, fx: Fakes) -> None:
        self.fx = fx
        self.cursor = len(fx.discord.requests)

    def next_result(self) -> RecordedRequest | None:
        """The next result message the bot posted, or None until one is (and answered)."""
        requests = self.fx.discord.requests
        while self.cursor < len(requests):
            request = requests[self.cursor]
            if not request.status:  # recorded, not answered yet: look again later
                return None
            self.cursor += 1
            if request.method == "POST" and request.path.endswith("/messages") and \
                    "your video is ready" in str((request.json or {}).get("content", "")):
                return request
        return None


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring)."""
    total = JOBS + WARM_UP
    async with fakes(video_size=SMALLEST_MP4) as fx:
        fx.kling.suppress_callbacks = True  # sent below, one at a time, timed
        members = await fx.add_members(MEMBERS)
        # Slots for every job at once: this figure is about delivery, not the fair queue.
        slots = {name: str(total) for name in
                 ("MAX_JOBS_PER_MEMBER", "MAX_JOBS_PER_SERVER", "KLING_CONCURRENCY")}
        env = bot_env(fx, ctx.sqlite_url("delivery.db"), extra={**slots, **ctx.env_extra()})
        async with running_bot(fx, env, ctx.workdir / "delivery.log") as bot:
            for start in range(0, total, MEMBERS):
                end = min(total, start + MEMBERS)
                await asyncio.gather(*(fx.video(members[i % MEMBERS], f"job {i}")
                                       for i in range(start, end)))

                def created(count: int = end) -> bool:
                    return len(fx.kling.tasks) >= count

                await fx.kling.wait_for(created, 60)
            await bot.wait_jobs("submitted", total, 60)

            overheads: list[float] = []
            watch = ResultWatch(fx)
            with fakes_without_gc_pauses():
                for index, task_id in enumerate(list(fx.kling.tasks)):
                    await fx.kling.finish(task_id)  # no callback yet: suppressed
                    sent = time.monotonic()
                    await fx.kling.send_callback(task_id)
                    posted = await fx.discord.wait_until(watch.next_result, 30,
                                                         "a result message")
                    if index >= WARM_UP:
                        overheads.append(posted.received_at - sent)
            await bot.wait_jobs("delivered", total, 60)

    p50, p99 = percentile(overheads, 50), percentile(overheads, 99)
    return [Figure(
        name="delivery overhead",
        measured=f"p50 {ms(p50)}, p99 {ms(p99)}, max {ms(max(overheads))}",
        target=f"p99 < {TARGET_P99 * 1000:.0f} ms",
        ok=p99 < TARGET_P99,
        notes=[f"{JOBS} jobs (after {WARM_UP} warm-up deliveries), callbacks one at a time; "
               f"a {SMALLEST_MP4}-byte MP4 (the fake's smallest: header only) uploaded to the "
               "job's thread; callback POST sent -> result message received, on the fakes' "
               "clock"],
    )]
