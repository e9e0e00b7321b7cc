"""Many jobs in flight, written straight into a SQLite store before the bot starts.

10,000 jobs through the bot's own commands would take minutes and measure the wrong thing;
instead the schema comes from the store itself (`make_store(url).open()` runs the migrations)
and the rows are inserted in bulk into its tables, shaped as `JobService` leaves a job that
Kling accepted: SUBMITTED, with a task id, a callback token and a held ledger entry. The same
tasks are registered as running in the fake Kling, so the poller's batch queries find them.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import time
import uuid
from dataclasses import dataclass

from bot.jobs import new_job_id
from bot.kling.capabilities import load_capabilities
from bot.kling.options import VideoOptions
from bot.kling.validation import validate
from bot.store import JobState, make_store
from bot.store.models import JOB_COLUMNS
from bot.store.sqlite import sqlite_path
from testkit.fakes.kling import FakeKling, FakeTask


@dataclass(frozen=True)
class Seeded:
    """The tasks the fake Kling now runs for the seeded jobs, and how long seeding took."""

    task_ids: list[str]
    seconds: float


async def seed_submitted(database_url: str, kling: FakeKling, count: int, *, guild_id: int,
                         channel_id: int, members: int = 500, callback_base: str | None = None,
                         due_now: bool = True) -> Seeded:
    """Insert `count` SUBMITTED jobs spread over `members` members, and their running tasks.

    With `due_now` every job's next poll time has passed, as after a restart that followed
    some downtime: the worst case for start-up and for the poller's first minutes.
    """
    started = time.monotonic()
    store = make_store(database_url)
    await store.open()  # creates the schema with the bot's own migrations
    await store.close()

    body = validate(VideoOptions(action="text2video", prompt="a lighthouse in a storm"),
                    load_capabilities(), explicit_mode=False)
    now = time.time()
    jobs: list[tuple[object, ...]] = []
    ledger: list[tuple[object, ...]] = []
    task_ids: list[str] = []
    columns: list[str] = []
    for index in range(count):
        submitted_at = now - 30.0 - index * 0.001
        task_id = str(uuid.uuid4())
        token = secrets.token_urlsafe(32)
        row = {
            "id": new_job_id(), "guild_id": guild_id, "channel_id": channel_id,
            "user_id": 10_000 + index % members, "state": JobState.SUBMITTED.value,
            "action": body.action, "model": body.model, "mode": body.mode,
            "duration": body.duration, "prompt": body.prompt,
            "request_json": json.dumps(body.body, separators=(",", ":")), "cost": 1,
            "callback_token": token, "task_id": task_id, "submit_started_at": submitted_at,
            "poll_misses": 0, "delivery_attempts": 0,
            "next_poll_at": now - 1.0 if due_now else now + 60.0,
            "created_at": submitted_at - 1.0, "updated_at": submitted_at,
            "submitted_at": submitted_at, "dispatched_at": submitted_at - 0.5,
            "deadline_at": submitted_at + 1800.0, "owner": "bench",
        }
        # Only the columns the seed fills: the others take their schema defaults (a NULL in
        # a later NOT NULL column, such as `spoiler`, would be refused).
        columns = [column for column in JOB_COLUMNS if column in row]
        jobs.append(tuple(row[column] for column in columns))
        ledger.append((uuid.uuid4().hex, guild_id, row["user_id"], row["id"], 1,
                       row["created_at"]))
        task_ids.append(task_id)
        kling.tasks[task_id] = FakeTask(
            task_id=task_id, request={**body.body, "async": True}, trace_id=str(uuid.uuid4()),
            created_at=submitted_at, started_at=submitted_at + 0.06,
            callback_url=f"{callback_base}/kling/callback/{token}" if callback_base else None,
            model=body.model, mode=body.mode, duration=float(body.duration))

    with contextlib.closing(sqlite3.connect(sqlite_path(database_url))) as db, db:
        db.executemany(f"INSERT INTO jobs ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' for _ in columns)})", jobs)
        db.executemany("INSERT INTO ledger (id, guild_id, user_id, job_id, kind, amount, status, "
                       "created_at) VALUES (?, ?, ?, ?, 'job', ?, 'held', ?)", ledger)
    return Seeded(task_ids, time.monotonic() - started)
