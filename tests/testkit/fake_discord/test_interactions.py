"""The fake Discord must satisfy the REAL discord.py client; these tests prove it does.

Every test runs a real ``commands.Bot`` (or ``AutoShardedBot``) against ``FakeDiscord`` and
fails on any ERROR-level log from discord.py, because exceptions raised in views, modals and
dynamic items are only logged, never raised to the test.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from testkit.fakes.discord import (
    DEFAULT_BOT_PERMISSIONS,
    MIB,
    AttachmentSpec,
    DiscordError,
    FakeDiscord,
    Permission,
)
from testkit.fakes.discord.limits import validate_options
from tests.support import eventually

pytestmark = pytest.mark.timeout(30)

READY_TIMEOUT = 10.0


@pytest.fixture(autouse=True)
def no_discord_errors(error_logs: Any) -> Iterator[None]:
    """Swallowed exceptions (view callbacks, dynamic items, modals) surface only as logs."""
    yield
    messages = [f"{r.name}: {r.getMessage()}" for r in error_logs.records
                if r.name.startswith("discord")]
    assert not messages, f"discord.py logged errors: {messages}"


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    """The shared fake Discord (tests/discord_support.py), discord.py pointed at it."""
    return fake_discord


def make_bot() -> commands.Bot:
    return commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                        guild_ready_timeout=0.05)


@asynccontextmanager
async def running(bot: commands.Client, fake: FakeDiscord) -> AsyncIterator[commands.Client]:
    """Start the bot in the background, wait for READY (all guilds), close it afterwards."""
    task = asyncio.create_task(bot.start(fake.bot_token))
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # surface the login/connect error
        assert ready in done, "bot did not become ready"
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, READY_TIMEOUT)


class Extend(discord.ui.DynamicItem[discord.ui.Button], template=r"extend:(?P<job>\d+)"):
    """A persistent button: survives restarts because only the template is registered."""

    submitted: ClassVar[list[tuple[int, str]]] = []

    def __init__(self, job: int) -> None:
        super().__init__(discord.ui.Button(label="Extend", custom_id=f"extend:{job}"))
        self.job = job

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Extend:
        return cls(int(match["job"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ExtendModal(self.job))


class ExtendModal(discord.ui.Modal, title="Extend the video"):
    prompt: discord.ui.TextInput[ExtendModal] = discord.ui.TextInput(
        label="What happens next?", custom_id="prompt", max_length=500)

    def __init__(self, job: int) -> None:
        super().__init__(custom_id=f"extend-modal:{job}")
        self.job = job

    async def on_submit(self, interaction: discord.Interaction) -> None:
        Extend.submitted.append((self.job, self.prompt.value))
        await interaction.response.send_message("Extending!", ephemeral=True)


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


async def test_slash_subcommand_with_attachment_defers_then_follows_up(fake: FakeDiscord) -> None:
    bot = make_bot()
    seen: dict[str, Any] = {}
    video = app_commands.Group(name="video", description="Make videos")

    @video.command(name="text", description="Video from text")
    async def text(interaction: discord.Interaction, prompt: str, seconds: int,
                   image: discord.Attachment) -> None:
        await interaction.response.defer(thinking=True)
        seen.update(prompt=prompt, seconds=seconds, size=image.size, bytes=await image.read())
        await interaction.followup.send(f"Queued: {prompt}")

    bot.tree.add_command(video, guild=discord.Object(fake.guild_id))
    user = await fake.add_member(fake.guild_id, name="alice")
    async with running(bot, fake):
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        spec = AttachmentSpec("cat.png", data=b"\x89PNG" + bytes(96), width=64, height=64)
        inter = await fake.slash(fake.guild_id, fake.channel_id, user.user.id, "video", ["text"],
                                 {"prompt": "a cat", "seconds": 5}, attachments={"image": spec})
        await fake.wait_for_request(
            lambda r: r.method == "POST" and r.path.startswith("/webhooks/"))

    assert [r.type for r in fake.interaction_responses(inter)] == [5]
    assert seen == {"prompt": "a cat", "seconds": 5, "size": 100, "bytes": spec.data}
    (reply,) = fake.interaction_messages(inter)
    assert reply["content"] == "Queued: a cat"
    assert reply["interaction_metadata"]["user"]["id"] == str(user.user.id)
    assert not reply["flags"] & (1 << 7)  # no longer "thinking"


async def test_dynamic_button_opens_modal_and_submit_reaches_on_submit(fake: FakeDiscord) -> None:
    Extend.submitted.clear()
    bot = make_bot()
    bot.add_dynamic_items(Extend)
    user = await fake.add_member(fake.guild_id, name="bob")
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None)
        view.add_item(Extend(42))
        sent = await channel.send("Job 42 done", view=view)

        click = await fake.click(user.user.id, sent.id, "extend:42")
        assert (await fake.wait_for_response(click)).type == 9
        submit = await fake.submit_modal(user.user.id, click, "extend-modal:42",
                                         {"prompt": "the cat jumps"})
        answer = await fake.wait_for_response(submit)

    assert Extend.submitted == [(42, "the cat jumps")]
    assert answer.type == 4 and answer.ephemeral


async def test_uploads_limits_threads_and_permissions(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        limit = channel.guild.filesize_limit

        with pytest.raises(discord.HTTPException) as too_big:
            await channel.send(file=discord.File(io.BytesIO(bytes(limit + 1)), "big.mp4"))
        assert (too_big.value.status, too_big.value.code) == (413, 40005)

        small = await channel.send("clip", file=discord.File(io.BytesIO(b"v" * 3000), "a.mp4"))
        (stored,) = fake.messages[small.id]["attachments"]
        assert (stored["filename"], stored["size"]) == ("a.mp4", 3000)
        assert fake.attachment_bytes(stored["id"]) == b"v" * 3000

        thread = await small.create_thread(name="Job 1")
        assert thread.id == small.id and thread.parent_id == channel.id
        assert thread.type is discord.ChannelType.public_thread
        await thread.send("progress 50%")
        assert [m["content"] for m in fake.messages_in(thread.id)] == ["progress 50%"]

        await fake.set_bot_permissions(
            fake.guild_id, DEFAULT_BOT_PERMISSIONS & ~Permission.CREATE_PUBLIC_THREADS)
        other = await channel.send("another clip")
        assert not channel.permissions_for(channel.guild.me).create_public_threads
        with pytest.raises(discord.Forbidden) as denied:
            await other.create_thread(name="Job 2")
        assert denied.value.code == 50013

        await fake.set_overwrite(channel.id, fake.bot_user.id, deny=Permission.SEND_MESSAGES)
        with pytest.raises(discord.Forbidden):
            await channel.send("muted")


async def test_text_limits_are_refused_as_discord_refuses_them(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        too_long: list[dict[str, Any]] = [
            {"content": "x" * 2001},
            {"embed": discord.Embed(title="t" * 257)},
            {"embed": discord.Embed(description="d" * 4097)},
            {"embed": discord.Embed().add_field(name="n", value="v" * 1025)},
            {"embed": discord.Embed().set_footer(text="f" * 2049)},
            {"embeds": [discord.Embed(description="d" * 4000),
                        discord.Embed(description="d" * 2001)]},  # 6,001 in all
        ]
        for kwargs in too_long:
            with pytest.raises(discord.HTTPException) as refused:
                await channel.send(**kwargs)
            assert (refused.value.status, refused.value.code) == (400, 50035), kwargs
        fits = await channel.send("x" * 2000, embeds=[
            discord.Embed(title="t" * 256, description="d" * 3000),
            discord.Embed(description="d" * 2000).add_field(name="n", value="v" * 500)])
        assert fits.id in fake.messages
        message = await channel.send("thread")
        with pytest.raises(discord.HTTPException) as refused:
            await message.create_thread(name="n" * 101)
        assert refused.value.code == 50035
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="open", url="https://e.example/" + "a" * 500))
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("link", view=view)
        assert refused.value.code == 50035


async def test_allowed_mentions_suppress_everyone(fake: FakeDiscord) -> None:
    bot = make_bot()
    member = await fake.add_member(fake.guild_id, name="carol")
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        uid = member.user.id
        quiet = await channel.send(
            f"@everyone <@{uid}> your video is ready",
            allowed_mentions=discord.AllowedMentions(everyone=False,
                                                     users=[discord.Object(uid)]))
        loud = await channel.send("@everyone hello")

    assert fake.messages[quiet.id]["mention_everyone"] is False
    assert [m["id"] for m in fake.messages[quiet.id]["mentions"]] == [str(uid)]
    assert fake.messages[loud.id]["mention_everyone"] is True  # control: default allows it


async def test_expired_interaction_token_rejects_followup(fake: FakeDiscord) -> None:
    bot = make_bot()
    proceed = asyncio.Event()
    errors: list[discord.HTTPException] = []

    @bot.tree.command(name="slow", description="Takes longer than the token lives")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await proceed.wait()
        try:
            await interaction.followup.send("too late")
        except discord.HTTPException as exc:
            errors.append(exc)

    user = await fake.add_member(fake.guild_id, name="dave")
    async with running(bot, fake):
        await bot.tree.sync()
        inter = await fake.slash(fake.guild_id, fake.channel_id, user.user.id, "slow")
        await fake.wait_for_response(inter)
        fake.token_lifetime = 0.0  # the 15 minutes are over
        proceed.set()
        await fake.wait_for_request(lambda r: r.path.startswith("/webhooks/"))
        await asyncio.wait_for(_until(lambda: bool(errors)), 5)

    assert (errors[0].status, errors[0].code) == (401, 50027)


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0.01)


async def test_dynamic_item_still_routed_after_restart(fake: FakeDiscord) -> None:
    Extend.submitted.clear()
    user = await fake.add_member(fake.guild_id, name="erin")
    first = make_bot()
    first.add_dynamic_items(Extend)
    async with running(first, fake):
        channel = first.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None).add_item(Extend(7))
        sent = await channel.send("Job 7 done", view=view)

    second = make_bot()  # a fresh process would know only the registered template
    second.add_dynamic_items(Extend)
    async with running(second, fake):
        click = await fake.click(user.user.id, sent.id, "extend:7")
        assert (await fake.wait_for_response(click)).type == 9
        submit = await fake.submit_modal(user.user.id, click, "extend-modal:7", {"prompt": "go"})
        await fake.wait_for_response(submit)
    assert Extend.submitted == [(7, "go")]


class FastShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between IDENTIFYs (max_concurrency 1); the fake needs none."""


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


