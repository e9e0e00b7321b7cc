"""Extend and Extend with a new prompt through Discord: the new part goes to the same thread,
the buttons work after a restart, strangers are refused while moderators may extend, and an
Extend outside the server's allowed channels is refused."""

from __future__ import annotations

import pytest

from bot.store import JobState
from tests.discord_support import World, custom_ids

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


async def test_extend_and_extend_with_new_prompt_in_the_same_thread(world: World) -> None:
    bot = await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await world.first_card())["id"])
    [first] = await world.wait_result(thread_id)

    click = await world.discord.click(world.alice.user.id, int(first["id"]),
                                      custom_ids(first)[0])
    await world.wait_result(thread_id, 2)
    extend = world.kling.last_task
    assert extend is not None and extend.request["action"] == "extend"
    assert extend.request["video_id"] == next(iter(world.kling.tasks.values())).video_id
    assert extend.request["prompt"] == "a fox in the snow"
    assert "on its way" in await world.wait_private_reply(click)

    second = (await world.wait_result(thread_id, 2))[-1]
    open_modal = await world.discord.click(world.alice.user.id, int(second["id"]),
                                           custom_ids(second)[1])
    assert (await world.discord.wait_for_response(open_modal)).type == 9
    modal_id = world.discord.interaction_responses(open_modal)[0].data["custom_id"]
    inputs = [c["custom_id"] for row in world.discord.interaction_responses(open_modal)[0]
              .data["components"] for c in (row.get("components") or [row.get("component")])]
    await world.discord.submit_modal(world.alice.user.id, open_modal, modal_id,
                                     {inputs[0]: "the fox jumps into a river"})
    results = await world.wait_result(thread_id, 3)
    assert world.kling.last_task.request["prompt"] == "the fox jumps into a river"
    # Every result in the chain carries the buttons (the Extends, Join the story as well,
    # Report), and all of it is in one thread.
    assert [[c.split(":")[1] for c in custom_ids(r)] for r in results] == [
        ["extend", "extend-prompt", "report"],
        *[["extend", "extend-prompt", "join", "report"]] * 2]
    assert len(world.discord.messages_in(world.discord.channel_id)) == 1  # just the card
    jobs = await bot.engine.store.jobs_in_state((JobState.DELIVERED,))
    assert {j.thread_id for j in jobs} == {thread_id}


async def test_buttons_work_after_a_restart(world: World) -> None:
    first_bot = await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await world.first_card())["id"])
    [result] = await world.wait_result(thread_id)
    await world.stop_bot(first_bot)

    await world.start_bot()
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      custom_ids(result)[0])
    assert "on its way" in await world.wait_private_reply(click)
    await world.wait_result(thread_id, 2)


async def test_strangers_are_refused_and_moderators_may_extend(world: World) -> None:
    await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await world.first_card())["id"])
    [result] = await world.wait_result(thread_id)
    stranger = await world.discord.click(world.bob.user.id, int(result["id"]),
                                         custom_ids(result)[0])
    assert "Only the person who asked" in await world.wait_private_reply(stranger)
    assert len(world.kling.tasks) == 1
    moderator = await world.discord.click(world.moderator.user.id, int(result["id"]),
                                          custom_ids(result)[0])
    assert "on its way" in await world.wait_private_reply(moderator)
    await world.wait_result(thread_id, 2)


async def test_extend_is_refused_outside_the_servers_allowed_channels(world: World) -> None:
    """The server's allowed channels hold for Extend and Extend with a new prompt too: a
    result in the thread of a channel that is no longer allowed cannot be extended, one in the
    thread of an allowed channel can (a thread counts as its parent channel)."""
    bot = await world.start_bot()
    guild = world.discord.guild_id
    videos = await world.discord.add_channel(guild, "videos")
    await world.video(world.alice)
    elsewhere = int((await world.first_card())["id"])
    [outside] = await world.wait_result(elsewhere)
    inter = await world.discord.slash(guild, videos.id, world.alice.user.id, "video", ["text"],
                                      {"prompt": "a boat"})
    await world.wait_private_reply(inter)
    inside_thread = int((await world.discord.wait_for_message(
        videos.id, lambda m: bool(m["embeds"])))["id"])
    [inside] = await world.wait_result(inside_thread)
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "klingbot", ["settings", "channels"],
                                      {"allowed_channel": videos.id})
    await world.wait_private_reply(inter)
    made = world.kling.create_count

    click = await world.discord.click(world.alice.user.id, int(outside["id"]),
                                      custom_ids(outside)[0])
    refused = await world.wait_private_reply(click)
    assert "these channels only" in refused and f"<#{videos.id}>" in refused
    opened = await world.discord.click(world.alice.user.id, int(outside["id"]),
                                       custom_ids(outside)[1])
    assert (await world.discord.wait_for_response(opened)).type == 9
    modal = world.discord.interaction_responses(opened)[0].data
    inputs = [c["custom_id"] for row in modal["components"]
              for c in (row.get("components") or [row.get("component")])]
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal["custom_id"],
                                              {inputs[0]: "the fox jumps"})
    refused = await world.wait_private_reply(submit)
    assert "these channels only" in refused and f"<#{videos.id}>" in refused
    assert world.kling.create_count == made
    assert len(await bot.engine.store.jobs_in_state(tuple(JobState))) == 2  # nothing reserved

    click = await world.discord.click(world.alice.user.id, int(inside["id"]),
                                      custom_ids(inside)[0])
    assert "on its way" in await world.wait_private_reply(click)
    await world.wait_result(inside_thread, 2)
