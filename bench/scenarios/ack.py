"""Interaction ack latency: 200 `/video text` commands arrive over the gateway at once.

Measured on the fake Discord's side, so it is what Discord would see: from the moment the fake
sends each INTERACTION_CREATE (`Interaction.created_at`) to the moment it receives the bot's
first interaction callback (the deferral, `InteractionCallback.received_at`). Discord drops an
interaction that is not answered within 3 s; that is why this figure matters under a burst.
The driving process's garbage collector is kept from pausing the fakes meanwhile (see
`fakes_without_gc_pauses`); the bot's is not.
"""

from __future__ import annotations

import asyncio
import re
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
from testkit.fakes.discord import Interaction, Member, RecordedRequest

COMMANDS = 200
TARGET_P99 = 0.150


def rest_calls(requests: list[RecordedRequest]) -> str:
    """The bot's Discord REST calls, by kind, per command of the burst."""
    kinds: Counter[str] = Counter()
    for request in requests:
        path = re.sub(r"\d{5,}", "{id}", request.path)
        path = re.sub(r"/(interactions|webhooks)/\{id\}/[^/]+", r"/\1/{id}/{token}", path)
        kinds[f"{request.method} {path}"] += 1
    return ", ".join(f"{count / COMMANDS:.2g} x {kind}" for kind, count in kinds.most_common())


def followups(fx: Fakes) -> dict[str, float]:
    """When the bot's private follow-up (which replaces the "thinking" message) arrived, by
    interaction token."""
    found: dict[str, float] = {}
    for request in fx.discord.requests:
        if request.method == "POST" and request.path.startswith("/webhooks/") and \
                0 < request.status < 300:
            found.setdefault(request.path.rsplit("/", 1)[-1], request.received_at)
    return found


async def burst_of_commands(fx: Fakes, members: list[Member]
                            ) -> tuple[list[Interaction], dict[str, float]]:
    """One `/video text` per member, all at once; wait until each is acknowledged and then
    confirmed privately (the bot has reserved the job; its card follows). Returns the
    interactions and when each confirmation arrived, by interaction token."""
    burst = await asyncio.gather(*(fx.video(member) for member in members))
    await fx.discord.wait_until(lambda: all(i.responses for i in burst) or None, 30,
                                "every interaction to be answered")
    tokens = {i.token for i in burst}

    def all_confirmed() -> dict[str, float] | None:
        seen = followups(fx)
        return seen if tokens <= seen.keys() else None

    confirmed: dict[str, float] = await bounded_wait(all_confirmed, 120,
                                                     "every private confirmation", every=0.1)
    return list(burst), confirmed


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring)."""
    async with fakes() as fx:
        members = await fx.add_members(COMMANDS + 1)
        env = bot_env(fx, ctx.sqlite_url("ack.db"), extra=ctx.env_extra())
        async with running_bot(fx, env, ctx.workdir / "ack.log") as bot:
            # Warm-up: one command end to end, so the burst meets a warm process, as in
            # production, rather than first-call imports.
            warm = await fx.video(members[-1])
            await fx.kling.wait_for(lambda: fx.kling.last_task, 15)
            await fx.discord.wait_for_response(warm, 15)
            await asyncio.sleep(0.5)

            first_request = len(fx.discord.requests)
            with fakes_without_gc_pauses():
                async with bot.profiled(ctx.profile_to):
                    burst, confirmed_at = await burst_of_commands(fx, members[:COMMANDS])
            calls = rest_calls(fx.discord.requests[first_request:])

    latencies = [i.responses[0].received_at - i.created_at for i in burst]
    p50, p99, worst = percentile(latencies, 50), percentile(latencies, 99), max(latencies)
    confirmations = [confirmed_at[i.token] - i.created_at for i in burst]
    return [Figure(
        name="interaction ack latency",
        measured=f"p50 {ms(p50)}, p99 {ms(p99)}, max {ms(worst)}",
        target=f"p99 < {TARGET_P99 * 1000:.0f} ms",
        ok=p99 < TARGET_P99,
        notes=[f"{COMMANDS} `/video text` commands from {COMMANDS} members dispatched "
               "together over the gateway; first interaction callback (the deferral) "
               "timed on the fake Discord",
               f"the private confirmation that follows (the job reserved; its public card, "
               f"thread and queue come after it): "
               f"p50 {ms(percentile(confirmations, 50))}, max {ms(max(confirmations))}",
               f"Discord REST calls per command meanwhile: {calls}"],
    )]
