"""Where a job's card and result go when a thread is not possible or not there, through
Discord: no permission to make threads, a command inside a thread, a thread deleted meanwhile,
and a channel the bot cannot post in."""

from __future__ import annotations

import pytest

from testkit.fakes.discord import DEFAULT_BOT_PERMISSIONS, Permission
from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)


@pytest.mark.usefixtures("no_bot_errors")
async def test_without_thread_permission_results_go_to_the_channel(world: World) -> None:
    await world.discord.set_bot_permissions(
        world.discord.guild_id, DEFAULT_BOT_PERMISSIONS & ~Permission.CREATE_PUBLIC_THREADS)
    await world.start_bot()
    await world.video(world.alice)
    [result] = await world.wait_result(world.discord.channel_id)
    card = world.card()
    assert "Threads are not possible here" in str(card["embeds"])
    assert world.discord.requests_to("POST", r"/threads$") == []
    assert result["attachments"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_command_inside_a_thread_stays_in_that_thread(world: World) -> None:
    await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"])))["id"])
    await world.wait_result(thread_id)
    await world.discord.slash(world.discord.guild_id, thread_id, world.alice.user.id,
                              "video", ["text"], {"prompt": "second clip"})
    await world.wait_result(thread_id, 2)
    assert len(world.discord.requests_to("POST", r"/threads$")) == 1


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_channel_the_bot_cannot_post_in_is_refused_and_refunded(world: World) -> None:
    bot = await world.start_bot()
    await world.discord.set_overwrite(world.discord.channel_id, world.discord.bot_user.id,
                                      deny=Permission.SEND_MESSAGES)
    reply = await world.wait_private_reply(await world.video(world.alice))
    assert "cannot post in this channel" in reply and "Nothing was charged" in reply
    assert world.kling.create_count == 0
    assert await bot.engine.store.credits_spent(world.discord.guild_id,
                                                world.alice.user.id, 0) == 0


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_deleted_thread_sends_the_result_to_the_channel(world: World) -> None:
    world.kling.auto_finish = False
    bot = await world.start_bot()
    await world.video(world.alice)
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    thread_id = int(card["id"])
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    await world.discord.wait_until(lambda: thread_id in world.discord.channels or None, 5,
                                   "the thread")
    del world.discord.channels[thread_id]  # a moderator deleted the thread meanwhile
    await world.kling.finish(task.task_id)
    [result] = await world.wait_result(world.discord.channel_id)
    assert result["attachments"]
    [job] = await world.wait_delivered(bot)
    assert job.result_message_id == int(result["id"])
