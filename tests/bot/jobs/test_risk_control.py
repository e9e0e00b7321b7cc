"""Kling's risk control: a create refused with `403 forbidden`, or a task failed for its
content, is told to the member in plain words and refunded, and never pauses the bot (only the
used-up balance, also a 403, does)."""

from __future__ import annotations

import pytest

from bot.jobs import KlingPaused
from bot.store import JobState, LedgerStatus
from testkit.fakes.kling import RISK_CONTROL_MESSAGE, FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import EngineFactory
from tests.support import eventually, text_job


async def test_a_create_refused_by_risk_control_is_refunded_and_does_not_pause(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.refuse_next()
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.error_key == "failed.content_refused"
    assert stored.error_params == {"reason": RISK_CONTROL_MESSAGE}
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    [(job_id, said)] = notifier.failures
    assert job_id == job.id
    assert "Kling refused this content" in said and RISK_CONTROL_MESSAGE in said
    assert notifier.alerts == []  # nothing for the moderators: the balance is fine
    # New jobs are not paused: the next one goes through.
    second = await engine.jobs.request(text_job())
    assert second.state is JobState.SUBMITTED
    await eventually(lambda: notifier.delivered)


async def test_a_task_failed_by_risk_control_is_refunded_in_plain_words(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.queue_outcome(False, RISK_CONTROL_MESSAGE)
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.failures)
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.FAILED
    assert stored.error_key == "failed.content_refused"
    assert "Kling refused this content" in notifier.failures[0][1]
    assert RISK_CONTROL_MESSAGE in notifier.failures[0][1]
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)


async def test_a_task_failed_otherwise_keeps_the_general_words(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.queue_outcome(False, "the GPU caught fire")
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.failures)
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.error_key == "failed.kling"


async def test_the_used_up_403_still_pauses(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 403, code="used_up")
    job = await engine.jobs.request(text_job())
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.error_key == "failed.used_up"
    assert notifier.alerts
    with pytest.raises(KlingPaused):
        await engine.jobs.request(text_job())


async def test_a_refusal_without_words_is_still_plain(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.refuse_next(message=None)
    job = await engine.jobs.request(text_job())
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.error_key == "failed.content_refused_unexplained"
    assert stored.error_code == "forbidden"
    assert "Kling refused this content." in notifier.failures[0][1]
    assert notifier.alerts == []


def test_the_two_403s_are_told_apart_by_their_code() -> None:
    """The real used-up answer (the fixture) pauses; `forbidden` is risk control. The
    shared task failure fixture (risk control's words) reads as a content refusal."""
    from bot.kling.client import _error_for
    from bot.kling.errors import KlingBalanceExhausted, KlingContentRefused
    from tests.bot.kling.test_results import fixture

    used_up = _error_for(403, fixture("error_403.json"), {})
    assert type(used_up) is KlingBalanceExhausted
    refused = _error_for(403, {"success": False, "error": {"code": "forbidden",
                                                             "message": "nope"}}, {})
    assert type(refused) is KlingContentRefused and refused.message == "nope"
    from bot.kling.results import parse_task_record
    assert parse_task_record(fixture("task_failed.json")).content_refused
    assert not parse_task_record(fixture("task_succeeded.json")).content_refused
