"""Facts on the job decide what any path may post: a spoiler video's Continue frame and joined
story are spoilers too; a video a moderator removed is never posted again (not by Join, not as
Continue's frame, not linked from history); and a result that went to the channel because its
thread was gone is found there by Remove and by the report's jump link. The real bot against
the fake Discord and the fake Kling, with real videos made by FFmpeg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.store import Job
from testkit.fakes.discord import Channel, Member
from tests.discord_support import World, custom_ids, log_channel
from tests.videos import make_video

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("no_bot_errors")]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("facts")
    return {"3s": make_video(folder / "3s.mp4", seconds=3, size="640x360"),
            "4s": make_video(folder / "4s.mp4", seconds=4, size="640x360", pattern="testsrc")}


async def submit(world: World, member: Member, opened: Any, value: str) -> Any:
    """Fill in the one text input of the modal `opened` was answered with, and submit it."""
    modal = (await world.discord.wait_for_response(opened)).data
    [field] = [c["custom_id"] for row in modal["components"]
               for c in (row.get("components") or [row.get("component")])]
    return await world.discord.submit_modal(member.user.id, opened, modal["custom_id"],
                                            {field: value})


async def remove_after_report(world: World, channel: Channel, job: Job,
                              result: dict[str, Any]) -> dict[str, Any]:
    """Bob reports the result, the moderator presses Remove; the report's log message."""
    opened = await world.discord.click(world.bob.user.id, int(result["id"]),
                                       f"kling:report:{job.id}")
    assert "Thank you" in await world.wait_private_reply(
        await submit(world, world.bob, opened, "not for this server"))
    report = await world.discord.wait_for_message(
        channel.id, lambda m: bool(m["embeds"]) and "not for this server" in str(m["embeds"]))
    remove = next(c for c in custom_ids(report) if ":remove:" in c)
    click = await world.discord.click(world.moderator.user.id, int(report["id"]), remove)
    assert "Done" in await world.wait_private_reply(click)
    return report


def files_in(world: World, channel_id: int, suffix: str) -> list[dict[str, Any]]:
    return [m for m in world.discord.messages_in(channel_id)
            if any(a["filename"].endswith(suffix) for a in m["attachments"])]


async def thread_of_card(world: World) -> int:
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    return int(card["id"])


async def a_continued_video(world: World, bot: Any, **options: Any
                            ) -> tuple[int, Job, dict[str, Any], Job, dict[str, Any]]:
    """Alice's video (a model that continues from the last frame) and its Continue: the
    thread, then each part's job and result message."""
    await world.video(world.alice, options={"prompt": "a fox in the snow",
                                            "model": "kling-v2-6", **options})
    thread_id = await thread_of_card(world)
    [first] = await world.wait_result(thread_id)
    [first_job] = await world.wait_delivered(bot)
    click = await world.discord.click(world.alice.user.id, int(first["id"]),
                                      f"kling:continue:{first_job.id}")
    assert "on its way" in await world.wait_private_reply(click, timeout=30)
    second = (await world.wait_result(thread_id, 2))[-1]
    child = next(j for j in await world.wait_delivered(bot, 2) if j.id != first_job.id)
    return thread_id, first_job, first, child, second


# -- spoilers ----------------------------------------------------------------------------------

async def test_a_spoiler_videos_continue_frame_is_posted_as_a_spoiler(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    thread_id, first_job, _, _, _ = await a_continued_video(world, bot, spoiler=True)
    [frame] = files_in(world, thread_id, ".jpg")
    assert [a["filename"] for a in frame["attachments"]] == [
        f"SPOILER_kling-{first_job.id}-frame.jpg"]


async def test_a_story_with_a_spoiler_part_is_posted_as_a_spoiler(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    thread_id, _, _, child, second = await a_continued_video(world, bot, spoiler=True)
    join = await world.discord.click(world.alice.user.id, int(second["id"]),
                                     f"kling:join:{child.id}")
    assert "The story is joined" in await world.wait_private_reply(join, timeout=60)
    [story] = files_in(world, thread_id, f"story-{child.id}.mp4")
    assert [a["filename"] for a in story["attachments"]] == [
        f"SPOILER_kling-story-{child.id}.mp4"]
    # A member can report the joined story like any result.
    assert custom_ids(story) == [f"kling:report:{child.id}"]


# -- a removed video is never posted again -----------------------------------------------------

async def test_a_removed_part_is_never_posted_again(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    channel = await log_channel(world)
    thread_id, first_job, first, child, second = await a_continued_video(world, bot)
    # Alice opens "Continue with a new prompt" under her first video before it is removed.
    opened = await world.discord.click(world.alice.user.id, int(first["id"]),
                                       f"kling:continue-prompt:{first_job.id}")
    await world.discord.wait_for_response(opened)
    await remove_after_report(world, channel, first_job, first)
    await world.discord.wait_until(lambda: int(first["id"]) not in world.discord.messages,
                                   5, "the removed result deleted")
    frames = len(files_in(world, thread_id, ".jpg"))

    # Join under the next part refuses, and posts nothing.
    join = await world.discord.click(world.alice.user.id, int(second["id"]),
                                     f"kling:join:{child.id}")
    assert "moderator removed" in await world.wait_private_reply(join, timeout=30)
    assert files_in(world, thread_id, f"story-{child.id}.mp4") == []

    # Continue from the removed video (the modal opened before the removal) refuses too,
    # and its last frame is not posted.
    refused = await submit(world, world.alice, opened, "the fox comes back")
    assert "moderator removed" in await world.wait_private_reply(refused, timeout=30)
    assert len(files_in(world, thread_id, ".jpg")) == frames
    assert len(world.kling.tasks) == 2, "no third job went to Kling"

    # History says it was removed and links it nowhere; the other part keeps its link.
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.alice.user.id, "video", ["history"], {})
    await world.discord.wait_for_response(inter)
    assert inter.original_message_id is not None
    listed = world.discord.messages[inter.original_message_id]["embeds"][0]["description"]
    assert "removed by a moderator" in listed
    assert str(first["id"]) not in listed and str(second["id"]) in listed


# -- where the result really is ----------------------------------------------------------------

async def test_a_result_posted_in_the_channel_is_removed_there(world: World) -> None:
    world.kling.auto_finish = False
    bot = await world.start_bot()
    channel = await log_channel(world)
    await world.video(world.alice)
    thread_id = await thread_of_card(world)
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    await world.discord.wait_until(lambda: thread_id in world.discord.channels or None, 5,
                                   "the thread")
    del world.discord.channels[thread_id]  # a moderator deleted the thread meanwhile
    await world.kling.finish(task.task_id)
    [result] = await world.wait_result(world.discord.channel_id)
    [job] = await world.wait_delivered(bot)
    assert job.result_channel_id == world.discord.channel_id

    report = await remove_after_report(world, channel, job, result)
    jump = f"/channels/{world.discord.guild_id}/{world.discord.channel_id}/{result['id']}"
    assert jump in str(report["embeds"])
    await world.discord.wait_until(lambda: int(result["id"]) not in world.discord.messages,
                                   5, "the result deleted from the channel")
    await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: "A moderator removed this video" in m["content"])
