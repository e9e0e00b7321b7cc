"""How a job's life ends, recorded exactly once: a finished task's result (from a callback or
the poller, late ones included), or a failure with its credits refunded and its requester told.

Every ending is a compare-and-set in the store, so whichever of a callback, the poller, a
restarted process or a second process gets there first records it, and the others find nothing
to do. An ending frees a slot of the fair queue: the pieces here are handed `slot_freed` (the
dispatcher's trigger) rather than the dispatcher, which itself drives the pieces that end jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from bot import metrics
from bot.clock import Clock
from bot.jobs.notifier import JobNotifier, tell_failed
from bot.jobs.supervisor import Supervisor
from bot.kling.results import TaskResult, TaskStatus, kling_reason
from bot.logs import job_context
from bot.store import UNFINISHED, Job, JobState, JobStore, LedgerStatus

log = logging.getLogger(__name__)

# Error codes of jobs that were stopped while Kling may still be making their video, and how
# long after that the poller keeps looking for a late result (delivered free, marked late).
DEADLINE_CODE = "deadline"
QUEUE_TIMEOUT_CODE = "queue_timeout"
# Review mode's endings: a moderator rejected the job, or nobody decided in time.
REVIEW_REJECTED_CODE = "review_rejected"
REVIEW_TIMEOUT_CODE = "review_timeout"
LATE_WATCH_CODES = (DEADLINE_CODE, "failed.unconfirmed")
LATE_WATCH_SECONDS = 24 * 3600.0


def refused_content(code: str | None, message: str | None) -> tuple[str, dict[str, Any]]:
    """The failure key and params for content Kling's risk control refused: its own reason
    when it gave one."""
    reason = kling_reason(code, message)
    if reason is None:
        return "failed.content_refused_unexplained", {}
    return "failed.content_refused", {"reason": reason}


class Failures:
    """Ends jobs as FAILED with a refund, and tells their requesters."""

    def __init__(self, *, store: JobStore, notifier: JobNotifier, supervisor: Supervisor,
                 clock: Clock, slot_freed: Callable[[], object]) -> None:
        self.store = store
        self.notifier = notifier
        self.supervisor = supervisor
        self.clock = clock
        self.slot_freed = slot_freed

    async def fail(self, job: Job, key: str, *, code: str | None = None,
                   source: str = "bot", expected: Iterable[JobState] = UNFINISHED,
                   tell_later: bool = False, **params: Any) -> bool:
        """End a job as FAILED with its credits refunded, and tell its requester. Only the
        caller that wins the compare-and-set tells anyone. With `tell_later` the requester
        is told in the background (housekeeping must not wait on Discord).

        What the requester is told is stored as data: `key` (the code of the sentence) and
        `params` (plain values: Kling's own words as `reason`, lengths of time in `seconds`),
        worded by the Discord layer when shown. `code` is the machine's code (Kling's, or the
        bot's: "deadline", "cancelled"), `key` when none is given."""
        now = self.clock()
        moved = await self.store.transition(
            job.id, expected, JobState.FAILED, ledger=LedgerStatus.REFUNDED,
            error_code=code or key, error_key=key, error_params=params, finished_at=now,
            updated_at=now,
        )
        if moved is None:
            return False
        log.info("Job %s failed (%s, via %s); %d credits refunded", job.id, code or key, source,
                 job.cost)
        metrics.JOBS_FINISHED.labels(
            outcome="cancelled" if code == "cancelled" else "failed").inc()
        metrics.CREDITS.labels(kind="refunded").inc(job.cost)
        if job.state not in (JobState.QUEUED, JobState.REVIEW):  # those hold no slot
            self.slot_freed()
        if tell_later:
            self.supervisor.spawn(tell_failed(self.notifier, moved), name=f"failed-{job.id}")
        else:
            await tell_failed(self.notifier, moved)
        return True


class Results:
    """Stores finished tasks' outcomes and starts their deliveries."""

    def __init__(self, *, store: JobStore, failures: Failures, clock: Clock,
                 deliver_soon: Callable[[str], object],
                 slot_freed: Callable[[], object]) -> None:
        self.store = store
        self.failures = failures
        self.clock = clock
        self.deliver_soon = deliver_soon
        self.slot_freed = slot_freed

    async def record(self, job: Job, result: TaskResult, source: str) -> None:
        """Store a finished task's outcome (from a callback or the poller) exactly once."""
        with job_context(job.id):
            await self._record(job, result, source)

    async def _record(self, job: Job, result: TaskResult, source: str) -> None:
        if result.status is TaskStatus.SUCCEEDED:
            now = self.clock()
            moved = await self.store.transition(
                job.id, UNFINISHED, JobState.SUCCEEDED, video_id=result.video_id,
                video_url=result.video_url, video_duration=result.duration,
                finished_at=now, updated_at=now, next_attempt_at=None,
            )
            if moved is None:
                if await self._record_late(job, result, source):
                    self.deliver_soon(job.id)
                return
            log.info("Job %s succeeded (via %s): video %s", job.id, source, result.video_id)
            metrics.CREDITS.labels(kind="spent").inc(job.cost)
            if job.submitted_at is not None:
                metrics.KLING_SECONDS.observe(max(0.0, now - job.submitted_at))
            self.deliver_soon(job.id)
            self.slot_freed()
        elif result.status is TaskStatus.FAILED:
            metrics.kling_error(result.error_code or "task_failed")
            # Kling's own words, when it gave any, are shown as they are; its risk control
            # refusing the content is said in plain words.
            words: dict[str, Any] = {}
            if result.content_refused:
                key, words = refused_content(result.error_code, result.error_message)
            else:
                if result.error_message:
                    words["reason"] = result.error_message
                key = "failed.kling" if words else "failed.kling_unexplained"
            if not await self.failures.fail(job, key, code=result.error_code or "failed.kling",
                                            source=source, **words):
                log.debug("Job %s: %s failure for a job that had already ended", job.id,
                          source)

    async def _record_late(self, job: Job, result: TaskResult, source: str) -> bool:
        """A video for a job that was already stopped and refunded (its deadline passed, or
        its create went unconfirmed): Kling made and billed it, so it is still delivered,
        marked late and free. The ledger entry stays refunded: delivery commits only held
        credits. False for a duplicate of a result the job already has."""
        current = await self.store.get_job(job.id)
        if current is None or current.state is not JobState.FAILED or current.video_url:
            log.debug("Job %s: duplicate %s result ignored", job.id, source)
            return False
        now = self.clock()
        moved = await self.store.transition(
            job.id, (JobState.FAILED,), JobState.SUCCEEDED,
            task_id=current.task_id or result.task_id, video_id=result.video_id,
            video_url=result.video_url, video_duration=result.duration, late_at=now,
            updated_at=now, next_attempt_at=None,
        )
        if moved is None:
            log.debug("Job %s: duplicate late %s result ignored", job.id, source)
            return False
        log.warning("Job %s: Kling finished task %s (via %s) after the job was stopped (%s); "
                    "delivering it late and free, the refund stands", job.id, moved.task_id,
                    source, current.error_code)
        return True
