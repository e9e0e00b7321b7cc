"""The fake Discord's messages, under the real discord.py client: uploads and their limits,
threads and permissions, the text limits Discord enforces, allowed mentions, history pages and
nonces, a response held until its message exists, and direct messages (50007 when closed)."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import discord
import pytest

from testkit.fakes.discord import (
    DEFAULT_BOT_PERMISSIONS,
    FakeDiscord,
    Permission,
)
from tests.testkit.fake_discord.bots import make_bot, running

pytestmark = pytest.mark.timeout(30)


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
