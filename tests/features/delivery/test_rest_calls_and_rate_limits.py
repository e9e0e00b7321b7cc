"""A job's REST calls are few and keep off the channel's message bucket; the bot works under
Discord's real rate limits (the fake enforcing them): card edits are paced, and a 429 delays a
result but never doubles it."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

import pytest

from bot.store import JobState, LedgerStatus
from testkit.store_reads import ledger_entry
from tests.discord_support import EPHEMERAL, World, custom_ids

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


def kinds(world: World, since: int) -> list[str]:
    """The bot's REST calls since request number `since`, ids and tokens masked."""
    found = []
    for request in world.discord.requests[since:]:
        path = re.sub(r"/(interactions|webhooks)/(\d+)/[^/]+", r"/\1/\2/{token}", request.path)
        path = path.replace(str(world.discord.channel_id), "{channel}")
        path = re.sub(r"/\d{5,}", "/{id}", path)
        found.append(f"{request.method} {path}")
    return found


async def test_a_job_makes_five_calls_and_its_card_is_the_commands_response(
        world: World) -> None:
    bot = await world.start_bot(card_edit_interval=0.05)
    since = len(world.discord.requests)
    inter = await world.video(world.alice)
    await world.wait_delivered(bot)
    await asyncio.sleep(0.3)  # the final card edit
    calls = kinds(world, since)
    edits = [c for c in calls if c == "PATCH /channels/{channel}/messages/{id}"]
    others = [c for c in calls if c not in edits]
    assert others == [
        "POST /interactions/{id}/{token}/callback",  # the private deferral
        "POST /webhooks/{id}/{token}",  # ... answered: the private confirmation
        "POST /webhooks/{id}/{token}",  # the public card, a follow-up of the command
        "POST /channels/{channel}/messages/{id}/threads",  # the thread, from the card
        "POST /channels/{id}/messages",  # the result, in the thread
    ]
    assert 1 <= len(edits) <= 2  # the card follows the job: on its way, done
    # Nothing of the job was created in the channel's message bucket.
    assert not world.discord.requests_to("POST", rf"^/channels/{world.discord.channel_id}/"
                                                 r"messages$")
    [card_id] = inter.followup_message_ids
    card = world.discord.messages[card_id]
    assert "Done" in str(card["embeds"]) and card["embeds"][0]["title"]
    assert not card["flags"] & EPHEMERAL  # public
    reply = await world.wait_private_reply(inter)
    assert "on its way" in reply


async def test_an_error_after_the_deferral_stays_private(world: World) -> None:
    await world.start_bot(default_credits_per_day=1)
    inter = await world.video(world.alice, options={"prompt": "a fox", "mode": "pro",
                                                     "duration": 10})
    reply = await world.wait_private_reply(inter)
    assert "credit" in reply.lower()
    public = [m for m in world.discord.messages_in(world.discord.channel_id)
              if m.get("interaction_metadata") or m.get("interaction")]
    assert public == []  # nothing shown in the channel
    assert world.kling.create_count == 0


async def test_a_busy_channel_under_discords_limits_gets_every_card_and_result_once(
        world: World) -> None:
    """Discord's limits on (windows shortened), and a global limit small enough that
    discord.py meets 429s: it waits them out and every member gets a card and one result."""
    from bot.metrics import REGISTRY

    def counted(name: str) -> float:
        return sum(s.value for m in REGISTRY.collect() for s in m.samples if s.name == name)

    limits = world.discord.rate_limits
    bot = await world.start_bot(card_edit_interval=0.05)
    acks, rate_limited = counted("klingcord_ack_seconds_count"), counted(
        "klingcord_discord_rate_limits_total")
    limits.enabled, limits.window_scale, limits.global_limit = True, 0.2, 4
    limits.reset()
    members = [world.alice, world.bob, *[await world.discord.add_member(
        world.discord.guild_id, name=f"m{i}") for i in range(6)]]
    burst = await asyncio.gather(*(world.video(m) for m in members))
    await world.wait_delivered(bot, len(members), timeout=40)
    assert limits.refusals, "discord.py never met a 429"
    # Operators see it: each command's ack timed, the 429s counted by route.
    assert counted("klingcord_ack_seconds_count") == acks + len(members)
    assert counted("klingcord_discord_rate_limits_total") > rate_limited
    for inter in burst:
        card = world.discord.messages[inter.followup_message_ids[-1]]
        assert card["embeds"] and card["embeds"][0]["title"]
    jobs = await bot.engine.store.jobs_in_state((JobState.DELIVERED,))
    results = [m for t in {j.thread_id for j in jobs if j.thread_id}
               for m in world.discord.messages_in(t) if "your video is ready" in m["content"]]
    assert len(results) == len(members)


