"""How a failed job is stored since schema 006 (`error_key`, `error_params` as JSON), and a
failure stored before the upgrade (the sentence in `error_message` only), read back and shown
after it: on both backends."""

from __future__ import annotations

import time
import uuid

import pytest

import bot.store.sql
from bot.discord.i18n.render import failure_reason
from bot.discord.posting.cards import status_card
from bot.store import Job, JobState, LedgerStatus, make_store
from bot.store.sql import load_migrations
from testkit.store_reads import schema_version

OLD_SENTENCE = "Kling did not finish within 30 minutes, so the job was stopped."


def a_job() -> Job:
    now = time.time()
    return Job(id=uuid.uuid4().hex[:20], guild_id=7, channel_id=1, user_id=100,
               state=JobState.QUEUED, action="text2video", model="kling-v1", mode="std",
               duration=5, prompt="a lighthouse", request={"prompt": "a lighthouse"}, cost=2,
               callback_token=uuid.uuid4().hex, created_at=now, updated_at=now,
               deadline_at=now + 600)


async def test_a_failure_is_stored_as_a_code_with_parameters(database_url: str) -> None:
    store = make_store(database_url)
    await store.open()
    try:
        job = a_job()
        assert (await store.reserve_job(job, limit=10, period_start=0.0,
                                        server_cap=None)).accepted
        failed = await store.transition(
            job.id, (JobState.QUEUED,), JobState.FAILED, ledger=LedgerStatus.REFUNDED,
            error_code="deadline", error_key="failed.deadline",
            error_params={"seconds": 1800, "ids": [1, 2]})
        assert failed is not None
        assert (failed.error_code, failed.error_key, failed.error_message) == (
            "deadline", "failed.deadline", None)
        assert failed.error_params == {"seconds": 1800, "ids": [1, 2]}
        assert failure_reason(failed) == OLD_SENTENCE
    finally:
        await store.close()


async def test_a_failure_stored_before_the_upgrade_still_reads(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    job = a_job()
    with monkeypatch.context() as before:
        # The bot as it was before schema 006: its migrations and its columns.
        old = [m for m in load_migrations() if m[0] < 6]
        before.setattr(bot.store.sql, "load_migrations", lambda: old)
        before.setattr(bot.store.sql, "JOB_COLUMNS", tuple(
            c for c in bot.store.sql.JOB_COLUMNS if c not in (
                "error_key", "error_params", "spoiler", "notes",
                "review_message_id", "reviewed_by", "removed_at", "removed_by",
                "result_channel_id", "thread_pending_until")))  # added by later migrations
        store = make_store(database_url)
        await store.open()
        try:
            assert await schema_version(store) == 5
            await store.reserve_job(job, limit=10, period_start=0.0, server_cap=None)
            await store.transition(job.id, (JobState.QUEUED,), JobState.FAILED,
                                   ledger=LedgerStatus.REFUNDED, error_code="deadline",
                                   error_message=OLD_SENTENCE)
        finally:
            await store.close()
    upgraded = make_store(database_url)
    await upgraded.open()
    try:
        assert await schema_version(upgraded) == load_migrations()[-1][0]
        stored = await upgraded.get_job(job.id)
        assert stored is not None and stored.error_key is None and stored.error_params is None
        assert failure_reason(stored) == OLD_SENTENCE
        assert OLD_SENTENCE in str(status_card(stored).fields[-1].value)
    finally:
        await upgraded.close()
