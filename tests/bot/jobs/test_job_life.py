"""The job's life through the real core against the fake Kling API."""

from __future__ import annotations

import asyncio
import hashlib
import time

from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.store import JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import EngineFactory
from tests.support import eventually, text_job


async def test_text2video_with_callback_is_delivered_once(
        make_engine: EngineFactory, fake_kling: FakeKling, no_error_logs: object) -> None:
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job(duration=10, mode="pro"))
    assert job.state is JobState.SUBMITTED
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()

    task = fake_kling.tasks[job.task_id or ""]
    assert task.request["callback_url"].endswith(job.callback_token)
    assert task.request["async"] is True
    assert task.request["duration"] == 10 and task.request["mode"] == "pro"
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.DELIVERED
    assert stored.video_id == task.video_id
    assert stored.video_duration is not None and stored.video_duration > 0
    [delivered] = notifier.delivered
    assert delivered.sha256 == hashlib.sha256(fake_kling.video_bytes(task.task_id)).hexdigest()
    assert delivered.video_id == task.video_id
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.COMMITTED)
    # The callback did the work: the poller never had to ask.
    assert fake_kling.batch_calls == []


async def test_image2video_with_callback_keeps_video_id(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    request = JobRequest(guild_id=1, channel_id=10, user_id=100, options=VideoOptions(
        action="image2video", model="kling-v1-6", mode="pro", prompt="she smiles",
        start_image_url="https://cdn.discordapp.com/attachments/1/2/cat.png",
        end_image_url="https://cdn.discordapp.com/attachments/1/2/cat2.png"))
    job = await engine.jobs.request(request)
    await eventually(lambda: notifier.delivered)
    body = fake_kling.tasks[job.task_id or ""].request
    assert body["action"] == "image2video"
    assert body["start_image_url"].endswith("cat.png") and body["end_image_url"].endswith(
        "cat2.png")
    assert body["duration"] == 5
    stored = await engine.store.get_job(job.id)
    assert stored and stored.video_id == fake_kling.tasks[job.task_id or ""].video_id


async def test_poller_serves_many_jobs_with_one_batch_call(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(callbacks=False, poll_interval_seconds=30,
                                         max_jobs_per_member=30, max_jobs_per_server=30,
                                         kling_concurrency=30)
    jobs = [await engine.jobs.request(text_job(f"scene {i}")) for i in range(30)]
    assert all("callback_url" not in t.request for t in fake_kling.tasks.values())
    for job in jobs:
        await fake_kling.finish(job.task_id or "")
    before = len(fake_kling.batch_calls)
    # Make every job due now, then run one tick by hand.
    for job in jobs:
        await engine.store.update(job.id, (JobState.SUBMITTED,), next_poll_at=0.0)
    await engine.poller.tick()
    await eventually(lambda: len(notifier.delivered) == 30)
    assert len(fake_kling.batch_calls) == before + 1
    assert sorted(fake_kling.batch_calls[-1]) == sorted(j.task_id for j in jobs)
    assert len({d.job_id for d in notifier.delivered}) == 30


async def test_poller_finds_result_without_public_url(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine(callbacks=False)
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    assert notifier.delivered[0].job_id == job.id
    assert fake_kling.batch_calls and job.task_id in fake_kling.batch_calls[-1]


async def test_three_identical_callbacks_deliver_once(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.callback_copies = 3
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    await fake_kling.wait_for(lambda: len(fake_kling.callback_log) == 3)
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()
    assert [d.job_id for d in notifier.delivered] == [job.id]
    assert sorted(status for _, status in fake_kling.callback_log) == [200, 200, 200]
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_callback_racing_the_poller_delivers_once(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(poll_interval_seconds=30)
    job = await engine.jobs.request(text_job())
    fake_kling.suppress_callbacks = True
    await fake_kling.finish(job.task_id or "")
    await engine.store.update(job.id, (JobState.SUBMITTED,), next_poll_at=0.0)
    await asyncio.gather(
        fake_kling.send_callback(job.task_id or "", copies=2),
        engine.poller.tick(),
        engine.poller.tick(),
    )
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()
    assert [d.job_id for d in notifier.delivered] == [job.id]


async def test_failed_task_is_refunded_and_reported(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.fail_tasks = True
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.failures)
    assert notifier.failures[0][0] == job.id
    assert "risk control" in notifier.failures[0][1]
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert notifier.delivered == []


async def test_delivery_retries_when_discord_is_down(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    notifier.fail_deliveries = 1
    job = await engine.jobs.request(text_job())
    await eventually(lambda: engine.store.get_job(job.id))
    stored = await eventually(
        lambda: _state_is(engine, job.id, JobState.SUCCEEDED))
    assert stored.delivery_attempts == 1
    # Make the retry due now rather than in 10 seconds.
    await engine.store.update(job.id, (JobState.SUCCEEDED,), next_attempt_at=0.0)
    engine.poller.wake()
    await eventually(lambda: notifier.delivered)
    assert [d.job_id for d in notifier.delivered] == [job.id]


async def _state_is(engine: object, job_id: str, state: JobState) -> object:
    """The job in `state` with a retry time set by a failed delivery (not the delivery's own
    60-second lease, which is also a future `next_attempt_at`)."""
    job = await engine.store.get_job(job_id)  # type: ignore[attr-defined]
    return job if (job is not None and job.state is state and job.next_attempt_at
                   and job.next_attempt_at < time.time() + 30) else None
