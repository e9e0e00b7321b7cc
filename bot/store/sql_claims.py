"""The claims and leases on jobs: who submits, polls and delivers which job, in portable SQL.

Each claim is one compare-and-set statement, so two processes never take the same job's work:
a submit claim moves QUEUED to RESERVED, a delivery lease is a time on the row, and a poll claim
pushes the job's next poll (PostgreSQL also skips rows another process holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.store.models import Job
from bot.store.sql_base import SqlPrimitives, marks, row_to_job


class ClaimQueries(SqlPrimitives):
    """Claims for submitting, polling and delivering jobs, and the delivery leases."""

    # Appended to a SELECT that picks rows to claim; PostgreSQL skips rows others hold.
    skip_locked: str = ""

    async def _claim(self, job_id: str, sql_set: str, sql_where: str,
                     params: Sequence[Any]) -> Job | None:
        async with self._tx() as tx:
            changed = await tx.execute(
                f"UPDATE jobs SET {sql_set} WHERE id = ? AND {sql_where}", params)
        return await self.get_job(job_id) if changed else None

    async def claim_for_submit(self, job_id: str, now: float, owner: str) -> Job | None:
        """See `JobStore.claim_for_submit`."""
        return await self._claim(
            job_id, "state = 'reserved', submit_started_at = ?, dispatched_at = ?, "
            "queue_position = NULL, updated_at = ?, owner = ?", "state = 'queued'",
            (now, now, now, owner, job_id))

    async def claim_for_delivery(self, job_id: str, now: float, until: float, owner: str
                                 ) -> Job | None:
        """See `JobStore.claim_for_delivery`."""
        return await self._claim(
            job_id, "next_attempt_at = ?, owner = ?, "
            "delivery_started_at = COALESCE(delivery_started_at, ?)",
            "state = 'succeeded' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
            (until, owner, now, job_id, now))

    async def renew_delivery_lease(self, job_id: str, held_until: float, until: float
                                   ) -> bool:
        """See `JobStore.renew_delivery_lease`."""
        async with self._tx() as tx:
            return bool(await tx.execute(
                "UPDATE jobs SET next_attempt_at = ? WHERE id = ? AND state = 'succeeded' "
                "AND next_attempt_at = ?", (until, job_id, held_until)))

    async def release_delivery_leases(self, owner: str | None) -> int:
        """See `JobStore.release_delivery_leases`."""
        async with self._tx() as tx:
            if owner is None:
                return await tx.execute(
                    "UPDATE jobs SET next_attempt_at = NULL WHERE state = 'succeeded'")
            return await tx.execute(
                "UPDATE jobs SET next_attempt_at = NULL WHERE state = 'succeeded' "
                "AND owner = ?", (owner,))

    async def claim_due_for_poll(self, now: float, until: float, *, limit: int) -> list[Job]:
        """See `JobStore.claim_due_for_poll`; PostgreSQL skips the rows another process has
        locked."""
        async with self._tx() as tx:
            rows = await tx.fetch(
                "UPDATE jobs SET next_poll_at = ? WHERE id IN (SELECT id FROM jobs "
                "WHERE state = 'submitted' AND task_id IS NOT NULL "
                "AND (next_poll_at IS NULL OR next_poll_at <= ?) "
                f"ORDER BY next_poll_at NULLS FIRST, created_at LIMIT ?{self.skip_locked}) "
                "RETURNING *",
                (until, now, limit))
        return sorted((row_to_job(row) for row in rows), key=lambda j: j.created_at)

    async def claim_late_for_poll(self, now: float, until: float, *, codes: Iterable[str],
                                  finished_since: float, limit: int) -> list[Job]:
        """See `JobStore.claim_late_for_poll`."""
        values = list(codes)
        async with self._tx() as tx:
            rows = await tx.fetch(
                "UPDATE jobs SET next_poll_at = ? WHERE id IN (SELECT id FROM jobs "
                "WHERE state = 'failed' AND task_id IS NOT NULL AND video_url IS NULL "
                f"AND error_code IN ({marks(values)}) AND finished_at >= ? "
                "AND (next_poll_at IS NULL OR next_poll_at <= ?) "
                f"ORDER BY next_poll_at NULLS FIRST, created_at LIMIT ?{self.skip_locked}) "
                "RETURNING *",
                (until, *values, finished_since, now, limit))
        return sorted((row_to_job(row) for row in rows), key=lambda j: j.created_at)
