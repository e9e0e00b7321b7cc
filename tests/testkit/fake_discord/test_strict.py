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
from discord import app_commands
from discord.ext import commands

from testkit.fakes.discord import FakeDiscord
from testkit.fakes.discord.flags import Permission
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


async def test_thread_creation_has_a_long_shared_cooldown(fake: FakeDiscord) -> None:
    """Five threads in a channel, then a shared-scope 429 asking for 150 s: discord.py with
    `max_ratelimit_timeout` raises `RateLimited` instead of sleeping; another channel of the
    guild is refused too once the guild's budget is spent."""
    fake.strict.configure(threads_per_guild=6)
    other = await fake.add_channel(fake.guild_id, "other")
    bot = strict_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        elsewhere = bot.get_channel(other.id)
        assert isinstance(channel, discord.TextChannel)
        assert isinstance(elsewhere, discord.TextChannel)
        for i in range(5):
            await channel.create_thread(name=f"job {i}", type=discord.ChannelType.public_thread)
        with pytest.raises(discord.RateLimited) as limited:
            await channel.create_thread(name="job 5", type=discord.ChannelType.public_thread)
        assert limited.value.retry_after == pytest.approx(150, abs=1)
        await elsewhere.create_thread(name="job 6", type=discord.ChannelType.public_thread)
        with pytest.raises(discord.RateLimited):
            await elsewhere.create_thread(name="job 7", type=discord.ChannelType.public_thread)
    refused = fake.requests_to("POST", r"/threads$")[-1]
    assert refused.status == 429 and refused.response is not None
    assert refused.response["global"] is False
    assert fake.strict.refusals == [f"threads:channel:{fake.channel_id}",
                                    f"threads:guild:{fake.guild_id}"]
    assert sum(1 for c in fake.state.channels.values() if c.is_thread) == 6


async def test_the_active_thread_cap_answers_160006(fake: FakeDiscord) -> None:
    fake.strict.configure(active_threads_per_guild=2)
    bot = strict_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        for i in range(2):
            await channel.create_thread(name=f"job {i}", type=discord.ChannelType.public_thread)
        with pytest.raises(discord.HTTPException) as refused:
            await channel.create_thread(name="job 2", type=discord.ChannelType.public_thread)
    assert (refused.value.status, refused.value.code) == (400, 160006)
    assert "Maximum number of active threads reached" in refused.value.text


async def test_a_thread_from_an_older_message_leaves_a_thread_created_message(
        fake: FakeDiscord) -> None:
    """From the newest message a thread starts quietly; from an older one Discord leaves a
    type-18 message naming the thread in the channel."""
    fake.strict.enabled = True
    bot = strict_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        older = await channel.send("card one")
        newest = await channel.send("card two")
        await newest.create_thread(name="quiet")
        await older.create_thread(name="announced")
        notice = await fake.wait_for_message(fake.channel_id, lambda m: m["type"] == 18)
    assert notice["content"] == "announced"
    assert notice["message_reference"]["channel_id"] == str(older.id)
    assert [m["type"] for m in fake.messages_in(fake.channel_id)] == [0, 0, 18]


async def test_locked_and_archived_threads_refuse_with_50083(fake: FakeDiscord) -> None:
    """A post reopens an archived thread; an edit there, and anything in a locked thread, is
    refused with 400 code 50083, as discord.py's HTTPException shows it."""
    fake.strict.enabled = True
    bot = strict_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(name="job", type=discord.ChannelType.public_thread)
        first = await thread.send("started")
        await fake.archive_thread(thread.id)
        with pytest.raises(discord.HTTPException) as edit_refused:
            await first.edit(content="edited")
        await thread.send("result")  # a post unarchives it
        assert not fake.state.channels[thread.id].archived
        await fake.archive_thread(thread.id, locked=True)
        with pytest.raises(discord.HTTPException) as post_refused:
            await thread.send("too late")
    for refused in (edit_refused.value, post_refused.value):
        assert (refused.status, refused.code) == (400, 50083)
        assert "Thread is archived" in refused.text
    assert [m["content"] for m in fake.messages_in(thread.id)] == ["started", "result"]


async def test_without_embed_links_embeds_are_refused_or_dropped(fake: FakeDiscord) -> None:
    """An embed-only message is refused (403 50013); with text the embed is dropped; an edit
    silently loses its embed (200, the message without it)."""
    fake.strict.enabled = True
    bot = strict_bot()
    card = discord.Embed(title="Your video", description="ready")
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        posted = await channel.send(embed=card)
        role_id = fake.state.guilds[fake.guild_id].bot_role_id
        assert role_id is not None
        await fake.set_overwrite(fake.channel_id, role_id, deny=Permission.EMBED_LINKS)
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send(embed=card)
        with_text = await channel.send("the card", embed=card)
        edited = await posted.edit(embed=discord.Embed(title="Your video", description="again"))
    assert (refused.value.status, refused.value.code) == (403, 50013)
    assert with_text.embeds == [] and with_text.content == "the card"
    assert edited.embeds == []
    assert fake.state.messages[posted.id]["embeds"] == []


async def test_a_command_over_8000_characters_is_refused_at_sync(fake: FakeDiscord) -> None:
    """Names, descriptions, choices and the longest localisation of each count; the sync
    fails with 50035 naming the command, and nothing is registered."""
    fake.strict.enabled = True
    bot = strict_bot()
    long = "d" * 100
    choices = [app_commands.Choice(name=f"{i:02d}" + "n" * 98, value=f"{i:02d}" + "v" * 98)
               for i in range(25)]

    @bot.tree.command(name="small", description="Fits")
    async def small(interaction: discord.Interaction) -> None:
        """Never run."""

    group = app_commands.Group(name="video", description=long)
    for g in range(2):
        @group.command(name=f"text{g}", description=long)
        @app_commands.choices(style=choices)
        async def text(interaction: discord.Interaction, style: str) -> None:
            """Never run."""

    bot.tree.add_command(group)
    async with running(bot, fake):
        with pytest.raises(discord.HTTPException) as refused:
            await bot.tree.sync()
        assert fake.state.commands.get(None) is None
        bot.tree.remove_command("video")
        await bot.tree.sync()
    assert (refused.value.status, refused.value.code) == (400, 50035)
    assert "'video' exceeds maximum size (8000)" in refused.value.text
    assert [c["name"] for c in fake.state.commands[None]] == ["small"]
