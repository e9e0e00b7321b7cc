"""The one storage interface. SQLite implements it now; PostgreSQL will implement the same.

Every state change is a compare-and-set (`transition`): it names the states it expects the
job to be in and does nothing when the job has moved on. That is what makes duplicate callbacks,
a callback racing the poller and several processes deliver exactly once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from bot.store.models import Job, JobState, LedgerStatus, Reservation


class Store(ABC):
    @abstractmethod
    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def reserve_job(self, job: Job, *, limit: int, period_start: float) -> Reservation:
        """Atomically: if the member's spend since `period_start` plus `job.cost` fits `limit`,
        hold the credits in the ledger and insert the job (state RESERVED)."""

    @abstractmethod
    async def get_job(self, job_id: str) -> Job | None: ...

    @abstractmethod
    async def get_job_by_token(self, token: str) -> Job | None: ...

    @abstractmethod
    async def transition(self, job_id: str, expected: Iterable[JobState], new: JobState, *,
                         ledger: LedgerStatus | None = None, **fields: Any) -> Job | None:
        """Move the job to `new` if it is in one of `expected`, set `fields`, and (in the same
        transaction) set its ledger entry to `ledger`. Returns the updated job, or None if the
        job was not in an expected state (someone else got there first)."""

    @abstractmethod
    async def update(self, job_id: str, expected: Iterable[JobState], **fields: Any
                     ) -> Job | None:
        """Set fields without a state change, only while the job is in `expected`."""

    @abstractmethod
    async def claim_for_submit(self, job_id: str, now: float) -> Job | None:
        """Mark a RESERVED job as being sent (`submit_started_at`), unless it already is.
        From here on the API may know the task, so it is never created again."""

    @abstractmethod
    async def claim_for_delivery(self, job_id: str, now: float, until: float) -> Job | None:
        """Lease a SUCCEEDED job for delivery until `until`, unless someone holds the lease."""

    @abstractmethod
    async def release_delivery_leases(self) -> int:
        """Forget every delivery lease: only for a store that a single process owns, at start."""

    @abstractmethod
    async def jobs_in_state(self, states: Iterable[JobState], *, limit: int = 1000
                            ) -> list[Job]: ...

    @abstractmethod
    async def jobs_due_for_poll(self, now: float, *, limit: int) -> list[Job]:
        """SUBMITTED jobs with a task id whose next poll time has come, oldest poll first."""

    @abstractmethod
    async def jobs_overdue(self, now: float, *, limit: int = 500) -> list[Job]:
        """Unfinished jobs (RESERVED, SUBMITTED) past their deadline."""

    @abstractmethod
    async def jobs_due_for_submit(self, now: float, *, limit: int = 100) -> list[Job]:
        """RESERVED jobs not yet sent and whose retry time (if any) has come."""

    @abstractmethod
    async def jobs_due_for_delivery(self, now: float, *, limit: int = 100) -> list[Job]:
        """SUCCEEDED jobs whose delivery lease or retry time has passed."""

    @abstractmethod
    async def count_by_state(self) -> dict[str, int]: ...

    @abstractmethod
    async def credits_spent(self, guild_id: int, user_id: int, since: float) -> int:
        """Credits held or committed by the member since `since` (refunds excluded)."""

    @abstractmethod
    async def ledger_entry(self, job_id: str) -> tuple[int, LedgerStatus] | None:
        """(amount, status) of a job's ledger entry."""

    @abstractmethod
    async def guild_settings(self, guild_id: int) -> dict[str, Any]: ...

    @abstractmethod
    async def set_guild_setting(self, guild_id: int, key: str, value: Any) -> None: ...