async def test_rate_limit_is_retried_and_context_menu_resolves_message(fake: FakeDiscord) -> None:
    bot = make_bot()
    targets: list[str] = []

    @bot.tree.context_menu(name="Animate with Kling")
    async def animate(interaction: discord.Interaction, message: discord.Message) -> None:
        targets.append(message.content)
        await interaction.response.send_message("on it", ephemeral=True)

    user = await fake.add_member(fake.guild_id, name="gina")
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", rf"^/channels/{channel.id}/messages$", 429, retry_after=0.05)
        await channel.send("after a 429")
        statuses = [r.status for r in fake.requests_to("POST", rf"/channels/{channel.id}/")]
        assert statuses == [429, 200]

        await bot.tree.sync()
        target = await fake.post_user_message(channel.id, user.user.id, "a cat on a skateboard")
        inter = await fake.context_menu(fake.guild_id, channel.id, user.user.id,
                                        "Animate with Kling", int(target["id"]))
        assert (await fake.wait_for_response(inter)).ephemeral
    assert targets == ["a cat on a skateboard"]


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


async def test_history_pages_newest_first_and_nonces_expire(fake: FakeDiscord) -> None:
    """GET /channels/{id}/messages as Discord serves it (newest first; `limit`, `before`,
    `after`), read through discord.py's `history`; and a nonce repeated after the (test-
    shortened) window makes a new message, as Discord does after a few minutes."""
    member = await fake.add_member(fake.guild_id, name="dave")
    posted = [await fake.post_user_message(fake.channel_id, member.user.id, f"m{n}")
              for n in range(130)]
    ids = [int(m["id"]) for m in posted]
    bot = make_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        assert [m.id async for m in channel.history(limit=None)] == ids[::-1]  # two pages
        assert [m.id async for m in channel.history(limit=3, before=discord.Object(ids[50]))
                ] == ids[47:50][::-1]
        assert [m.id async for m in channel.history(limit=3, after=discord.Object(ids[50]))
                ] == ids[51:54]  # discord.py puts the oldest first
        with pytest.raises(discord.HTTPException) as bad:
            await bot.http.logs_from(channel.id, 101)
        assert bad.value.status == 400

        first = await channel.send("once", nonce="job-1")
        assert (await channel.send("once", nonce="job-1")).id == first.id  # in the window
        fake.nonce_window = 0.0
        assert (await channel.send("once", nonce="job-1")).id != first.id


