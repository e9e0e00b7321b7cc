"""Review mode's decisions: a moderator approves a held job (it joins the fair queue) or
rejects it with a reason (failed and refunded, the reason told). A job nobody decides on is
refunded by the maintenance beat (`Maintenance.expire_overdue`) at its review deadline.

How the job state machine grows (design.md): a new state, REVIEW, before QUEUED. A job enters
it at reservation instead of QUEUED, with its credits held in the ledger the same way; its
`deadline_at` is the review deadline. It leaves it by compare-and-set only: REVIEW -> QUEUED
(approved), REVIEW -> FAILED with a refund (rejected, timed out, or cancelled by its member).
Nothing is sent to Kling from REVIEW, so a restart has nothing to recover: the buttons are
persistent and the deadline is in the row. A double click, two moderators or a decision
racing the timeout: only one compare-and-set wins, the others are told it was decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.clock import Clock
from bot.errors import DomainError
from bot.jobs.notifier import JobNotifier, show_progress
from bot.jobs.outcomes import REVIEW_REJECTED_CODE, Failures
from bot.moderation import Moderation
from bot.store import AuditEntry, Job, JobState, JobStore

log = logging.getLogger(__name__)


async def ask_moderators(store: JobStore, notifier: JobNotifier, job: Job) -> None:
    """Ask the server's moderators to approve or reject a held job, and remember the asking
    message. A Discord fault is logged: the job still waits, the next start asks again, and
    its timeout refunds it if nobody can decide."""
    try:
        message_id = await notifier.ask_review(job)
    except Exception:
        log.exception("Job %s: could not ask the moderators to review it", job.id)
        return
    if message_id is not None:
        await store.update(job.id, (JobState.REVIEW,), review_message_id=message_id)


class ReviewDecided(DomainError):
    """The job is no longer waiting for review (`review.decided`), or is gone
    (`access.gone`)."""


class Reviews:
    """Moderators' decisions on jobs held for review: approve (queued as any job) or reject
    (refunded), each audited once."""

    def __init__(self, *, store: JobStore, failures: Failures, notifier: JobNotifier,
                 moderation: Moderation, dispatch_soon: Callable[[], object],
                 queue_timeout_seconds: float, clock: Clock) -> None:
        self.store = store
        self.failures = failures
        self.notifier = notifier
        self.moderation = moderation
        self.dispatch_soon = dispatch_soon
        self.queue_timeout_seconds = queue_timeout_seconds
        self.clock = clock

    async def held(self, job_id: str) -> Job:
        """The job, while it waits for review; else `ReviewDecided`."""
        job = await self.store.get_job(job_id)
        if job is None:
            raise ReviewDecided("access.gone")
        if job.state is not JobState.REVIEW:
            raise ReviewDecided("review.decided")
        return job

    async def approve(self, job_id: str, actor_id: int) -> tuple[Job, AuditEntry]:
        """REVIEW -> QUEUED: the job waits for a slot like any other (its queue timeout
        counted from now)."""
        job = await self.held(job_id)
        now = self.clock()
        moved = await self.store.transition(
            job.id, (JobState.REVIEW,), JobState.QUEUED, reviewed_by=actor_id,
            deadline_at=now + self.queue_timeout_seconds, updated_at=now)
        if moved is None:
            raise ReviewDecided("review.decided")
        log.info("Job %s approved by %s", job.id, actor_id)
        entry = await self.moderation.record(job.guild_id or 0, actor_id, "review_approve",
                                             job.user_id, None, job.id, None)
        await show_progress(self.notifier, moved)
        self.dispatch_soon()
        return moved, entry

    async def reject(self, job_id: str, actor_id: int, reason: str) -> tuple[Job, AuditEntry]:
        """REVIEW -> FAILED, refunded; the member is told the reason."""
        job = await self.held(job_id)
        await self.store.update(job.id, (JobState.REVIEW,), reviewed_by=actor_id)
        if not await self.failures.fail(job, "failed.review_rejected",
                                        code=REVIEW_REJECTED_CODE,
                                        expected=(JobState.REVIEW,), reason=reason):
            raise ReviewDecided("review.decided")
        log.info("Job %s rejected by %s", job.id, actor_id)
        entry = await self.moderation.record(job.guild_id or 0, actor_id, "review_reject",
                                             job.user_id, None, job.id, reason)
        return await self.store.get_job(job.id) or job, entry
