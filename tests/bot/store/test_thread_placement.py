"""A job's thread placement in the store, on both backends and seen by two store objects (two
processes): the lease a thread's start holds, settled once (a thread, or none), taken over after
a crash, and a delivery put off until the thread is known."""

from __future__ import annotations

import time
import uuid

from bot.store import Job, JobState, Store
from tests.support import StoreFactory

NOW = 1_000.0


def a_job() -> Job:
    now = time.time()
    return Job(id=uuid.uuid4().hex[:20], guild_id=7, channel_id=1, user_id=100,
               state=JobState.QUEUED, action="text2video", model="kling-v1", mode="std",
               duration=5, prompt="a lighthouse", request={"prompt": "a lighthouse"}, cost=2,
               callback_token=uuid.uuid4().hex, created_at=now, updated_at=now,
               deadline_at=now + 600)


async def placed_job(open_store: StoreFactory, lease: float) -> tuple[Job, Store]:
    store = await open_store()
    job = a_job()
    assert (await store.reserve_job(job, limit=10, period_start=0.0, server_cap=None)).accepted
    card = await store.update(job.id, (JobState.QUEUED,), status_message_id=555,
                              thread_pending_until=lease)
    assert card is not None and card.thread_pending_until == lease
    return card, store


async def test_the_thread_is_stored_once_by_the_start_that_holds_the_lease(
        open_store: StoreFactory) -> None:
    job, _ = await placed_job(open_store, NOW + 10)
    first, other = await open_store(), await open_store()
    assert job.thread_pending(NOW) and not job.thread_pending(NOW + 10)
    # A start that lost its lease (another took it over) does not write.
    assert not await other.settle_thread(job.id, NOW + 5, 777)
    assert await first.settle_thread(job.id, NOW + 10, 555)
    assert not await other.settle_thread(job.id, NOW + 10, None)  # settled already
    stored = await other.get_job(job.id)
    assert stored is not None
    assert (stored.thread_id, stored.thread_pending_until) == (555, None)


async def test_a_delivery_that_gives_the_thread_up_stands_against_a_late_thread(
        open_store: StoreFactory) -> None:
    job, _ = await placed_job(open_store, NOW + 10)
    late = await open_store()
    assert await late.settle_thread(job.id, NOW + 10, None)  # the delivery: the channel
    assert not await late.settle_thread(job.id, NOW + 10, 555)  # the thread came too late
    stored = await late.get_job(job.id)
    assert stored is not None and stored.thread_id is None
    assert stored.post_channel_id == job.channel_id


async def test_a_crashed_start_is_taken_over_by_moving_its_lease(
        open_store: StoreFactory) -> None:
    job, _ = await placed_job(open_store, NOW + 10)
    restarted = await open_store()
    assert await restarted.renew_thread_lease(job.id, NOW + 10, NOW + 50)
    assert not await restarted.renew_thread_lease(job.id, NOW + 10, NOW + 60)
    assert not await restarted.settle_thread(job.id, NOW + 10, 999)  # the old start
    assert await restarted.settle_thread(job.id, NOW + 50, 555)


async def test_a_delivery_put_off_for_the_thread_is_due_once_the_thread_is_known(
        open_store: StoreFactory) -> None:
    job, store = await placed_job(open_store, NOW + 10)
    other = await open_store()
    assert await store.transition(job.id, (JobState.QUEUED,), JobState.SUCCEEDED,
                                  video_url="https://cdn.example/v.mp4") is not None
    assert await other.jobs_due_for_delivery(NOW) != []
    assert await other.postpone_delivery(job.id, NOW, NOW + 10)
    assert not await store.postpone_delivery(job.id, NOW, NOW + 10)  # put off already
    assert await other.jobs_due_for_delivery(NOW) == []
    assert await store.settle_thread(job.id, NOW + 10, 555)
    [due] = await other.jobs_due_for_delivery(NOW)
    assert due.id == job.id and due.next_attempt_at is None and due.thread_id == 555
    assert await other.claim_for_delivery(job.id, NOW, NOW + 60, "b") is not None
    # A running delivery's claim is never put off.
    assert not await store.postpone_delivery(job.id, NOW + 1, NOW + 20)