async def test_a_held_response_comes_after_the_message_exists(fake: FakeDiscord) -> None:
    held = fake.hold_response(lambda r: r.method == "POST" and r.path.endswith("/messages"))
    bot = make_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sending = asyncio.create_task(channel.send("held"))
        await fake.wait_until(lambda: held.record, 5, "the post")
        assert [m["content"] for m in fake.messages_in(channel.id)] == ["held"]
        await asyncio.sleep(0.1)
        assert not sending.done()
        held.release()
        assert (await sending).content == "held"


async def test_interactions_carry_the_members_and_the_servers_languages(fake: FakeDiscord
                                                                         ) -> None:
    """As Discord does: `locale` is the member's client language, `guild_locale` and the
    guild's `preferred_locale` the server's, changed by GUILD_UPDATE."""
    bot = make_bot()
    seen: list[tuple[str, str | None, str | None]] = []

    @bot.tree.command(name="where", description="Which languages")
    async def where(interaction: discord.Interaction) -> None:
        guild = interaction.guild
        seen.append((str(interaction.locale), str(interaction.guild_locale),
                     str(guild.preferred_locale) if guild is not None else None))
        await interaction.response.send_message("ok", ephemeral=True)

    korean = await fake.add_member(fake.guild_id, name="minji", locale="ko")
    english = await fake.add_member(fake.guild_id, name="sam")
    assert english.locale == "en-US"
    async with running(bot, fake):
        bot.tree.copy_global_to(guild=discord.Object(fake.guild_id))
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        for member in (korean, english):
            inter = await fake.slash(fake.guild_id, fake.channel_id, member.user.id, "where")
            await fake.wait_for_response(inter)
        await fake.set_guild_locale(fake.guild_id, "ko")
        english.locale = "en-GB"
        guild = bot.get_guild(fake.guild_id)
        assert guild is not None
        # The client's cache changes when it reads GUILD_UPDATE (no fake state to wait on).
        await eventually(lambda: str(guild.preferred_locale) == "ko", 5)
        inter = await fake.slash(fake.guild_id, fake.channel_id, english.user.id, "where")
        await fake.wait_for_response(inter)
        assert inter.payload["guild"]["locale"] == "ko"

    assert seen == [("ko", "en-US", "en-US"), ("en-US", "en-US", "en-US"),
                    ("en-GB", "ko", "ko")]


