"""Credit limits per role, set by a moderator through /quota role, apply to the videos of the
members who have the role."""

from __future__ import annotations

import pytest

from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)


@pytest.mark.usefixtures("no_bot_errors")
async def test_role_limits_apply_to_videos(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=1)
    guild = world.discord.guild_id
    vip = await world.discord.add_role(guild, "vip")
    fan = await world.discord.add_member(guild, name="fan", roles=[vip.id])
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "quota", ["role"], {"role": vip.id, "credits": 5})
    await world.wait_private_reply(inter)
    for _ in range(2):  # 4 credits: more than the default of 1, within the role's 5
        reply = await world.wait_private_reply(await world.video(
            fan, options={"prompt": "fireworks", "mode": "pro"}))
        assert "on its way" in reply
    assert await bot.engine.store.credits_spent(guild, fan.user.id, 0) == 4
