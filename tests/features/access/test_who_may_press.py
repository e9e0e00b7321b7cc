"""Who may press the persistent buttons, as members and moderators meet it: every button
declares it and is checked before it does anything, the refusal is private and in the
presser's language, and a moderator may press what the requester may."""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord.i18n.texts import speaking, text
from bot.store import JobState, LedgerStatus
from testkit.store_reads import ledger_entry
from tests.discord_support import World, custom_ids

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


def said(language: str, key: str) -> str:
    with speaking(language):
        return text(key)


async def test_a_moderators_button_refuses_a_member_in_their_language(world: World) -> None:
    bot = await world.start_bot()
    guild = world.discord.guild_id
    log = await world.discord.add_channel(guild, "mod-log")
    for topic, options in (("channels", {"log_channel": log.id}),
                           ("review", {"review": "untrusted"})):
        inter = await world.discord.slash(guild, world.discord.channel_id,
                                          world.moderator.user.id, "klingbot",
                                          ["settings", topic], options)
        await world.wait_private_reply(inter)
    await world.wait_private_reply(await world.video(world.alice,
                                                     options={"prompt": "a held fox"}))
    message = await world.discord.wait_for_message(
        log.id, lambda m: "a held fox" in str(m["embeds"]) and bool(custom_ids(m)))
    approve, _ = custom_ids(message)
    world.bob.locale = "ko"
    denied = await world.discord.click(world.bob.user.id, int(message["id"]), approve)
    assert await world.wait_private_reply(denied) == said("ko", "mod.only")
    [held] = await bot.engine.store.jobs_in_state((JobState.REVIEW,))
    assert held.prompt == "a held fox" and world.kling.create_count == 0


async def test_a_moderator_cancels_a_members_queued_job_and_a_stranger_cannot(
        world: World) -> None:
    world.kling.auto_finish = False
    bot = await world.start_bot(kling_concurrency=1)
    await world.wait_private_reply(await world.video(world.bob))
    await world.wait_private_reply(await world.video(world.alice,
                                                     options={"prompt": "second in line"}))

    def queued_card() -> dict[str, Any] | None:
        return next((m for m in world.discord.messages_in(world.discord.channel_id)
                     if "second in line" in str(m["embeds"]) and custom_ids(m)), None)

    card = await world.discord.wait_until(queued_card, 5, "the queued card with Cancel")
    [cancel] = custom_ids(card)
    job_id = cancel.rsplit(":", 1)[1]
    world.bob.locale = "ko"
    stranger = await world.discord.click(world.bob.user.id, int(card["id"]), cancel)
    assert await world.wait_private_reply(stranger) == said("ko", "cancel.not_yours")
    assert (await ledger_entry(bot.engine.store, job_id))[1] is not LedgerStatus.REFUNDED
    by_moderator = await world.discord.click(world.moderator.user.id, int(card["id"]), cancel)
    assert "refunded" in await world.wait_private_reply(by_moderator)
    assert (await ledger_entry(bot.engine.store, job_id))[1] is LedgerStatus.REFUNDED
