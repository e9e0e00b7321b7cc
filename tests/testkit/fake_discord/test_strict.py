"""The fake Discord's `strict` profile under the real discord.py client: each limit Discord
applies without publishing it reaches discord.py as Discord's own answer would (a `RateLimited`
when `max_ratelimit_timeout` is set, an `HTTPException` with Discord's code), and the profile
is off unless a fake asks for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import discord
import pytest
from discord.ext import commands

from testkit.fakes.discord import FakeDiscord
from tests.testkit.fake_discord.bots import running

pytestmark = pytest.mark.timeout(30)


def strict_bot() -> commands.Bot:
    """A bot that raises `RateLimited` instead of sleeping through a wait over 30 s."""
    return commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                        guild_ready_timeout=0.05, max_ratelimit_timeout=30.0)


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for something the bot does after its last request to the fake."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


def test_the_strict_profile_is_off_unless_asked() -> None:
    assert not FakeDiscord().strict.enabled
    assert FakeDiscord(profile="strict").strict.enabled
    with pytest.raises(ValueError):
        FakeDiscord(profile="lenient")


async def test_follow_ups_share_one_bucket_per_channel_and_discord_py_sleeps_through_it(
        fake: FakeDiscord) -> None:
    """Private and public follow-ups count together; over the channel's budget Discord answers
    a shared-scope 429 and discord.py's webhook client sleeps through it even with
    `max_ratelimit_timeout` set (that setting binds only the bot's own HTTP client): the
    member's command waits for the window to end."""
    fake.strict.configure(followups_per_channel=3, followup_window=1.0)
    bot = strict_bot()
    done: list[float] = []

    @bot.tree.command(name="make", description="Make a video")
    async def make(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send("queued", ephemeral=True)
        await interaction.followup.send("the card")
        done.append(time.monotonic())

    bot.tree.copy_global_to(guild=discord.Object(fake.guild_id))
    user = await fake.add_member(fake.guild_id, name="alice")
    async with running(bot, fake):
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        for i in range(2):
            inter = await fake.slash(fake.guild_id, fake.channel_id, user.user.id, "make")
            await until(lambda i=i: len(done) > i)  # type: ignore[misc]
    posts = fake.requests_to("POST", r"^/webhooks/")
    assert [r.status for r in posts] == [200] * 3 + [429, 200]
    refused = posts[3]
    assert refused.response == {"message": "You are being rate limited.",
                                "retry_after": refused.response["retry_after"],
                                "global": False}
    assert 0 < refused.response["retry_after"] <= 1.0
    assert posts[4].received_at - posts[0].received_at >= 0.9  # waited for the next window
    assert [m["content"] for m in fake.interaction_messages(inter)] == ["queued", "the card"]
    assert fake.strict.refusals == [f"followups:{fake.channel_id}"]
