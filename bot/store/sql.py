"""Every query the bot makes, written once in portable SQL for both backends: the schema and the
jobs here, their claims and leases in `sql_claims`, the fair queue's in `sql_queue`, credits and
staff in `sql_quotas`, shared primitives in `sql_base`.

A backend supplies a few primitives (run a statement, fetch rows, open a transaction, take a
lock on a member's spending) and SQL with `?` placeholders; these classes supply the meaning.
Keeping the queries in one place is what keeps SQLite and PostgreSQL behaving the same.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from bot.store.models import (
    JOB_COLUMNS,
    MUTABLE_FIELDS,
    UNFINISHED,
    Job,
    JobState,
    LedgerStatus,
    Reservation,
)
from bot.store.sql_base import JSON_COLUMNS, MEMBER_SPENT, SERVER_SPENT, Tx, marks, row_to_job
from bot.store.sql_chains import StoryQueries
from bot.store.sql_claims import ClaimQueries
from bot.store.sql_community import CommunityQueries
from bot.store.sql_placement import PlacementQueries
from bot.store.sql_queue import QueueQueries
from bot.store.sql_quotas import QuotaQueries
from bot.store.sql_references import ReferenceQueries

log = logging.getLogger(__name__)

# The job states of models.py, as SQL parameters.
UNFINISHED_VALUES = tuple(state.value for state in UNFINISHED)


def load_migrations() -> list[tuple[int, str]]:
    """(version, sql) for every numbered file in store/migrations, in order."""
    folder = resources.files("bot.store").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def split_statements(sql: str) -> list[str]:
    """A migration file's statements, comments dropped (both drivers run one at a time)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def _job_values(job: Job) -> list[Any]:
    values = []
    for column in JOB_COLUMNS:
        if column == "request_json":
            values.append(_json(job.request))
        elif column == "state":
            values.append(job.state.value)
        elif column in JSON_COLUMNS:
            values.append(_json(getattr(job, column)))
        else:
            values.append(getattr(job, column))
    return values


def _assignments(fields: dict[str, Any]) -> tuple[list[str], list[Any]]:
    unknown = set(fields) - MUTABLE_FIELDS
    if unknown:
        raise ValueError(f"cannot set job fields {sorted(unknown)}")
    values = [_json(value) if name in JSON_COLUMNS else value
              for name, value in fields.items()]
    return [f"{name} = ?" for name in fields], values


def reservation_checks(job: Job, period_start: float, server_cap: int | None
                       ) -> tuple[str, list[Any]]:
    """The statement a reservation checks first, inside its transaction: the member's block,
    their spend and the server's spend, in one statement (each statement is a round trip,
    made while the spender's lock is held)."""
    guild = job.guild_id or 0
    params: list[Any] = [guild, job.user_id, guild, job.user_id, period_start]
    server_sql = "0"
    if server_cap is not None:
        server_sql = SERVER_SPENT
        params += [guild, period_start]
    return ("SELECT (SELECT reason FROM member_blocks WHERE guild_id = ? AND user_id = ?) "
            f"AS blocked, ({MEMBER_SPENT}) AS spent, ({server_sql}) AS server_spent", params)


def reservation_outcome(checks: dict[str, Any], job: Job, limit: int,
                        server_cap: int | None) -> Reservation:
    """What the checks decide: refused (blocked, the member's limit, the server's cap) or
    accepted, with the credits the member has left set on `job`."""
    spent = int(checks["spent"] or 0)
    if checks["blocked"] is not None:
        return Reservation(False, spent, limit, refusal="blocked",
                           block_reason=str(checks["blocked"]))
    if spent + job.cost > limit:
        return Reservation(False, spent, limit, refusal="member")
    server_spent = 0
    if server_cap is not None:
        server_spent = int(checks["server_spent"] or 0)
        if server_spent + job.cost > server_cap:
            return Reservation(False, spent, limit, refusal="server",
                               server_spent=server_spent)
    job.credits_left = limit - spent - job.cost
    return Reservation(True, spent, limit, server_spent=server_spent)


def reservation_writes(job: Job) -> list[tuple[str, Sequence[Any]]]:
    """An accepted reservation's writes: the job, and its credits held in the ledger."""
    return [
        (f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({marks(JOB_COLUMNS)})",
         _job_values(job)),
        ("INSERT INTO ledger (id, guild_id, user_id, job_id, kind, amount, status, "
         "created_at) VALUES (?, ?, ?, ?, 'job', ?, 'held', ?)",
         (uuid.uuid4().hex, job.guild_id or 0, job.user_id, job.id, job.cost, job.created_at)),
    ]


