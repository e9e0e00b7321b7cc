"""The store's queries about where a job is posted while its thread is being started: the
thread's lease settled (a thread, or none) or taken over, and a delivery put off until the
thread is known. Each is a compare-and-set on the lease, so a start that comes too late, or a
second start after a crash, never overwrites what another process decided."""

from __future__ import annotations

from bot.store.sql_base import SqlPrimitives


class PlacementQueries(SqlPrimitives):
    """A job's thread placement, in portable SQL."""

    async def settle_thread(self, job_id: str, lease: float, thread_id: int | None) -> bool:
        """See `JobStore.settle_thread`."""
        async with self._tx() as tx:
            # A delivery put off until the lease's end (`postpone_delivery`) is due at once.
            return bool(await tx.execute(
                "UPDATE jobs SET thread_id = COALESCE(?, thread_id), "
                "thread_pending_until = NULL, next_attempt_at = CASE WHEN state = 'succeeded' "
                "AND next_attempt_at = thread_pending_until THEN NULL ELSE next_attempt_at END "
                "WHERE id = ? AND thread_pending_until = ?", (thread_id, job_id, lease)))

    async def renew_thread_lease(self, job_id: str, held: float, until: float) -> bool:
        """See `JobStore.renew_thread_lease`."""
        async with self._tx() as tx:
            return bool(await tx.execute(
                "UPDATE jobs SET thread_pending_until = ? WHERE id = ? "
                "AND thread_pending_until = ?", (until, job_id, held)))

    async def postpone_delivery(self, job_id: str, now: float, until: float) -> bool:
        """See `JobStore.postpone_delivery`."""
        async with self._tx() as tx:
            return bool(await tx.execute(
                "UPDATE jobs SET next_attempt_at = ? WHERE id = ? AND state = 'succeeded' "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", (until, job_id, now)))