@pytest.mark.usefixtures("no_bot_errors")
async def test_card_edits_are_paced(world: World) -> None:
    world.kling.processing_seconds = 1.2
    await world.start_bot(card_edit_interval=0.5)
    await world.video(world.alice)
    card_id = int((await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"])))["id"])
    await world.wait_result(card_id)
    await world.discord.wait_until(
        lambda: "Done" in str(world.discord.messages[card_id]["embeds"]), 5, "done")
    edits = [r.received_at for r in world.discord.requests_to(
        "PATCH", rf"/channels/{world.discord.channel_id}/messages/{card_id}$")]
    assert len(edits) >= 2
    gaps = [b - a for a, b in itertools.pairwise(edits)]
    assert min(gaps) >= 0.4, gaps  # 0.5 s apart when sent; allow for delivery jitter


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_discord_rate_limit_delays_the_result_but_never_doubles_it(
        world: World) -> None:
    await world.start_bot()
    # The first post into the thread is answered 429; discord.py waits and tries again.
    world.discord.fail_next("POST", rf"^/channels/(?!{world.discord.channel_id}/)\d+/messages$",
                            429, retry_after=0.2)
    await world.video(world.alice)
    thread_id = int((await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"])))["id"])
    [result] = await world.wait_result(thread_id)
    assert result["attachments"]
    posts = world.discord.requests_to("POST", rf"^/channels/{thread_id}/messages$")
    assert [r.status for r in posts] == [429, 200]


@pytest.mark.timeout(120)
async def test_a_confirmation_discord_fails_still_leaves_a_card_to_cancel(world: World) -> None:
    """Discord answers the private "on its way" 503 however often discord.py tries: the job is
    reserved, so the member is not told that something went wrong; they still see its public
    card, which carries Cancel, and Cancel refunds it."""
    world.kling.auto_finish = False
    bot = await world.start_bot(kling_concurrency=1)
    await world.wait_private_reply(await world.video(world.bob))  # Alice's job will queue
    await world.first_card()  # Bob's card shown: the failures below are Alice's
    # discord.py tries a follow-up five times on a 5xx: every try of the confirmation fails.
    world.discord.fail_next("POST", r"^/webhooks/\d+/[^/]+$", 503, times=5)
    inter = await world.video(world.alice, options={"prompt": "a lighthouse"})

    def card() -> dict[str, Any] | None:
        return next((m for m in world.discord.messages_in(world.discord.channel_id)
                     if "a lighthouse" in str(m["embeds"]) and custom_ids(m)), None)
    shown = await world.discord.wait_until(card, 60, "the job's public card with Cancel")
    assert not shown["flags"] & EPHEMERAL
    assert not any("went wrong" in t for t in world.private_replies(inter))
    [cancel] = custom_ids(shown)
    click = await world.discord.click(world.alice.user.id, int(shown["id"]), cancel)
    assert "refunded" in await world.wait_private_reply(click)
    assert await ledger_entry(bot.engine.store, cancel.rsplit(":", 1)[1]) == \
        (1, LedgerStatus.REFUNDED)
    assert not any("went wrong" in t for t in world.private_replies(inter))
