"""Issue 9 through Discord: what keeps members inside the server's rules and what they are told
(server-only commands, server defaults, long free text, discord.py's own errors, Extend
buttons, thread names)."""

from __future__ import annotations

import pytest

from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)


@pytest.mark.usefixtures("no_bot_errors")
async def test_commands_are_server_only_and_a_dm_is_refused(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = await world.start_bot(dev_guild_id=None)  # global commands: the ones DMs could see
    synced = world.discord.commands[None]
    assert {c["name"] for c in synced} >= {"video", "quota", "klingbot", "Animate with Kling"}
    for command in synced:
        assert (command["contexts"], command["integration_types"]) == ([0], [0]), command
    alice = world.alice.user.id
    dm = await world.discord.open_dm(alice)
    with pytest.raises(PermissionError):  # Discord's client offers no /video in a DM...
        await world.discord.slash(None, dm.id, alice, "video", ["text"], {"prompt": "a fox"})
    # ...but a client with a stale command list may still send one.
    monkeypatch.setattr(world.discord, "command_allowed_in", lambda *args: True)
    inter = await world.discord.slash(None, dm.id, alice, "video", ["text"], {"prompt": "a fox"})
    assert "servers only" in await world.wait_private_reply(inter)
    posted = await world.discord.post_user_message(dm.id, alice, "look")
    menu = await world.discord.context_menu(None, dm.id, alice, "Animate with Kling",
                                            int(posted["id"]))
    assert "servers only" in await world.wait_private_reply(menu)
    assert await bot.engine.store.count_by_state() == {}
    assert world.kling.create_count == 0
    assert [m for m in world.discord.messages_in(dm.id) if m["embeds"]] == []
