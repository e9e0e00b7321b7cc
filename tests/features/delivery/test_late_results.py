"""Late results through Discord: a job stopped at its deadline is told so in the
right unit, and the video that Kling still delivers afterwards is posted, marked late."""

from __future__ import annotations

import pytest

from bot.store import LedgerStatus
from testkit.store_reads import ledger_entry
from tests.discord_support import World

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


async def test_a_late_result_is_posted_and_says_it_is_late_and_free(world: World) -> None:
    world.kling.never_finish = True
    bot = await world.start_bot(job_deadline_seconds=0.5)
    await world.video(world.alice)
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    thread_id = int(card["id"])
    failure = await world.discord.wait_for_message(
        thread_id, lambda m: "could not be made" in m["content"], timeout=10)
    assert "did not finish within 1 second," in failure["content"]

    task = world.kling.last_task
    assert task is not None
    world.kling.never_finish = False
    await world.kling.finish(task.task_id)
    [result] = await world.wait_result(thread_id)
    assert result["attachments"]
    assert "arrived after the job had been stopped and refunded" in str(result["embeds"])
    assert "nothing is charged" in str(result["embeds"])
    [job] = await world.wait_delivered(bot)
    assert job.late
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)


async def test_a_job_that_waited_too_long_in_the_queue_is_told_so(world: World) -> None:
    world.kling.never_finish = True
    bot = await world.start_bot(max_jobs_per_member=1, queue_timeout_seconds=0.5)
    await world.video(world.alice, options={"prompt": "first"})
    await world.video(world.alice, options={"prompt": "second"})
    told = await world.discord.wait_for_message(
        None, lambda m: "waited too long in the queue" in m["content"], timeout=10)
    assert f"<@{world.alice.user.id}>" in told["content"]
    assert "refunded" in told["content"] and "did not finish" not in told["content"]
    assert world.kling.create_count == 1
    assert await bot.engine.store.credits_spent(world.discord.guild_id, world.alice.user.id,
                                                0) == 1
