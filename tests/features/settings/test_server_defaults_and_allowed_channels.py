"""A server's defaults and allowed channels, set by a moderator through /klingbot settings: a
video outside the allowed channels is refused, inside one it runs on the server's defaults, and
a member's explicit choice beats a default."""

from __future__ import annotations

import pytest

from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)


@pytest.mark.usefixtures("no_bot_errors")
async def test_server_defaults_and_allowed_channels(world: World) -> None:
    await world.start_bot()
    guild = world.discord.guild_id
    videos = await world.discord.add_channel(guild, "videos")
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "klingbot", ["settings", "defaults"],
                                      {"default_model": "kling-v1", "default_mode": "pro",
                                       "default_duration": 10})
    await world.wait_private_reply(inter)
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "klingbot", ["settings", "channels"],
                                      {"allowed_channel": videos.id})
    await world.wait_private_reply(inter)
    refused = await world.wait_private_reply(await world.video(world.alice))
    assert f"<#{videos.id}>" in refused and world.kling.create_count == 0
    ok = await world.discord.slash(guild, videos.id, world.alice.user.id, "video", ["text"],
                                   {"prompt": "a boat"})
    assert "on its way" in await world.wait_private_reply(ok)
    body = (await world.kling.wait_for(lambda: world.kling.last_task)).request
    assert (body["model"], body["mode"], body["duration"]) == ("kling-v1", "pro", 10)
    # A member's explicit choice beats the server's default.
    ok = await world.discord.slash(guild, videos.id, world.alice.user.id, "video", ["text"],
                                   {"prompt": "a boat", "model": "kling-v2-master"})
    await world.wait_private_reply(ok)
    body = (await world.kling.wait_for(
        lambda: world.kling.create_count == 2 and world.kling.last_task)).request
    assert body["model"] == "kling-v2-master" and "mode" not in body
