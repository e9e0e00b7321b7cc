"""The embedded store: one SQLite file through aiosqlite.

One connection serves the process; an asyncio lock makes each write transaction whole, and
`BEGIN IMMEDIATE` takes SQLite's write lock up front, so check-then-insert in `reserve_job`
cannot interleave with another reservation, even from another process on the same file.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.base import Store
from bot.store.models import (
    JOB_COLUMNS,
    MUTABLE_FIELDS,
    Job,
    JobState,
    LedgerStatus,
    Reservation,
)

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG, and some parameters are callback
# tokens (credentials). Its debug output is noise anyway; keep it above DEBUG.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

UNFINISHED = (JobState.RESERVED.value, JobState.SUBMITTED.value)


def load_migrations() -> list[tuple[int, str]]:
    """(version, sql) for every numbered file in store/migrations, in order."""
    folder = resources.files("bot.store").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def sqlite_path(database_url: str) -> Path:
    """`sqlite:///data/x.db` is relative to the working directory; `sqlite:////abs` absolute."""
    return Path(database_url.removeprefix("sqlite:///"))


def _row_to_job(row: aiosqlite.Row) -> Job:
    data = dict(row)
    data["request"] = json.loads(data.pop("request_json"))
    data["state"] = JobState(data["state"])
    return Job(**data)


def _job_values(job: Job) -> list[Any]:
    values = []
    for column in JOB_COLUMNS:
        if column == "request_json":
            values.append(json.dumps(job.request, separators=(",", ":")))
        elif column == "state":
            values.append(job.state.value)
        else:
            values.append(getattr(job, column))
    return values


class SQLiteStore(Store):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    async def open(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        self._db.row_factory = aiosqlite.Row
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA busy_timeout=30000")
        await self._migrate()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def _migrate(self) -> None:
        async with self._lock:
            await self.db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            current = await self._version()
            for version, sql in load_migrations():
                if version <= current:
                    continue
                log.info("Applying schema version %d", version)
                await self.db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in sql.split(";"):
                        if statement.strip():
                            await self.db.execute(statement)
                    await self.db.execute("DELETE FROM schema_version")
                    await self.db.execute("INSERT INTO schema_version VALUES (?)", (version,))
                    await self.db.execute("COMMIT")
                except BaseException:
                    await self.db.execute("ROLLBACK")
                    raise

    async def _version(self) -> int:
        async with self.db.execute("SELECT MAX(version) FROM schema_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def schema_version(self) -> int:
        return await self._version()

    async def _fetch_jobs(self, sql: str, params: Iterable[Any]) -> list[Job]:
        async with self.db.execute(sql, tuple(params)) as cursor:
            rows = await cursor.fetchall()
        return [_row_to_job(row) for row in rows]

    async def _spent(self, guild_id: int, user_id: int, since: float) -> int:
        async with self.db.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE guild_id = ? AND user_id = ? "
            "AND created_at >= ? AND status IN ('held', 'committed')",
            (guild_id, user_id, since),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def reserve_job(self, job: Job, *, limit: int, period_start: float) -> Reservation:
        guild = job.guild_id or 0
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                spent = await self._spent(guild, job.user_id, period_start)
                if spent + job.cost > limit:
                    await self.db.execute("ROLLBACK")
                    return Reservation(accepted=False, spent_before=spent, limit=limit)
                placeholders = ", ".join("?" for _ in JOB_COLUMNS)
                await self.db.execute(
                    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({placeholders})",
                    _job_values(job),
                )
                await self.db.execute(
                    "INSERT INTO ledger (guild_id, user_id, job_id, kind, amount, status, "
                    "created_at) VALUES (?, ?, ?, 'job', ?, 'held', ?)",
                    (guild, job.user_id, job.id, job.cost, job.created_at),
                )
                await self.db.execute("COMMIT")
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
        return Reservation(accepted=True, spent_before=spent, limit=limit)

    async def get_job(self, job_id: str) -> Job | None:
        jobs = await self._fetch_jobs("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return jobs[0] if jobs else None

    async def get_job_by_token(self, token: str) -> Job | None:
        jobs = await self._fetch_jobs("SELECT * FROM jobs WHERE callback_token = ?", (token,))
        return jobs[0] if jobs else None

    @staticmethod
    def _assignments(fields: dict[str, Any]) -> tuple[list[str], list[Any]]:
        unknown = set(fields) - MUTABLE_FIELDS
        if unknown:
            raise ValueError(f"cannot set job fields {sorted(unknown)}")
        return [f"{name} = ?" for name in fields], list(fields.values())

    async def transition(self, job_id: str, expected: Iterable[JobState], new: JobState, *,
                         ledger: LedgerStatus | None = None, **fields: Any) -> Job | None:
        states = [s.value for s in expected]
        sets, values = self._assignments(fields)
        sets.insert(0, "state = ?")
        values.insert(0, new.value)
        marks = ", ".join("?" for _ in states)
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = await self.db.execute(
                    f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? AND state IN ({marks})",
                    (*values, job_id, *states),
                )
                changed = cursor.rowcount == 1
                if changed and ledger is not None:
                    await self.db.execute(
                        "UPDATE ledger SET status = ? WHERE job_id = ? AND status = 'held'",
                        (ledger.value, job_id),
                    )
                await self.db.execute("COMMIT")
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
        return await self.get_job(job_id) if changed else None

    async def update(self, job_id: str, expected: Iterable[JobState], **fields: Any
                     ) -> Job | None:
        states = [s.value for s in expected]
        sets, values = self._assignments(fields)
        marks = ", ".join("?" for _ in states)
        async with self._lock:
            cursor = await self.db.execute(
                f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? AND state IN ({marks})",
                (*values, job_id, *states),
            )
            changed = cursor.rowcount == 1
        return await self.get_job(job_id) if changed else None

    async def _claim(self, job_id: str, sql_set: str, sql_where: str, params: tuple[Any, ...]
                     ) -> Job | None:
        async with self._lock:
            cursor = await self.db.execute(
                f"UPDATE jobs SET {sql_set} WHERE id = ? AND {sql_where}", params
            )
            changed = cursor.rowcount == 1
        return await self.get_job(job_id) if changed else None

    async def claim_for_submit(self, job_id: str, now: float) -> Job | None:
        return await self._claim(
            job_id, "submit_started_at = ?, updated_at = ?",
            "state = 'reserved' AND submit_started_at IS NULL", (now, now, job_id),
        )

    async def claim_for_delivery(self, job_id: str, now: float, until: float) -> Job | None:
        return await self._claim(
            job_id, "next_attempt_at = ?, delivery_attempts = delivery_attempts + 1",
            "state = 'succeeded' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
            (until, job_id, now),
        )

    async def release_delivery_leases(self) -> int:
        async with self._lock:
            cursor = await self.db.execute(
                "UPDATE jobs SET next_attempt_at = NULL WHERE state = 'succeeded'"
            )
            return int(cursor.rowcount)

    async def jobs_due_for_delivery(self, now: float, *, limit: int = 100) -> list[Job]:
        return await self._fetch_jobs(
            "SELECT * FROM jobs WHERE state = 'succeeded' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT ?",
            (now, limit),
        )

    async def jobs_in_state(self, states: Iterable[JobState], *, limit: int = 1000
                            ) -> list[Job]:
        values = [s.value for s in states]
        marks = ", ".join("?" for _ in values)
        return await self._fetch_jobs(
            f"SELECT * FROM jobs WHERE state IN ({marks}) ORDER BY created_at LIMIT ?",
            (*values, limit),
        )

    async def jobs_due_for_poll(self, now: float, *, limit: int) -> list[Job]:
        return await self._fetch_jobs(
            "SELECT * FROM jobs WHERE state = 'submitted' AND task_id IS NOT NULL "
            "AND (next_poll_at IS NULL OR next_poll_at <= ?) "
            "ORDER BY next_poll_at, created_at LIMIT ?",
            (now, limit),
        )

    async def jobs_overdue(self, now: float, *, limit: int = 500) -> list[Job]:
        return await self._fetch_jobs(
            "SELECT * FROM jobs WHERE state IN (?, ?) AND deadline_at <= ? "
            "ORDER BY deadline_at LIMIT ?",
            (*UNFINISHED, now, limit),
        )

    async def jobs_due_for_submit(self, now: float, *, limit: int = 100) -> list[Job]:
        return await self._fetch_jobs(
            "SELECT * FROM jobs WHERE state = 'reserved' AND submit_started_at IS NULL "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT ?",
            (now, limit),
        )

    async def count_by_state(self) -> dict[str, int]:
        async with self.db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state") as cursor:
            rows = await cursor.fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    async def credits_spent(self, guild_id: int, user_id: int, since: float) -> int:
        return await self._spent(guild_id, user_id, since)

    async def ledger_entry(self, job_id: str) -> tuple[int, LedgerStatus] | None:
        async with self.db.execute(
            "SELECT amount, status FROM ledger WHERE job_id = ?", (job_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return (int(row[0]), LedgerStatus(row[1])) if row else None

    async def guild_settings(self, guild_id: int) -> dict[str, Any]:
        async with self.db.execute(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            rows = await cursor.fetchall()
        return {str(row[0]): json.loads(row[1]) for row in rows}

    async def set_guild_setting(self, guild_id: int, key: str, value: Any) -> None:
        async with self._lock:
            await self.db.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
                (guild_id, key, json.dumps(value)),
            )
