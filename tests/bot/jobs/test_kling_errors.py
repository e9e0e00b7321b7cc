"""What a job does when Kling answers with an error, through the real core and the fake Kling:
429s wait (or queue the job), 401 and 404 fail and refund and tell the operator, server errors
fail a create without sending it twice but are retried on queries, a dropped create is never
sent twice, and a used-up balance pauses new jobs."""

from __future__ import annotations

import logging
import time

import pytest

from bot.discord.i18n.render import failure_reason
from bot.store import JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import EngineFactory
from tests.support import eventually, ledger_rows, text_job


async def test_rate_limited_create_waits_then_goes_through(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 429, times=2, retry_after=0.05)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.SUBMITTED
    await eventually(lambda: notifier.delivered)
    assert fake_kling.create_count == 3 and len(fake_kling.tasks) == 1


async def test_rate_limited_beyond_retries_queues_the_job(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine(poll_interval_seconds=0.05)
    fake_kling.fail_next("create", 429, times=6, retry_after=0.01)
    job = await engine.jobs.request(text_job())
    # Back in the queue, not failed; dispatch pauses instead of failing jobs.
    assert job.state is JobState.QUEUED and job.submit_started_at is None
    assert engine.dispatch_pause.until > 0
    await eventually(lambda: notifier.delivered, timeout=10)
    assert len(fake_kling.tasks) == 1
    await engine.jobs.idle()  # the delivery records itself just after posting
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_unauthorised_fails_refunds_and_tells_the_operator(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 401)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert "misconfigured" in failure_reason(job)
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    operator = [r for r in caplog.records if r.levelno == logging.ERROR
                and "OPERATOR" in r.getMessage()]
    assert operator and "KLING_API_TOKEN" in operator[0].getMessage()
    assert notifier.failures == [(job.id, failure_reason(job))]


async def test_a_wrong_api_address_fails_refunds_and_tells_the_operator(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    engine, _ = await make_engine()
    fake_kling.fail_next("create", 404)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED and "API address is wrong" in failure_reason(job)
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert any("KLING_API_BASE" in r.getMessage() for r in caplog.records
               if r.levelno == logging.ERROR)


async def test_repeated_server_errors_fail_and_refund_without_a_second_create(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 500, times=5)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert fake_kling.create_count == 1, "a create must never be retried on a 5xx"
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert notifier.failures and "internal error" in notifier.failures[0][1]


async def test_server_errors_on_queries_are_retried(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(callbacks=False)
    job = await engine.jobs.request(text_job())
    await fake_kling.finish(job.task_id or "")
    fake_kling.fail_next("tasks", 500, times=2)
    await eventually(lambda: notifier.delivered)
    assert notifier.failures == []


async def test_dropped_create_is_never_sent_twice(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    """The task was created but the answer was lost: the callback still finds the job."""
    engine, notifier = await make_engine()
    fake_kling.drop_next("create", after_create=True)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.SUBMITTED and job.task_id is None
    await eventually(lambda: notifier.delivered)
    assert fake_kling.create_count == 1 and len(fake_kling.tasks) == 1


async def test_dropped_create_without_callbacks_is_refunded(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine(callbacks=False)
    fake_kling.drop_next("create")
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert fake_kling.create_count == 1
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)


async def test_balance_used_up_pauses_new_jobs(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    from bot.jobs import KlingPaused

    ahead = 0.0
    engine, notifier = await make_engine(clock=lambda: time.time() + ahead)
    fake_kling.fail_next("create", 403)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert notifier.alerts and "balance" in notifier.alerts[0]
    with pytest.raises(KlingPaused):
        await engine.jobs.request(text_job())
    assert await ledger_rows(engine) == 1
    assert len(notifier.alerts) == 1
    # Fifteen minutes later the next job finds out whether the balance was topped up.
    ahead = 901.0
    later = await engine.jobs.request(text_job())
    assert later.state is JobState.SUBMITTED
