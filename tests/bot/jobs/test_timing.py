"""When a job's clocks run, and what never waits for what.

A task that never finishes is refunded at its deadline, which counts from Kling's acceptance;
the queue has its own bound; a result that comes after the deadline is still delivered (late,
free); polling, delivery and deadlines never wait for the fair queue (slow creates, slow card
edits); a second process never refunds a create that is still in flight; every Retry-After is
capped; the poller backs off exponentially while Kling fails and comes back at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.discord.i18n.texts import span
from bot.engine import Engine
from bot.jobs import JobRequest
from bot.kling.client import MAX_RETRY_AFTER, KlingClient, RetryPolicy
from bot.kling.options import VideoOptions
from bot.store import Job, JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import FAST_RETRY, EngineFactory
from tests.support import KLING_TOKEN, RecordingNotifier, eventually, make_settings, text_job

pytestmark = pytest.mark.timeout(60)

GUILD = 1
ALICE, BOB, CAROL = 100, 200, 300
DAY = 86400.0


def ask(user: int = ALICE, prompt: str = "a lighthouse in a storm") -> JobRequest:
    return JobRequest(guild_id=GUILD, channel_id=10, user_id=user,
                      options=VideoOptions(action="text2video", prompt=prompt))


async def stored(engine: Engine, job_id: str) -> Job:
    job = await engine.store.get_job(job_id)
    assert job is not None
    return job


async def in_state(engine: Engine, job_id: str, state: JobState) -> bool:
    return (await stored(engine, job_id)).state is state


def delivered(notifier: RecordingNotifier, job_id: str) -> bool:
    return any(d.job_id == job_id for d in notifier.delivered)


def failure_of(notifier: RecordingNotifier, job_id: str) -> str | None:
    return next((text for jid, text in notifier.failures if jid == job_id), None)


# -- item 1: the deadline counts from Kling's acceptance; the queue has its own bound ----------

async def test_the_deadline_counts_from_klings_acceptance_not_from_the_queue(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    """A job that waited in the queue longer than the deadline still gets the whole deadline
    once Kling has it, and its video is delivered."""
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(max_jobs_per_member=1, job_deadline_seconds=1.0)
    first = await engine.jobs.request(ask())
    waiting = await engine.jobs.request(ask())
    assert first.state is JobState.SUBMITTED and waiting.state is JobState.QUEUED
    # The first job runs out its second; only then does the second one start.
    await eventually(lambda: failure_of(notifier, first.id), timeout=5)
    await eventually(lambda: in_state(engine, waiting.id, JobState.SUBMITTED), timeout=5)
    started = await stored(engine, waiting.id)
    assert started.submitted_at is not None
    # It waited about a whole deadline in the queue, and still gets a whole one from Kling.
    assert started.submitted_at - started.created_at >= 0.8
    assert started.deadline_at == pytest.approx(started.submitted_at + 1.0)
    await fake_kling.finish(started.task_id or "")
    await eventually(lambda: delivered(notifier, waiting.id), timeout=5)
    assert failure_of(notifier, waiting.id) is None
    await engine.jobs.idle()
    assert await ledger_entry(engine.store, waiting.id) == (waiting.cost, LedgerStatus.COMMITTED)
    # A deadline under a minute is said in seconds.
    assert "did not finish within 1 second," in (failure_of(notifier, first.id) or "")


async def test_a_job_that_waits_too_long_in_the_queue_is_never_sent_and_is_refunded(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(max_jobs_per_member=1, queue_timeout_seconds=0.5,
                                         job_deadline_seconds=60)
    running = await engine.jobs.request(ask())
    waiting = await engine.jobs.request(ask())
    assert waiting.state is JobState.QUEUED
    said = await eventually(lambda: failure_of(notifier, waiting.id), timeout=5)
    assert "waited too long in the queue" in said and "did not finish" not in said
    assert "never sent to Kling" in said
    assert await ledger_entry(engine.store, waiting.id) == (waiting.cost, LedgerStatus.REFUNDED)
    assert (await stored(engine, waiting.id)).error_code == "queue_timeout"
    # Never sent, and the running job is not touched by the queue's bound.
    assert fake_kling.create_count == 1 and len(fake_kling.tasks) == 1
    assert (await stored(engine, running.id)).state is JobState.SUBMITTED


async def test_a_result_after_the_deadline_is_delivered_late_and_free(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    fake_kling.never_finish = True
    engine, notifier = await make_engine(job_deadline_seconds=0.5)
    job = await engine.jobs.request(ask())
    said = await eventually(lambda: failure_of(notifier, job.id), timeout=5)
    assert "did not finish within 1 second" in said
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    # Kling finishes after all: its callback brings the video, which is delivered once.
    fake_kling.never_finish = False
    await fake_kling.finish(job.task_id or "")
    await eventually(lambda: delivered(notifier, job.id), timeout=5)
    await fake_kling.send_callback(job.task_id or "", copies=2)  # duplicates change nothing
    await engine.jobs.idle()
    late = await stored(engine, job.id)
    assert late.state is JobState.DELIVERED and late.late
    assert [d.job_id for d in notifier.delivered] == [job.id]
    # Not charged again: the refund stands through delivery.
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert await engine.store.credits_spent(GUILD, ALICE, 0.0) == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                and r.name == "bot.jobs.outcomes"]
    assert any(job.id in w and (job.task_id or "?") in w and "late" in w for w in warnings)


async def test_the_poller_finds_a_late_result_without_a_callback(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, notifier = await make_engine(callbacks=False, job_deadline_seconds=0.5,
                                         poll_interval_seconds=0.05)
    job = await engine.jobs.request(ask())
    await eventually(lambda: failure_of(notifier, job.id), timeout=5)
    fake_kling.never_finish = False
    await fake_kling.finish(job.task_id or "")
    await eventually(lambda: delivered(notifier, job.id), timeout=5)
    await engine.jobs.idle()
    late = await stored(engine, job.id)
    assert late.state is JobState.DELIVERED and late.late
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)


def test_lengths_of_time_are_said_in_the_right_unit() -> None:
    assert span(0.5) == "1 second" and span(45) == "45 seconds"
    assert span(60) == "1 minute" and span(1800) == "30 minutes" and span(5400) == "90 minutes"
    assert span(3600) == "1 hour" and span(7200) == "2 hours"


# -- item 3: nothing waits for the fair queue -------------------------------------------------

async def test_a_result_is_picked_up_while_another_jobs_create_is_slow(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(callbacks=False, poll_interval_seconds=0.05)
    first = await engine.jobs.request(ask(ALICE))
    fake_kling.delay_next("create", 5.0)
    slow = asyncio.create_task(engine.jobs.request(ask(BOB)))
    await fake_kling.wait_for(lambda: fake_kling.create_count == 2)
    # The first job's video is found by polling and delivered while Bob's create hangs.
    await fake_kling.finish(first.task_id or "")
    await eventually(lambda: delivered(notifier, first.id), timeout=1.5)
    # Carol's /video waits for her own create only, not for Bob's.
    carol = await asyncio.wait_for(engine.jobs.request(ask(CAROL)), timeout=1.5)
    assert carol.state is JobState.SUBMITTED
    # Bob's create is still at Kling (his job holds its slot), and only Bob waits for it.
    assert not slow.done() and fake_kling.create_count == 3
    [bob] = await engine.store.jobs_in_state((JobState.RESERVED,))
    assert bob.user_id == BOB
    slow.cancel()


class SlowQueueCards(RecordingNotifier):
    """Discord under load: every edit of a queued job's card takes `delay` seconds."""

    delay = 0.0

    async def progress(self, job: Job) -> None:
        if job.state is JobState.QUEUED:
            await asyncio.sleep(self.delay)
        await super().progress(job)