class SqlStore(ClaimQueries, QueueQueries, QuotaQueries, ReferenceQueries, StoryQueries,
               CommunityQueries, PlacementQueries):
    """The job queries and the schema; the claims and leases come from `ClaimQueries`, the fair
    queue's from `QueueQueries`, the threads' placement from `PlacementQueries`, the credit
    and staff queries from `QuotaQueries`, community moderation's from `CommunityQueries`,
    and subclasses (the backends) provide `_tx`, `_read` and `_lock_spender`."""

    # -- schema ------------------------------------------------------------------------------

    async def _migrate(self) -> None:
        async with self._tx() as tx:
            await tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = await self._version(tx)
            for version, sql in load_migrations():
                if version <= current:
                    continue
                log.info("Applying schema version %d", version)
                for statement in split_statements(sql):
                    await tx.execute(statement)
                await tx.execute("DELETE FROM schema_version")
                await tx.execute("INSERT INTO schema_version VALUES (?)", (version,))
                current = version

    @staticmethod
    async def _version(tx: Tx) -> int:
        rows = await tx.fetch("SELECT MAX(version) AS v FROM schema_version")
        value = rows[0]["v"] if rows else None
        return int(value) if value is not None else 0

    # -- helpers -----------------------------------------------------------------------------

    async def _jobs(self, sql: str, params: Sequence[Any] = ()) -> list[Job]:
        async with self._read() as tx:
            return [row_to_job(row) for row in await tx.fetch(sql, params)]

    # -- jobs --------------------------------------------------------------------------------

    async def reserve_job(self, job: Job, *, limit: int, period_start: float,
                          server_cap: int | None) -> Reservation:
        """See `LedgerStore.reserve_job`: the checks and the writes in one transaction, the
        backend's `_lock_spender` serialising a member's (and a server's) spending."""
        async with self._tx() as tx:
            await self._lock_spender(tx, job.guild_id or 0, job.user_id)
            [checks] = await tx.fetch(*reservation_checks(job, period_start, server_cap))
            outcome = reservation_outcome(checks, job, limit, server_cap)
            if outcome.accepted:
                for sql, params in reservation_writes(job):
                    await tx.execute(sql, params)
        return outcome

    async def get_job(self, job_id: str) -> Job | None:
        """See `JobStore.get_job`."""
        jobs = await self._jobs("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return jobs[0] if jobs else None

    async def job_by_result_message(self, message_id: int) -> Job | None:
        """See `JobStore.job_by_result_message`."""
        jobs = await self._jobs("SELECT * FROM jobs WHERE result_message_id = ?", (message_id,))
        return jobs[0] if jobs else None

    async def get_job_by_token(self, token: str) -> Job | None:
        """See `JobStore.get_job_by_token`."""
        jobs = await self._jobs("SELECT * FROM jobs WHERE callback_token = ?", (token,))
        return jobs[0] if jobs else None

    async def transition(self, job_id: str, expected: Iterable[JobState], new: JobState, *,
                         ledger: LedgerStatus | None = None, **fields: Any) -> Job | None:
        """See `JobStore.transition`."""
        states = [s.value for s in expected]
        sets, values = _assignments(fields)
        sets.insert(0, "state = ?")
        values.insert(0, new.value)
        async with self._tx() as tx:
            changed = await tx.execute(
                f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? AND state IN ({marks(states)})",
                (*values, job_id, *states))
            if changed and ledger is not None:
                await tx.execute(
                    "UPDATE ledger SET status = ? WHERE job_id = ? AND status = 'held'",
                    (ledger.value, job_id))
        return await self.get_job(job_id) if changed else None

    async def update(self, job_id: str, expected: Iterable[JobState], **fields: Any
                     ) -> Job | None:
        """See `JobStore.update`."""
        states = [s.value for s in expected]
        sets, values = _assignments(fields)
        async with self._tx() as tx:
            changed = await tx.execute(
                f"UPDATE jobs SET {', '.join(sets)} WHERE id = ? AND state IN ({marks(states)})",
                (*values, job_id, *states))
        return await self.get_job(job_id) if changed else None

    async def jobs_in_state(self, states: Iterable[JobState], *, limit: int = 1000
                            ) -> list[Job]:
        """See `JobStore.jobs_in_state`."""
        values = [s.value for s in states]
        return await self._jobs(
            f"SELECT * FROM jobs WHERE state IN ({marks(values)}) ORDER BY created_at LIMIT ?",
            (*values, limit))

    async def jobs_overdue(self, now: float, *, limit: int = 500) -> list[Job]:
        """See `JobStore.jobs_overdue`."""
        # RESERVED is left out: its create is in flight, and stale-claim recovery (bounded by
        # the client's own limits) decides when it is not.
        return await self._jobs(
            "SELECT * FROM jobs WHERE state IN (?, ?, ?) AND deadline_at <= ? "
            "ORDER BY deadline_at LIMIT ?",
            (JobState.QUEUED.value, JobState.SUBMITTED.value, JobState.REVIEW.value, now,
             limit))

    async def jobs_due_for_delivery(self, now: float, *, limit: int = 100) -> list[Job]:
        """See `JobStore.jobs_due_for_delivery`."""
        return await self._jobs(
            "SELECT * FROM jobs WHERE state = 'succeeded' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT ?",
            (now, limit))

    async def ping(self) -> None:
        """See `JobStore.ping`."""
        async with self._read() as tx:
            await tx.fetch("SELECT 1 AS one")

    async def count_by_state(self) -> dict[str, int]:
        """See `JobStore.count_by_state`."""
        async with self._read() as tx:
            rows = await tx.fetch("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
        return {str(row["state"]): int(row["n"]) for row in rows}

    async def member_job_counts(self, guild_id: int, user_id: int) -> dict[str, int]:
        """See `JobStore.member_job_counts`."""
        async with self._read() as tx:
            rows = await tx.fetch(
                f"SELECT state, COUNT(*) AS n FROM jobs WHERE guild_id = ? AND user_id = ? "
                f"AND state IN ({marks(UNFINISHED_VALUES)}) GROUP BY state",
                (guild_id, user_id, *UNFINISHED_VALUES))
        return {str(row["state"]): int(row["n"]) for row in rows}

    async def member_jobs(self, guild_id: int, user_id: int, *, limit: int = 25) -> list[Job]:
        """See `JobStore.member_jobs`."""
        return await self._jobs(
            "SELECT * FROM jobs WHERE guild_id = ? AND user_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?", (guild_id, user_id, limit))
