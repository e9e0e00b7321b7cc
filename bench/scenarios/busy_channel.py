"""One busy channel, throttled like Discord: 20, then 50 members run `/video text` in one
channel at once, with the fake Discord enforcing Discord's rate limits (global 50/s, message
creates and edits 5 per 5 s per channel, threads 5 per 5 s per channel, interaction tokens in
their own buckets). Timed on the fake Discord's clock: each member's public card visible
(INTERACTION_CREATE sent -> the card's embed received, as a follow-up of the command or a
channel message); then, once every job is at Kling and the channel's card edits have settled,
every thread is started (Kling takes minutes; the threads take seconds), every task is
finished at once and each result's arrival is timed from that moment (a result must not queue
behind cards). REST calls per job: every call of the run, from the burst to the
last card edit after the last result, divided by the jobs.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter

from bench.harness import (
    Context,
    Fakes,
    Figure,
    bot_env,
    bounded_wait,
    fakes,
    fakes_without_gc_pauses,
    ms,
    percentile,
    running_bot,
)
from testkit.fakes.discord import Interaction, RecordedRequest

SIZES = (20, 50)
TARGET_CARD_P99 = 2.0  # for 20 members
TARGET_RESULT_P99 = 2.0  # from the tasks finishing, for 20 members
TARGET_CALLS = 5  # plus paced card edits
EDIT = re.compile(r"^PATCH /channels/\{id\}/messages/\{id\}$")


def kind(request: RecordedRequest) -> str:
    """The request's method and route with ids and tokens masked, to count calls by kind."""
    path = re.sub(r"/(interactions|webhooks)/\d+/[^/]+", r"/\1/{id}/{token}", request.path)
    return f"{request.method} {re.sub(r'/[0-9]{5,}', '/{id}', path)}"


def card_shown_at(fx: Fakes, burst: list[Interaction]) -> dict[int, float]:
    """When each member's card (an embed with a title) reached the fake Discord."""
    tokens = {i.token: i.id for i in burst}
    shown: dict[int, float] = {}
    for request in fx.discord.requests:
        if not 0 < request.status < 300 or not isinstance(request.json, dict):
            continue
        embeds = request.json.get("embeds") or []
        if not (embeds and embeds[0].get("title")):
            continue
        token = next((t for t in tokens if t in request.path), None)
        if token is not None:  # a follow-up of the command (or its edited response)
            shown.setdefault(tokens[token], request.received_at)
        elif request.method == "POST" and request.path.endswith("/messages") and \
                request.response:  # a card posted in the channel (the private flow)
            for inter in burst:
                if f"<@{inter.user_id}>" in str(embeds[0]) and inter.id not in shown:
                    shown[inter.id] = request.received_at
                    break
    return shown


async def one_size(ctx: Context, members_count: int) -> Figure:
    """The figure for `members_count` members making a video at once in one channel."""
    async with fakes() as fx:
        members = await fx.add_members(members_count + 1)
        slots = {name: str(members_count + 1) for name in
                 ("MAX_JOBS_PER_MEMBER", "MAX_JOBS_PER_SERVER", "KLING_CONCURRENCY")}
        env = bot_env(fx, ctx.sqlite_url(f"busy-{members_count}.db"), extra=slots)
        async with running_bot(fx, env, ctx.workdir / f"busy-{members_count}.log") as bot:
            warm = await fx.video(members[-1])
            await fx.discord.wait_for_response(warm, 15)
            await fx.kling.wait_for(lambda: fx.kling.tasks, 15)
            await asyncio.sleep(0.5)
            fx.discord.rate_limits.enabled = True
            fx.discord.rate_limits.reset()
            first = len(fx.discord.requests)
            with fakes_without_gc_pauses():
                burst = list(await asyncio.gather(*(fx.video(m) for m in members[:-1])))
                shown = await bounded_wait(
                    lambda: (found := card_shown_at(fx, burst)) and len(found) == len(burst)
                    and found, 60, "every card", every=0.05)
                await bot.wait_jobs("submitted", members_count + 1, 120)
                # Kling takes minutes; by then every thread is started (5 per 5 s here).
                threads = await bounded_wait(lambda: (found := [
                    r for r in fx.discord.requests[first:] if r.path.endswith("/threads")
                    and r.status == 201]) and len(found) == members_count and found,
                    180, "every thread", every=0.1)
                threads_done = max(r.received_at for r in threads) - burst[0].created_at
                await asyncio.sleep(6)  # the channel's card edits settle (one bucket window)
                finished = time.monotonic()
                cursor = len(fx.discord.requests)
                for task_id in list(fx.kling.tasks)[1:]:
                    await fx.kling.finish(task_id)
                await bot.wait_jobs("delivered", members_count, 180)
                await asyncio.sleep(6)  # the last card edits
            results = [r.received_at - finished for r in fx.discord.requests[cursor:]
                       if r.method == "POST" and r.status == 200
                       and "your video is ready" in str((r.json or {}).get("content", ""))]
            calls = Counter(kind(r) for r in fx.discord.requests[first:] if r.status != 429)
            refused = sum(1 for r in fx.discord.requests[first:] if r.status == 429)
    cards = [shown[i.id] - i.created_at for i in burst]
    edits = sum(n for k, n in calls.items() if EDIT.match(k)) / members_count
    others = sum(n for k, n in calls.items() if not EDIT.match(k)) / members_count
    card_p99, result_p99 = percentile(cards, 99), percentile(results, 99)
    judged = members_count == SIZES[0]
    ok = others <= TARGET_CALLS and (not judged or (card_p99 <= TARGET_CARD_P99
                                                    and result_p99 <= TARGET_RESULT_P99))
    by_kind = ", ".join(f"{n / members_count:.2g} x {k}" for k, n in calls.most_common())
    return Figure(
        name=f"one busy channel, {members_count} members",
        measured=(f"card p99 {ms(card_p99)}, result p99 {ms(result_p99)} after Kling, "
                  f"{others:.1f} calls + {edits:.1f} card edits per job"),
        target=(f"card p99 <= {TARGET_CARD_P99:.0f} s, result p99 <= "
                f"{TARGET_RESULT_P99:.0f} s, <= {TARGET_CALLS} calls + paced edits"
                if judged else f"<= {TARGET_CALLS} calls + paced edits (cards, results: "
                               "reported)"),
        ok=ok,
        notes=[f"{members_count} members at once in one channel, Discord's rate limits on; "
               f"card p50 {ms(percentile(cards, 50))}, max {ms(max(cards))}; results "
               f"({len(results)}) p50 {ms(percentile(results, 50))}, max {ms(max(results))} "
               "after every task finished at once",
               f"every thread started {threads_done:.1f} s after the burst (Discord publishes "
               "no thread limit; the fake's 5 per 5 s per channel is an assumption); the "
               "tasks were finished after that, as Kling's minutes would",
               f"REST calls per job over its life (429s answered: {refused}): {by_kind}"],
    )


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring), one per channel size."""
    return [await one_size(ctx, size) for size in SIZES]
