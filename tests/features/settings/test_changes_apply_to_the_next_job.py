"""A moderator's change applies to the very next job, though the store keeps each server's
settings, prompt filters and role limits in memory for a few seconds
(`bot.store.guild_cache`): the change is made through this process, which forgets what it kept.
Each member asks once before the change, so what the reservation read is kept when the
moderator acts."""

from __future__ import annotations

from typing import Any

import pytest

from testkit.fakes.discord import Member
from tests.discord_support import World

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


async def command(world: World, member: Member, path: list[str],
                  options: dict[str, Any] | None = None) -> str:
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, "klingbot", path, options or {})
    return await world.wait_private_reply(inter)


async def ask(world: World, options: dict[str, Any]) -> str:
    return await world.wait_private_reply(await world.video(world.alice, options=options))


async def test_a_new_filter_and_a_new_limit_apply_to_the_next_job(world: World) -> None:
    await world.start_bot()
    assert "on its way" in await ask(world, {"prompt": "a fox in the snow"})
    assert "Done" in await command(world, world.moderator, ["filter", "add"], {"word": "fox"})
    refused = await ask(world, {"prompt": "a fox in the snow"})
    assert "“fox”" in refused and "nothing was charged" in refused
    assert "Done" in await command(world, world.moderator, ["filter", "remove"],
                                   {"word": "fox"})
    assert "on its way" in await ask(world, {"prompt": "a fox in the snow", "duration": 10})
    shown = await command(world, world.moderator, ["settings", "limits"],
                          {"max_duration": 5})
    assert "`max_duration`: 5" in shown
    assert "at most 5 seconds, not 10" in await ask(world, {"prompt": "a fox", "duration": 10})
