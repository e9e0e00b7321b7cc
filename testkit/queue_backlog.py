"""A long fair queue, written straight into a store: thousands of QUEUED jobs with their held
credits, as members' reservations leave them.

Reserving them one command at a time would take longer than the behaviour under test; the
rows are the same ones a reservation writes (`bot.store.sql.reservation_writes`), in one
transaction, so the store, the dispatcher and the submitter read them as any queued job. Used
by the tests of the fair queue and by the queue-pass bench, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid

from bot.kling.capabilities import load_capabilities
from bot.kling.options import VideoOptions
from bot.kling.validation import validate
from bot.store.models import Job, JobState
from bot.store.sql import SqlStore, reservation_writes


def backlog_job(guild_id: int, user_id: int, created_at: float) -> Job:
    """One queued /video text job of a member, valid for Kling, made at `created_at`."""
    body = validate(VideoOptions(action="text2video", prompt="a lighthouse in a storm"),
                    load_capabilities(), explicit_mode=False)
    return Job(id=uuid.uuid4().hex[:20], guild_id=guild_id, channel_id=10, user_id=user_id,
               state=JobState.QUEUED, action=body.action, model=body.model, mode=body.mode,
               duration=body.duration, prompt=body.prompt, request=body.body, cost=1,
               callback_token=uuid.uuid4().hex, created_at=created_at, updated_at=created_at,
               deadline_at=created_at + 7200.0)


async def queue_backlog(store: SqlStore, count: int, *, guild_id: int, members: int = 1,
                        first_user: int = 10_000, created_from: float) -> list[str]:
    """Queue `count` jobs in the server, taking turns over `members` members, one every
    millisecond from `created_from`; their ids, oldest first."""
    jobs = [backlog_job(guild_id, first_user + index % members, created_from + index * 0.001)
            for index in range(count)]
    async with store._tx() as tx:
        for job in jobs:
            for sql, params in reservation_writes(job):
                await tx.execute(sql, params)
    return [job.id for job in jobs]