# ---------------------------------------------------------------- Discord's rate limits


async def test_rate_limits_answer_with_discords_headers_and_429s(fake: FakeDiscord) -> None:
    """Per channel 5 message creates per window, with the headers Discord sends; the sixth is a
    429 with Discord's body; another channel and the interaction callback are not affected; the
    global limit refuses with its own scope."""
    import aiohttp

    other = await fake.add_channel(fake.guild_id, "other")
    fake.rate_limits.enabled = True
    auth = {"Authorization": f"Bot {fake.bot_token}"}
    async with aiohttp.ClientSession() as http:
        async def post(channel_id: int) -> aiohttp.ClientResponse:
            async with http.post(f"{fake.api_base}/channels/{channel_id}/messages",
                                 json={"content": "hi"}, headers=auth) as resp:
                await resp.read()
                return resp

        answers = [await post(fake.channel_id) for _ in range(6)]
        assert [a.status for a in answers] == [200] * 5 + [429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == \
            ["4", "3", "2", "1", "0"]
        assert answers[0].headers["X-RateLimit-Limit"] == "5"
        assert len({a.headers["X-RateLimit-Bucket"] for a in answers}) == 1
        refused = answers[5]
        body = await refused.json()
        assert body["message"] == "You are being rate limited." and body["global"] is False
        assert 0 < body["retry_after"] <= 5
        assert refused.headers["X-RateLimit-Scope"] == "user"
        assert int(refused.headers["Retry-After"]) >= 1
        assert float(refused.headers["X-RateLimit-Reset-After"]) <= 5
        assert (await post(other.id)).status == 200  # its own channel, its own bucket
        assert len(fake.messages_in(fake.channel_id)) == 5  # the refused one was not posted

        fake.rate_limits.global_limit = 2
        fake.rate_limits.reset()
        statuses = []
        for channel_id in (fake.channel_id, other.id, other.id):
            async with http.get(f"{fake.api_base}/channels/{channel_id}", headers=auth) as resp:
                statuses.append(resp.status)
                last = resp
                payload = await resp.json()
        assert statuses == [200, 200, 429]
        assert payload["global"] is True and last.headers["X-RateLimit-Global"] == "true"
        assert last.headers["X-RateLimit-Scope"] == "global"


async def test_discord_py_waits_out_the_channel_bucket_and_every_message_arrives(
        fake: FakeDiscord) -> None:
    """Seven messages at once in one channel: discord.py meets a 429 or the bucket's headers,
    waits, and all seven arrive, never more than five in one window."""
    fake.rate_limits.enabled = True
    fake.rate_limits.window_scale = 0.2  # 1 s windows: the test does not wait 5 s
    bot = make_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await asyncio.gather(*(channel.send(f"message {i}") for i in range(7)))
    posts = [r for r in fake.requests_to("POST", rf"^/channels/{fake.channel_id}/messages$")]
    delivered = sorted(r.received_at for r in posts if r.status == 200)
    assert len(delivered) == 7
    assert sorted(m["content"] for m in fake.messages_in(fake.channel_id)) == \
        [f"message {i}" for i in range(7)]
    assert delivered[5] - delivered[0] >= 0.2 * 5 * 0.9  # the sixth waited for the next window


class FastBot(commands.Bot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s wait before a second bot's IDENTIFY in the same process."""


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

async def test_autocomplete_reaches_the_callback_and_its_choices_are_checked(
        fake: FakeDiscord, error_logs: Any) -> None:
    """Type 4 interactions with the filled options and the focused one as typed (a string,
    no `resolved`); the answer is type 8 with at most 25 choices of the option's type, and
    nothing else may answer it."""
    bot = make_bot()
    seen: list[tuple[Any, Any, str]] = []
    many = app_commands.Group(name="clip", description="Clips")

    @many.command(name="make", description="Make a clip")
    async def make(interaction: discord.Interaction, image: discord.Attachment, model: str,
                   seconds: int) -> None:
        await interaction.response.send_message("ok")

    @make.autocomplete("seconds")
    async def offer(interaction: discord.Interaction, current: str
                    ) -> list[app_commands.Choice[int]]:
        seen.append((interaction.namespace.model, interaction.namespace.image, current))
        count = 30 if interaction.namespace.model == "too-many" else 2
        return [app_commands.Choice(name=f"{n} s", value=n) for n in range(1, count + 1)]

    bot.tree.add_command(many, guild=discord.Object(fake.guild_id))
    user = await fake.add_member(fake.guild_id, name="alice")
    async with running(bot, fake):
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        inter = await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "clip",
                                        ["make"], {"model": "v3", "image": "1"},
                                        focused="seconds", typed="1")
        answer = await fake.wait_for_response(inter)
        assert inter.type == 4 and answer.type == 8
        assert answer.data["choices"] == [{"name": "1 s", "value": 1},
                                          {"name": "2 s", "value": 2}]
        model, image, typed = seen[0]
        assert model == "v3" and isinstance(image, discord.Object) and typed == "1"
        focused = inter.payload["data"]["options"][0]["options"][-1]
        assert focused == {"name": "seconds", "type": 4, "value": "1", "focused": True}
        assert "resolved" not in inter.payload["data"]

        with pytest.raises(LookupError):  # only an autocomplete option can be focused
            await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "clip",
                                    ["make"], {}, focused="model")
        refused = await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "clip",
                                          ["make"], {"model": "too-many"}, focused="seconds")
        await fake.wait_for_request(lambda r: r.path.endswith("/callback") and r.status == 400
                                    and r.path.startswith(f"/interactions/{refused.id}/"))
        assert fake.interaction_responses(refused) == []
    # Discord refuses a definition with both autocomplete and choices.
    option = {"type": 4, "name": "seconds", "description": "s", "autocomplete": True,
              "choices": [{"name": "5", "value": 5}]}
    with pytest.raises(DiscordError):
        validate_options([option], "options")
    # discord.py logs the refused answer (a 400, as Discord gives): expected here.
    assert [r.getMessage() for r in error_logs.records] == [
        f"Ignoring exception in autocomplete for 'clip make' (Guild: {fake.guild_id}, "
        f"User: {user.user.id})"]
    error_logs.records.clear()
async def test_direct_messages_reach_members_who_take_them_and_50007_otherwise(
        fake: FakeDiscord) -> None:
    guild = fake.guild_id
    open_member = await fake.add_member(guild, name="open")
    closed_member = await fake.add_member(guild, name="closed")
    fake.close_dms(closed_member.user.id)
    stranger = await fake.add_user("left-the-server")
    async with running(make_bot(), fake) as bot:
        dm = await bot.create_dm(discord.Object(id=open_member.user.id))
        assert dm.recipient is not None and dm.recipient.id == open_member.user.id
        await dm.send("hello")
        assert [m["content"] for m in fake.dm_messages(open_member.user.id)] == ["hello"]
        for user in (closed_member.user, stranger):
            channel = await bot.create_dm(discord.Object(id=user.id))  # opening is allowed
            with pytest.raises(discord.Forbidden) as refused:
                await channel.send("hello")
            assert refused.value.code == 50007
            assert fake.dm_messages(user.id) == []