async def test_a_result_is_picked_up_while_queue_cards_are_renumbered_slowly(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    cards = SlowQueueCards()
    engine, notifier = await make_engine(callbacks=False, poll_interval_seconds=0.05,
                                         max_jobs_per_member=1, notifier=cards)
    await engine.jobs.request(ask(ALICE))
    queued = [await engine.jobs.request(ask(ALICE, f"scene {i}")) for i in range(5)]
    bob = await engine.jobs.request(ask(BOB))
    assert [j.queue_position for j in queued] == [1, 2, 3, 4, 5]
    # Alice cancels her first queued job: the four behind her move up, 1 s per card edit.
    cards.delay = 1.0
    edits_before = len(cards.progress_log)
    await engine.jobs.cancel(queued[0].id, ALICE, is_moderator=False)
    await fake_kling.finish(bob.task_id or "")
    await eventually(lambda: delivered(notifier, bob.id), timeout=1.5)
    carol = await asyncio.wait_for(engine.jobs.request(ask(CAROL)), timeout=1.5)
    assert carol.state is JobState.SUBMITTED
    # The renumbering itself is stored at once, and the cards follow.
    positions = [(await stored(engine, j.id)).queue_position for j in queued[1:]]
    assert positions == [1, 2, 3, 4]
    await eventually(lambda: sum(1 for _, state in cards.progress_log[edits_before:]
                                 if state == "queued") >= 4, timeout=10)


# -- item 6: stale creates, Retry-After caps, poller back-off -----------------------------------

async def test_the_stale_create_threshold_outlasts_the_clients_longest_create(
        tmp_path: Path) -> None:
    # 5 attempts of up to 30 s, and 4 back-offs of at most the capped Retry-After.
    policy = RetryPolicy()
    assert policy.longest_create(30.0) == 5 * 30.0 + 4 * MAX_RETRY_AFTER
    for retry in (RetryPolicy(), RetryPolicy(create_attempts=8, max_delay=60.0), FAST_RETRY):
        engine = Engine(make_settings(tmp_path, "http://127.0.0.1:9"), RecordingNotifier(),
                        retry=retry)
        longest = engine.kling.longest_create()
        assert longest == retry.longest_create(30.0)
        assert engine.maintenance.stale_submit_seconds > longest + 30  # margin on top
        await engine.session.close()


@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_second_process_never_refunds_a_create_still_in_flight(
        tmp_path: Path, fake_kling: FakeKling, database_url: str) -> None:
    """Process B sees process A's create as having run as long as a create possibly can (its
    clock is that far ahead); it must leave it alone, and the job must be delivered once."""
    common = {"database_url": database_url, "job_deadline_seconds": 3600}
    mine, other = RecordingNotifier(), RecordingNotifier()
    first = Engine(make_settings(tmp_path, fake_kling.base_url, callbacks=False,
                                 instance_id="bot-a", **common), mine)
    mine.videos = first.videos
    second: Engine | None = None
    try:
        await first.start()
        fake_kling.delay_next("create", 1.5)
        pending = asyncio.create_task(first.jobs.request(ask()))
        await fake_kling.wait_for(lambda: fake_kling.create_count == 1)
        ahead = first.kling.longest_create() + 1
        second = Engine(make_settings(tmp_path, fake_kling.base_url, callbacks=False,
                                      instance_id="bot-b", **common), other,
                        clock=lambda: time.time() + ahead)
        other.videos = second.videos
        await second.start()  # recovery looks at stale creates first
        ticks = second.poller.stats.ticks
        await eventually(lambda: second.poller.stats.ticks > ticks + 1)
        job = await pending
        assert job.state is JobState.SUBMITTED and job.task_id
        done = await eventually(lambda: in_state(first, job.id, JobState.DELIVERED), timeout=10)
        assert done
        assert mine.failures == [] and other.failures == []
        assert await ledger_entry(first.store, job.id) == (job.cost, LedgerStatus.COMMITTED)
        assert fake_kling.create_count == 1
    finally:
        if second is not None:
            await second.close()
        await first.close()


async def test_a_huge_retry_after_is_capped_everywhere(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, _ = await make_engine(callbacks=False, poll_interval_seconds=0.05)
    # The client's back-off between create attempts.
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    client = KlingClient(engine.session, fake_kling.base_url, KLING_TOKEN, sleep=record)
    fake_kling.fail_next("create", 429, times=2, retry_after=DAY)
    await client.create({"action": "text2video", "model": "kling-v1", "prompt": "x"}, None)
    assert len(sleeps) == 2 and max(sleeps) <= MAX_RETRY_AFTER
    # The poller's pause.
    running = await engine.jobs.request(ask(ALICE))
    assert running.state is JobState.SUBMITTED
    fake_kling.fail_next("tasks", 429, times=FAST_RETRY.query_attempts, retry_after=DAY)
    await eventually(lambda: engine.poller.stats.backoff_until > 0, timeout=5)
    assert engine.poller.stats.backoff_until - time.time() <= MAX_RETRY_AFTER
    # The dispatch pause after a create that stayed rate-limited.
    fake_kling.fail_next("create", 429, times=FAST_RETRY.create_attempts, retry_after=DAY)
    requeued = await engine.jobs.request(ask(BOB))
    assert requeued.state is JobState.QUEUED
    assert engine.dispatch_pause.until - time.time() <= MAX_RETRY_AFTER


async def test_the_poller_backs_off_exponentially_and_returns_on_the_first_success(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(callbacks=False, poll_interval_seconds=0.05)
    poller = engine.poller
    poller.max_backoff = 1.2
    job = await engine.jobs.request(ask())
    await eventually(lambda: poller.stats.batch_calls > 0)
    # Kling answers every query with a 500 for 3 s.
    fake_kling.fail_next("tasks", 500, times=100_000)
    calls = poller.stats.batch_calls
    waits: list[tuple[int, float]] = []  # (failures in a row, pause), as sampled
    loop = asyncio.get_running_loop()
    end = loop.time() + 3.0
    while loop.time() < end:
        seen = (poller.stats.failures_in_a_row, poller.stats.backoff_seconds)
        if seen[0] and seen not in waits:
            waits.append(seen)
        await asyncio.sleep(0.005)
    failing_calls = poller.stats.batch_calls - calls
    # 2, 4, 8, 16 intervals, then the cap: calls at 0, 0.1, 0.3, 0.7, 1.5 and 2.7 s at the
    # most (a fixed pause of 2 intervals makes 10 to 20).
    assert waits and all(w == pytest.approx(min(0.05 * 2 ** n, 1.2)) for n, w in waits)
    assert waits[-1][1] == pytest.approx(1.2)
    assert 3 <= failing_calls <= 6, failing_calls
    # Kling is back: the first success ends the pause, and polling runs at its interval.
    fake_kling.clear_scripts("tasks")
    await eventually(lambda: poller.stats.failures_in_a_row == 0, timeout=3)
    assert poller.stats.backoff_seconds == 0
    calls = poller.stats.batch_calls
    await asyncio.sleep(0.6)
    assert poller.stats.batch_calls - calls >= 3
    await fake_kling.finish(job.task_id or "")
    await eventually(lambda: delivered(notifier, job.id), timeout=2)


async def test_task_that_never_finishes_is_refunded_at_the_deadline(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, notifier = await make_engine(job_deadline_seconds=0.5, poll_interval_seconds=0.1)
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.failures, timeout=5)
    assert notifier.failures[0][0] == job.id
    assert "did not finish" in notifier.failures[0][1]
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    # A result that shows up after the deadline is still delivered: late, and free.
    fake_kling.never_finish = False
    await fake_kling.finish(job.task_id or "")
    await eventually(lambda: notifier.delivered, timeout=5)
    await engine.jobs.idle()
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.DELIVERED and stored.late
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
