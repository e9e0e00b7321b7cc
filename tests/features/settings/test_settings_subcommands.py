"""`/klingbot settings <topic>` through Discord: each subcommand changes the settings of its
topic (stored, shown back, audited with the reason given), `show` only shows them, and a member
who is not a moderator is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.discord_support import World

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


async def settings(world: World, member: Any, topic: str, options: dict[str, Any]) -> str:
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, "klingbot", ["settings", topic], options)
    return await world.wait_private_reply(inter)


async def test_each_topic_changes_its_own_settings(world: World) -> None:
    bot = await world.start_bot()
    guild = world.discord.guild_id
    log = await world.discord.add_channel(guild, "mod-log")
    videos = await world.discord.add_channel(guild, "videos")
    mods = await world.discord.add_role(guild, "mods")
    trusted = await world.discord.add_role(guild, "trusted")
    topics: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
        ("channels", {"log_channel": log.id, "allowed_channel": videos.id},
         {"log_channel_id": log.id, "allowed_channel_ids": [videos.id]},
         f"`log_channel_id`: <#{log.id}>"),
        ("access", {"moderator_role": mods.id, "extend_access": "anyone"},
         {"moderator_role_id": mods.id, "extend_access": "anyone"},
         f"`moderator_role_id`: <@&{mods.id}>"),
        ("defaults", {"default_model": "kling-v1", "default_mode": "pro",
                      "default_duration": 10},
         {"default_model": "kling-v1", "default_mode": "pro", "default_duration": 10},
         "`default_mode`: pro"),
        ("limits", {"forbid_model": "kling-v3", "allow_4k": False, "allow_audio": False,
                    "max_duration": 10, "confirm_above": 3},
         {"forbidden_models": ["kling-v3"], "allow_4k": False, "allow_audio": False,
          "max_duration": 10, "confirm_above": 3},
         "`forbidden_models`: `kling-v3`"),
        ("review", {"review": "new_members", "review_days": 3, "review_timeout": 30,
                    "trusted_role": trusted.id},
         {"review": "new_members", "review_new_member_days": 3,
          "review_timeout_minutes": 30, "trusted_role_id": trusted.id},
         "`review`: new_members"),
        ("credits", {"reset_hour": 6, "give_share": 25},
         {"reset_hour_utc": 6, "give_share": 25}, "`give_share`: 25"),
        ("language", {"language": "ko"}, {"language": "ko"}, "`language`: ko"),
    ]
    for topic, options, stored, shown in topics:
        reply = await settings(world, world.moderator, topic, {**options, "reason": topic})
        assert shown in reply, (topic, reply)
        rows = await bot.engine.store.guild_settings(guild)
        assert {key: rows.get(key) for key in stored} == stored, topic
    entries = await bot.engine.store.audit_entries(guild, limit=50)
    assert len(entries) == sum(len(stored) for _, _, stored, _ in topics)
    assert {e.reason for e in entries} == {topic for topic, *_ in topics}
    # Undoing a limit: 0 clears it, and allowing the model again empties the list.
    await settings(world, world.moderator, "limits", {"max_duration": 0, "allow_model": "kling-v3"})
    rows = await bot.engine.store.guild_settings(guild)
    assert "max_duration" not in rows and "forbidden_models" not in rows


async def test_show_changes_nothing_and_members_are_refused(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = await world.start_bot()
    guild = world.discord.guild_id
    await settings(world, world.moderator, "credits", {"give_share": 25})
    shown = await settings(world, world.moderator, "show", {})
    assert "Current settings" in shown and "`give_share`: 25" in shown
    # A topic given no option shows the settings too, and stores nothing.
    assert "`give_share`: 25" in await settings(world, world.moderator, "limits", {})
    assert len(await bot.engine.store.audit_entries(guild)) == 1
    monkeypatch.setattr(world.discord, "can_use_command", lambda *args: True)
    for topic in ("show", "credits"):
        refused = await settings(world, world.alice, topic, {})
        assert "Only moderators" in refused, topic
    refused = await settings(world, world.alice, "credits", {"give_share": 90})
    assert "Only moderators" in refused
    assert (await bot.engine.store.guild_settings(guild))["give_share"] == 25


async def test_a_refused_change_names_the_rule_and_changes_nothing(world: World) -> None:
    bot = await world.start_bot()
    guild = world.discord.guild_id
    reply = await settings(world, world.moderator, "review", {"review": "untrusted"})
    assert "/klingbot settings channels log_channel" in reply
    assert "Nothing was changed" in reply
    reply = await settings(world, world.moderator, "limits", {"forbid_model": "kling-v9"})
    assert "Unknown model `kling-v9`" in reply
    assert await bot.engine.store.guild_settings(guild) == {}
    assert await bot.engine.store.audit_entries(guild) == []
