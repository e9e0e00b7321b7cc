"""Moderation through Discord: moderator commands, the audit log channel, the queue card."""

from __future__ import annotations

from typing import Any

import pytest

from bot.store import JobState, LedgerStatus
from testkit.fakes.discord import Permission
from testkit.store_reads import ledger_entry
from tests.discord_support import World, custom_ids
from tests.settings_commands import settings_path

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


async def quota(world: World, member: Any, sub: str, options: dict[str, Any] | None = None
                ) -> str:
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, "quota", [sub], options or {})
    return await world.wait_private_reply(inter)


async def klingbot(world: World, member: Any, options: dict[str, Any]) -> str:
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, "klingbot", settings_path(options),
                                      options)
    return await world.wait_private_reply(inter)


async def test_members_cannot_moderate_even_when_the_client_shows_the_command(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = await world.start_bot()
    alice, bob = world.alice, world.bob
    with pytest.raises(PermissionError):  # Discord hides /klingbot from members...
        await klingbot(world, alice, {"extend_access": "anyone"})
    # ...and when a server shows it anyway, the bot still says no.
    monkeypatch.setattr(world.discord, "can_use_command", lambda *args: True)
    assert "Only moderators" in await klingbot(world, alice, {"extend_access": "anyone"})
    for sub, options in [("set", {"member": bob.user.id, "credits": 99}),
                         ("grant", {"member": alice.user.id, "credits": 5, "reason": "me"}),
                         ("block", {"member": bob.user.id, "reason": "no"}),
                         ("server", {"credits": 0}),
                         ("usage", {})]:
        assert "Only moderators" in await quota(world, alice, sub, options), sub
    assert await bot.engine.store.audit_entries(world.discord.guild_id) == []
    settings = await bot.engine.store.guild_settings(world.discord.guild_id)
    assert "extend_access" not in settings


async def test_moderator_actions_are_applied_audited_and_posted(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=10)
    guild = world.discord.guild_id
    log_channel = await world.discord.add_channel(guild, "mod-log")
    mod, alice = world.moderator, world.alice
    assert "mod-log" in await klingbot(world, mod, {"log_channel": log_channel.id,
                                                    "reason": "set up"}) or True
    assert "Done" in await quota(world, mod, "set", {"member": alice.user.id, "credits": 1,
                                                     "reason": "new member"})
    assert "**1** of 1" in await quota(world, alice, "me")

    assert "Done" in await quota(world, mod, "block", {"member": alice.user.id,
                                                       "reason": "posting spoilers"})
    refused = await world.wait_private_reply(await world.video(alice))
    assert "posting spoilers" in refused
    assert world.kling.create_count == 0
    assert "posting spoilers" in await quota(world, alice, "me")
    assert "Done" in await quota(world, mod, "unblock", {"member": alice.user.id})

    shown = await quota(world, mod, "show", {"member": alice.user.id})
    assert "new member" in shown and "unblock" in shown and "block" in shown
    entries = await bot.engine.store.audit_entries(guild, alice.user.id)
    assert [e.action for e in entries] == ["unblock", "block", "set_member_limit"]
    assert entries[-1].actor_id == mod.user.id and entries[-1].new_value == "1"
    assert entries[-1].old_value is None and entries[-1].reason == "new member"

    def posted() -> list[str] | None:
        lines = [m["content"] for m in world.discord.messages_in(log_channel.id)]
        return lines if len(lines) >= 4 else None

    lines = await world.discord.wait_until(posted, 5, "audit lines in the log channel")
    assert any("set member limit" in line and "new member" in line for line in lines)
    assert any("block" in line and "posting spoilers" in line for line in lines)
    assert all(f"<@{mod.user.id}>" in line for line in lines)


async def test_a_moderator_role_counts_as_moderator(world: World) -> None:
    guild = world.discord.guild_id
    helpers = await world.discord.add_role(guild, "helpers")
    helper = await world.discord.add_member(guild, name="helper", roles=[helpers.id])
    await world.start_bot()
    assert "Only moderators" in await quota(world, helper, "usage")
    await klingbot(world, world.moderator, {"moderator_role": helpers.id})
    assert "Credits spent" in await quota(world, helper, "usage")


async def test_roles_and_server_defaults_through_commands(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=1)
    guild = world.discord.guild_id
    vip = await world.discord.add_role(guild, "vip")
    fan = await world.discord.add_member(guild, name="fan", roles=[vip.id])
    await quota(world, world.moderator, "role", {"role": vip.id, "credits": 7})
    await quota(world, world.moderator, "default", {"credits": 3})
    assert "of 7 credits" in await quota(world, fan, "me")
    assert "of 3 credits" in await quota(world, world.bob, "me")
    await quota(world, world.moderator, "server", {"credits": 1})
    await world.wait_private_reply(await world.video(world.bob))
    refused = await world.wait_private_reply(await world.video(fan))
    assert "server has used its 1 credit for this period" in refused  # not "1 credits"
    assert len(await bot.engine.store.jobs_in_state(tuple(JobState))) == 1


async def test_queued_card_shows_position_and_cancel_refunds(world: World) -> None:
    world.kling.auto_finish = False
    bot = await world.start_bot(kling_concurrency=1)
    await world.wait_private_reply(await world.video(world.bob))
    inter = await world.video(world.alice, options={"prompt": "second in line"})
    assert "on its way" in await world.wait_private_reply(inter)

    def queued_card() -> dict[str, Any] | None:
        for message in world.discord.messages_in(world.discord.channel_id):
            if "second in line" in str(message["embeds"]) and "position 1" in str(
                    message["embeds"]):
                return message
        return None

    card = await world.discord.wait_until(queued_card, 5, "a card with the queue position")
    [cancel] = custom_ids(card)
    assert cancel.startswith("kling:cancel:")
    stranger = await world.discord.click(world.bob.user.id, int(card["id"]), cancel)
    assert "Only the person" in await world.wait_private_reply(stranger)
    click = await world.discord.click(world.alice.user.id, int(card["id"]), cancel)
    assert "refunded" in await world.wait_private_reply(click)
    job_id = cancel.rsplit(":", 1)[1]
    assert await ledger_entry(bot.engine.store, job_id) == (1, LedgerStatus.REFUNDED)
    await world.discord.wait_until(
        lambda: "Cancelled by" in str(world.discord.messages[int(card["id"])]["embeds"]), 5,
        "the card to say cancelled")
    assert custom_ids(world.discord.messages[int(card["id"])]) == []  # no more Cancel


async def test_moderator_permission_comes_from_manage_guild(world: World) -> None:
    assert world.discord.base_permissions(world.discord.guild_id,
                                          world.moderator.user.id) & Permission.MANAGE_GUILD
