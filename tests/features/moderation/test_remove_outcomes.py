"""What a report's Remove does and says: it deletes the result where it really is and every
story joined with the removed video in it (under that part or a later one), tells the
moderator what it deleted, and leaves the report open to be tried again when Discord refuses a
delete (a message already gone counts as deleted). A removed video that comes back through a
recovered delivery is neither posted nor sent by DM. The real bot against the fake Discord and
the fake Kling, with real videos made by FFmpeg."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from bot.store import Job, JobState, make_store
from tests.discord_support import World, custom_ids, log_channel
from tests.features.moderation.test_removed_videos_and_spoilers import (
    a_continued_video,
    files_in,
    submit,
)
from tests.support import eventually
from tests.videos import make_video

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("no_bot_errors")]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("removals")
    return {"3s": make_video(folder / "3s.mp4", seconds=3, size="640x360"),
            "4s": make_video(folder / "4s.mp4", seconds=4, size="640x360", pattern="testsrc")}


async def reported(world: World, channel_id: int, message: dict[str, Any], job_id: str,
                   reason: str) -> dict[str, Any]:
    """Bob reports `message` (the result of `job_id`); the report's message in the log
    channel."""
    opened = await world.discord.click(world.bob.user.id, int(message["id"]),
                                       f"kling:report:{job_id}")
    assert "Thank you" in await world.wait_private_reply(
        await submit(world, world.bob, opened, reason))
    return await world.discord.wait_for_message(
        channel_id, lambda m: bool(m["embeds"]) and reason in str(m["embeds"]))


async def press_remove(world: World, report: dict[str, Any]) -> str:
    remove = next(c for c in custom_ids(world.discord.messages[int(report["id"])])
                  if ":remove:" in c)
    click = await world.discord.click(world.moderator.user.id, int(report["id"]), remove)
    return await world.wait_private_reply(click, timeout=30)


async def joined(world: World, thread_id: int, second: dict[str, Any], child: Job
                 ) -> dict[str, Any]:
    join = await world.discord.click(world.alice.user.id, int(second["id"]),
                                     f"kling:join:{child.id}")
    assert "The story is joined" in await world.wait_private_reply(join, timeout=60)
    [story] = files_in(world, thread_id, f"story-{child.id}.mp4")
    return story


async def test_a_joined_story_is_reported_and_removed_like_any_result(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    channel = await log_channel(world)
    thread_id, _, _, child, second = await a_continued_video(world, bot)
    story = await joined(world, thread_id, second, child)
    report = await reported(world, channel.id, story, child.id, "the story is not ok")
    answer = await press_remove(world, report)
    assert "Done" in answer and "joined story" in answer
    await world.discord.wait_until(
        lambda: int(story["id"]) not in world.discord.messages
        and int(second["id"]) not in world.discord.messages, 5,
        "the story and the part it was joined under deleted")
    await world.discord.wait_for_message(
        thread_id, lambda m: "A moderator removed this video" in m["content"])


async def test_removing_a_part_deletes_the_story_joined_under_a_later_part(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    channel = await log_channel(world)
    thread_id, first_job, first, child, second = await a_continued_video(world, bot)
    story = await joined(world, thread_id, second, child)
    report = await reported(world, channel.id, first, first_job.id, "the first part")
    answer = await press_remove(world, report)
    assert "Done" in answer and "joined story" in answer
    await world.discord.wait_until(
        lambda: int(story["id"]) not in world.discord.messages
        and int(first["id"]) not in world.discord.messages, 5,
        "the removed part and the story it is in deleted")
    assert int(second["id"]) in world.discord.messages, "the later part itself stays"


async def test_a_remove_discord_refuses_leaves_the_report_open(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"])
    bot = await world.start_bot()
    channel = await log_channel(world)
    await world.video(world.alice, options={"prompt": "a fox to remove"})
    [job] = await world.wait_delivered(bot)
    assert job.result_message_id is not None
    result = world.discord.messages[job.result_message_id]
    report = await reported(world, channel.id, result, job.id, "remove me")
    world.discord.fail_next("DELETE", rf"/messages/{result['id']}$", 403,
                            {"code": 50013, "message": "Missing Permissions"})
    answer = await press_remove(world, report)
    assert "Could not delete" in answer and "Done" not in answer
    assert int(result["id"]) in world.discord.messages
    stored = await bot.engine.store.get_report(
        next(c for c in custom_ids(report) if ":remove:" in c).rsplit(":", 1)[1])
    assert stored is not None and stored.status == "open"
    assert custom_ids(world.discord.messages[int(report["id"])]), "its buttons stay"
    # Pressed again once Discord allows it: done, and the report is closed.
    assert "Done" in await press_remove(world, report)
    await world.discord.wait_until(lambda: int(result["id"]) not in world.discord.messages,
                                   5, "the result deleted")
    await world.discord.wait_until(
        lambda: not custom_ids(world.discord.messages[int(report["id"])]), 5, "closed")


async def test_a_message_already_gone_counts_as_removed(
        world: World, videos: dict[str, Path]) -> None:
    world.kling.queue_video_files(videos["3s"])
    bot = await world.start_bot()
    channel = await log_channel(world)
    await world.video(world.alice, options={"prompt": "a fox deleted by hand"})
    [job] = await world.wait_delivered(bot)
    assert job.result_message_id is not None
    result = dict(world.discord.messages[job.result_message_id])
    report = await reported(world, channel.id, result, job.id, "gone already")
    del world.discord.messages[int(result["id"])]  # a moderator deleted it by hand
    answer = await press_remove(world, report)
    assert "Done" in answer and "already gone" in answer
    await world.discord.wait_until(
        lambda: not custom_ids(world.discord.messages[int(report["id"])]), 5, "closed")


async def test_a_removed_video_recovered_after_a_restart_is_not_posted_nor_sent_by_dm(
        world: World) -> None:
    """A video reported and removed after its post but before its delivery was recorded (a
    crash in between) is delivered again at the next start: it must not come back, not in
    the channel and not as a DM link."""
    bot = await world.start_bot()
    inter = await world.video(world.alice, "notify", {"setting": "on"})
    assert "direct message" in await world.wait_private_reply(inter)
    await world.stop_bot(bot)
    now = time.time()
    job = Job(id="removedrecovered0001", guild_id=world.discord.guild_id,
              channel_id=world.discord.channel_id, user_id=world.alice.user.id,
              state=JobState.RESERVED, action="text2video", model="kling-v1", mode="std",
              duration=5, prompt="a fox removed", request={}, cost=1,
              callback_token="removed-token-0001", created_at=now - 60, updated_at=now - 30,
              deadline_at=now + 600)
    store = make_store(f"sqlite:///{world.tmp_path / 'klingcord.db'}")
    await store.open()
    try:
        assert (await store.reserve_job(job, limit=100, period_start=0.0,
                                        server_cap=None)).accepted
        await store.transition(job.id, (JobState.RESERVED,), JobState.SUCCEEDED,
                               task_id="t-removed", video_url=f"{world.kling.base_url}/v.mp4",
                               removed_at=now - 10, removed_by=world.moderator.user.id,
                               updated_at=now - 20)
    finally:
        await store.close()
    before = len(world.discord.messages)
    bot = await world.start_bot()

    async def ended() -> Job | None:
        found = await bot.engine.store.get_job(job.id)
        return found if found is not None and found.state is JobState.DELIVERED else None

    await eventually(ended, 15)
    await asyncio.sleep(0.3)
    assert world.discord.dm_messages(world.alice.user.id) == []
    assert len(world.discord.messages) == before, "nothing posted"


async def test_a_part_removed_while_its_story_is_being_joined_takes_the_story_down(
        world: World, videos: dict[str, Path]) -> None:
    """Remove lands while Join is posting the story (its message is made, its record not yet
    written, so Remove cannot know of it): the Join sees the removal once it records the
    story and takes it down; the member is told, and the removed part is not left on show."""
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    channel = await log_channel(world)
    thread_id, first_job, first, child, second = await a_continued_video(world, bot)
    report = await reported(world, channel.id, first, first_job.id, "removed mid-join")
    held = world.discord.hold_response(
        lambda r: r.method == "POST" and any("story" in f.filename for f in r.files))
    join = await world.discord.click(world.alice.user.id, int(second["id"]),
                                     f"kling:join:{child.id}")
    [story] = await world.discord.wait_until(
        lambda: files_in(world, thread_id, f"story-{child.id}.mp4") or None, 60,
        "the story posted")
    assert "Done" in await press_remove(world, report)
    held.release()
    answer = await world.wait_private_reply(join, timeout=30)
    assert "The story is joined" not in answer and "moderator removed" in answer
    await world.discord.wait_until(lambda: int(story["id"]) not in world.discord.messages, 10,
                                   "the story taken down")
    assert files_in(world, thread_id, f"story-{child.id}.mp4") == []
