"""Each result posted exactly once, however long its delivery takes, and what the
card-edit throttle remembers.

A delivery holds a lease on its job. The tests shorten the lease (a setting) and slow the
video's download (the fake Kling's CDN) so that a delivery outlives several leases, and shorten
the fake Discord's nonce window so that Discord's own de-duplication cannot hide a second post.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

import pytest

from bot.discord.posting.throttle import CardThrottle
from bot.jobs import Job
from bot.store import JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.builders import job as queued_job
from tests.conftest import EngineFactory
from tests.discord_support import World
from tests.support import eventually, text_job

pytestmark = pytest.mark.timeout(60)

LEASE = 0.4  # seconds; the fake CDN stalls for four of these
SLOW_DOWNLOAD = 1.6


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_delivery_slower_than_its_lease_posts_one_message(world: World) -> None:
    world.kling.video_delay = SLOW_DOWNLOAD
    world.discord.nonce_window = 0.0  # the delivery outlives Discord's nonce window
    bot = await world.start_bot(delivery_lease_seconds=LEASE)
    await world.video(world.alice)
    card = await world.discord.wait_until(
        lambda: next(iter(world.discord.messages_in(world.discord.channel_id)), None), 10,
        "the card")
    [job] = await world.wait_delivered(bot)
    # Poller ticks (every 0.1 s) that would start a second delivery have had their chance.
    await asyncio.sleep(5 * 0.1)
    results = [m for m in world.discord.messages_in(int(card["id"]))
               if "your video is ready" in m["content"]]
    assert [int(m["id"]) for m in results] == [job.result_message_id]
    assert world.kling.downloads == [job.task_id]
    assert job.delivery_attempts == 0  # it never failed
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_two_processes_deliver_a_slow_result_once(
        make_engine: EngineFactory, fake_kling: FakeKling, no_error_logs: object) -> None:
    """Two engines on one database, as two bot processes: the one delivering keeps its
    claim for as long as the download takes; the other never starts a second delivery."""
    fake_kling.video_delay = SLOW_DOWNLOAD
    first, first_seen = await make_engine(instance_id="one", delivery_lease_seconds=LEASE)
    _, second_seen = await make_engine(instance_id="two", delivery_lease_seconds=LEASE)
    job = await first.jobs.request(text_job())

    async def delivered() -> Job | None:
        stored = await first.store.get_job(job.id)
        return stored if stored is not None and stored.state is JobState.DELIVERED else None

    stored = await eventually(delivered)
    await asyncio.sleep(5 * 0.1)  # both pollers' delivery rounds have run meanwhile
    assert [d.job_id for d in first_seen.delivered + second_seen.delivered] == [job.id]
    assert fake_kling.downloads == [stored.task_id]
    assert stored.delivery_attempts == 0
    assert await ledger_entry(first.store, job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_a_delivery_that_lost_its_claim_stops(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    """A process stalled past its lease (a hung database connection, say) finds on its next
    renewal that the job's claim is no longer its own, and stops: only one delivery posts."""
    fake_kling.video_delay = SLOW_DOWNLOAD
    first, first_seen = await make_engine(instance_id="one", delivery_lease_seconds=LEASE)
    _, second_seen = await make_engine(instance_id="two", delivery_lease_seconds=LEASE)
    job = await first.jobs.request(text_job())
    await eventually(lambda: fake_kling.downloads)  # the first delivery is under way
    await first.store.update(job.id, (JobState.SUCCEEDED,), next_attempt_at=0.0)  # lapsed

    async def delivered() -> Job | None:
        stored = await first.store.get_job(job.id)
        return stored if stored is not None and stored.state is JobState.DELIVERED else None

    await eventually(delivered)
    await asyncio.sleep(5 * 0.1)
    assert [d.job_id for d in first_seen.delivered + second_seen.delivered] == [job.id]
    assert "lost its claim" in caplog.text
    assert await ledger_entry(first.store, job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_a_failed_delivery_counts_one_attempt_and_a_claim_none(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    """The attempt counter counts failures: one failure is one attempt, and the successful
    retry adds nothing."""
    engine, notifier = await make_engine()
    notifier.fail_deliveries = 1
    job = await engine.jobs.request(text_job())

    async def retry_scheduled() -> Job | None:
        stored = await engine.store.get_job(job.id)
        return stored if stored is not None and stored.delivery_attempts else None

    assert (await eventually(retry_scheduled)).delivery_attempts == 1
    await engine.store.update(job.id, (JobState.SUCCEEDED,), next_attempt_at=0.0)
    engine.poller.wake()
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.DELIVERED
    assert stored.delivery_attempts == 1


# -- the card-edit throttle's memory (item 12) -----------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def edits_into(log: list[str]) -> Callable[[Job], Awaitable[None]]:
    async def edit(job: Job) -> None:
        log.append(job.id)
    return edit


def submitted_job(job_id: str) -> Job:
    return dataclasses.replace(queued_job(job_id, 1, 100, 0.0), state=JobState.SUBMITTED)


async def test_the_throttle_forgets_jobs_finished_by_another_process() -> None:
    """This process edits the cards of many jobs that another process then finishes: it
    never sees their end, and must not remember them for ever."""
    clock = FakeClock()
    throttle = CardThrottle(interval=10.0, clock=clock)
    edited: list[str] = []
    for n in range(200):
        await throttle.submit(submitted_job(f"{n:020x}"),
                              edits_into(edited))
        clock.now += 0.1
    assert len(edited) == 200
    clock.now += 10.0
    newest = submitted_job("f" * 20)
    await throttle.submit(newest, edits_into(edited))
    assert len(throttle) == 1  # the newest job only
    # ... and throttling still works for it: a change within the interval waits.
    await throttle.submit(newest, edits_into(edited))
    assert edited.count(newest.id) == 1
    await throttle.close()
