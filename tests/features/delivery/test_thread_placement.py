"""A job's thread never holds it back: the job goes to Kling while Discord is still starting its
thread, and its result waits for that thread only so long (the thread's lease, stored on the
job), then goes to the channel. Discord's answer to the thread's start is held back by the fake
(it took effect, the bot has not heard), as a thread bucket under Discord's limits would."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import Job, JobState
from testkit.fakes.discord import RecordedRequest
from tests.discord_support import World
from tests.support import eventually

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


def is_thread_start(request: RecordedRequest) -> bool:
    return request.method == "POST" and request.path.endswith("/threads")


def results_in(world: World, channel_id: int) -> list[dict[str, object]]:
    return [m for m in world.discord.messages_in(channel_id)
            if "your video is ready" in m["content"]]


async def only_job(world: World, bot: object) -> Job:
    [job] = await bot.engine.store.jobs_in_state(tuple(JobState))  # type: ignore[attr-defined]
    return job


async def test_the_job_goes_to_kling_while_its_thread_starts_and_its_result_follows_it(
        world: World) -> None:
    bot = await world.start_bot(thread_wait_seconds=30.0)
    held = world.discord.hold_response(is_thread_start)
    inter = await world.video(world.alice)
    await world.discord.wait_until(lambda: held.record, 10, "the thread's start")
    # Discord has not answered the thread's start, and the job is at Kling already.
    task = await world.kling_task()
    assert "on its way" in await world.wait_private_reply(inter)

    # Kling finished; the result waits for the thread in the store, not in memory.
    async def waiting() -> Job | None:
        job = await only_job(world, bot)
        return job if job.state is JobState.SUCCEEDED and job.next_attempt_at else None

    job = await eventually(waiting)
    assert job.task_id == task.task_id and job.thread_id is None
    assert job.thread_pending_until is not None
    assert job.next_attempt_at == job.thread_pending_until
    assert not results_in(world, world.discord.channel_id)

    held.release()
    [card_id] = inter.followup_message_ids
    [result] = await world.wait_result(card_id)  # a thread started from the card has its id
    [delivered] = await world.wait_delivered(bot)
    assert delivered.thread_id == card_id and delivered.thread_pending_until is None
    assert delivered.result_message_id == int(result["id"])
    assert not results_in(world, world.discord.channel_id)


async def test_a_thread_slower_than_its_bound_sends_the_result_to_the_channel(
        world: World) -> None:
    bot = await world.start_bot(thread_wait_seconds=1.5)
    held = world.discord.hold_response(is_thread_start)
    inter = await world.video(world.alice)
    await world.kling_task()
    [result] = await world.wait_result(world.discord.channel_id, timeout=10)
    assert held.record is not None  # the thread's start is still unanswered
    [job] = await world.wait_delivered(bot)
    assert job.thread_id is None and job.result_message_id == int(result["id"])
    # The card says where the result went.
    card = await world.wait_card("Done")
    assert "posted in this channel" in str(card["embeds"])

    # The thread comes after all: the placement stands, nothing is posted in it.
    held.release()
    [card_id] = inter.followup_message_ids
    await world.discord.wait_until(lambda: card_id in world.discord.channels, 5, "the thread")
    await bot.engine.jobs.idle()
    assert (await only_job(world, bot)).thread_id is None
    assert world.discord.messages_in(card_id) == []
    assert len(results_in(world, world.discord.channel_id)) == 1


async def test_a_thread_left_half_started_by_a_stopped_bot_is_found_at_the_next_start(
        world: World) -> None:
    """The bot stops while Discord starts the thread (it took effect, the bot never heard):
    the next start starts it again, Discord says the card has one, and the result goes
    there."""
    world.kling.auto_finish = False
    first = await world.start_bot(thread_wait_seconds=30.0)
    held = world.discord.hold_response(is_thread_start)
    inter = await world.video(world.alice)
    task = await world.kling_task()
    await world.discord.wait_until(lambda: held.record, 10, "the thread's start")
    await world.stop_bot(first)
    [card_id] = inter.followup_message_ids
    assert card_id in world.discord.channels  # on Discord, the thread exists
    with sqlite3.connect(world.tmp_path / "klingcord.db") as db:
        [(thread_id, lease)] = db.execute("SELECT thread_id, thread_pending_until FROM jobs")
    assert thread_id is None and lease is not None  # the bot never heard

    second = await world.start_bot(thread_wait_seconds=30.0)
    await world.kling.finish(task.task_id)
    [result] = await world.wait_result(card_id)
    [job] = await world.wait_delivered(second)
    assert job.thread_id == card_id and job.result_message_id == int(result["id"])
    assert not results_in(world, world.discord.channel_id)
    held.release()
