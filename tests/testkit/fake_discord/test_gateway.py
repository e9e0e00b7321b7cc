"""The fake Discord's gateway, under the real discord.py client: login, READY and the guild
cache, shards, a bot process killed and restarted (it identifies again), and the events each
session's intents let through (reactions)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import discord
import pytest

from testkit.fakes.discord import MIB, FakeDiscord
from tests.support import eventually
from tests.testkit.fake_discord.bots import FastBot, FastShardedBot, make_bot, running

pytestmark = pytest.mark.timeout(30)


async def test_login_ready_guild_cache_and_sync(fake: FakeDiscord) -> None:
    boosted = await fake.add_guild(name="Boosted", premium_tier=2)
    bot = make_bot()

    @bot.tree.command(name="ping", description="Check the bot is alive")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    async with running(bot, fake):
        guild = bot.get_guild(fake.guild_id)
        assert guild is not None and guild.me is not None
        assert guild.filesize_limit == 10 * MIB
        assert bot.get_guild(boosted.id).filesize_limit == 50 * MIB  # type: ignore[union-attr]
        channel = guild.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        perms = channel.permissions_for(guild.me)
        assert perms.send_messages and perms.attach_files and perms.create_public_threads

        bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
        assert [c.name for c in synced] == ["ping"]
        assert fake.commands[fake.guild_id][0]["description"] == "Check the bot is alive"
        assert synced[0].id == int(fake.commands[fake.guild_id][0]["id"])


async def test_auto_sharded_bot_routes_guilds_by_shard(fake: FakeDiscord) -> None:
    def shard_of(guild_id: int) -> int:
        return (guild_id >> 22) % 2

    other_shard = 1 - shard_of(fake.guild_id)
    other = await fake.add_guild(fake.new_guild_id(other_shard, 2), name="Second")
    handled: list[tuple[int | None, int | None]] = []
    bot = FastShardedBot(command_prefix="!", intents=discord.Intents.default(), shard_count=2,
                         guild_ready_timeout=0.05)

    @bot.tree.command(name="where", description="Which shard am I on?")
    async def where(interaction: discord.Interaction) -> None:
        handled.append((interaction.guild_id, interaction.guild and interaction.guild.shard_id))
        await interaction.response.send_message("here", ephemeral=True)

    user = await fake.add_member(other.id, name="frank")
    async with running(bot, fake):
        assert set(bot.shards) == {0, 1}
        for guild_id in (fake.guild_id, other.id):
            guild = bot.get_guild(guild_id)
            assert guild is not None and guild.shard_id == shard_of(guild_id)
        await bot.tree.sync()
        inter = await fake.slash(other.id, next(iter(other.channels)), user.user.id, "where")
        await fake.wait_for_response(inter)

    assert handled == [(other.id, shard_of(other.id))]
    (owner,) = [s for s in fake.sessions
                if any(f["t"] == "INTERACTION_CREATE" for f in s.sent)]
    assert owner.shard_id == shard_of(other.id) and owner.shard_count == 2


BOT_PROCESS = """
import asyncio, os, sys, re
import discord, yarl
from discord.ext import commands

discord.http.Route.BASE = os.environ["FAKE_API_BASE"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_GATEWAY_URL"])


class Again(discord.ui.DynamicItem[discord.ui.Button], template=r"again:(?P<n>[0-9]+)"):
    def __init__(self, n):
        super().__init__(discord.ui.Button(label="Again", custom_id=f"again:{n}"))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["n"]))

    async def callback(self, interaction):
        await interaction.response.send_message(f"pid {os.getpid()}")


bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                   guild_ready_timeout=0.05)
bot.add_dynamic_items(Again)


@bot.event
async def on_ready():
    if os.environ.get("POST_BUTTON"):
        view = discord.ui.View(timeout=None).add_item(Again(1))
        await bot.get_channel(int(os.environ["CHANNEL_ID"])).send("job 1", view=view)

bot.run(os.environ["BOT_TOKEN"], log_handler=None)
"""


async def test_bot_subprocess_killed_and_restarted_reidentifies(fake: FakeDiscord) -> None:
    env = {**os.environ, "FAKE_API_BASE": fake.api_base, "FAKE_GATEWAY_URL": fake.gateway_url,
           "BOT_TOKEN": fake.bot_token, "CHANNEL_ID": str(fake.channel_id)}
    user = await fake.add_member(fake.guild_id, name="hank")

    async def spawn(**extra: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(sys.executable, "-c", BOT_PROCESS,
                                                    env={**env, **extra})

    first = await spawn(POST_BUTTON="1")
    try:
        posted = await fake.wait_for_message(fake.channel_id,
                                             lambda m: m["content"] == "job 1", timeout=15)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    await fake.wait_until(lambda: not any(s.live for s in fake.sessions), 5, "socket drop")

    second = await spawn()
    try:
        await fake.wait_until_connected(fake.guild_id, timeout=15)
        click = await fake.click(user.user.id, int(posted["id"]), "again:1")
        answer = await fake.wait_for_response(click, timeout=10)
    finally:
        second.send_signal(signal.SIGKILL)
        await second.wait()
    assert answer.data["content"] == f"pid {second.pid}"
    assert len(fake.sessions) == 2


async def test_reactions_reach_only_sessions_with_the_reactions_intent(fake: FakeDiscord) -> None:
    """MESSAGE_REACTION_ADD/REMOVE in Discord's shape, parsed by discord.py into raw events;
    a bot that left GUILD_MESSAGE_REACTIONS out of its intents hears nothing."""
    member = await fake.add_member(fake.guild_id, name="dana")
    seen: list[tuple[str, discord.RawReactionActionEvent]] = []

    for with_intent in (True, False):
        seen.clear()
        intents = discord.Intents.default()
        intents.guild_reactions = with_intent
        bot = FastBot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)

        async def on_raw_reaction_add(event: discord.RawReactionActionEvent) -> None:
            seen.append(("add", event))

        async def on_raw_reaction_remove(event: discord.RawReactionActionEvent) -> None:
            seen.append(("remove", event))

        bot.add_listener(on_raw_reaction_add)
        bot.add_listener(on_raw_reaction_remove)
        async with running(bot, fake):
            channel = bot.get_channel(fake.channel_id)
            assert isinstance(channel, discord.TextChannel)
            posted = await channel.send("react to me")
            assert await fake.add_reaction(member.user.id, posted.id, "🔥")
            assert not await fake.add_reaction(member.user.id, posted.id, "🔥")  # had it
            assert await fake.add_reaction(member.user.id, posted.id, "<:kling:42>")
            assert await fake.remove_reaction(member.user.id, posted.id, "🔥")
            with pytest.raises(LookupError):
                await fake.add_reaction(member.user.id, 1, "🔥")
            if with_intent:
                await eventually(lambda: len(seen) == 3, 5)  # the bot's own tasks: poll
                (_, fire), (_, custom), (kind, removed) = seen
                assert fire.user_id == member.user.id and str(fire.emoji) == "🔥"
                assert fire.member is not None and fire.member.id == member.user.id
                assert fire.guild_id == fake.guild_id and fire.message_id == posted.id
                assert fire.message_author_id == bot.user.id  # type: ignore[union-attr]
                assert str(custom.emoji) == "<:kling:42>" and custom.emoji.id == 42
                assert kind == "remove" and str(removed.emoji) == "🔥"
                assert fake.messages[posted.id]["reactions"][0]["count"] == 1
            else:
                await asyncio.sleep(0.2)
                assert seen == []
