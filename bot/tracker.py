"""How results arrive: the callback receiver and the reconciliation poller.

Callbacks are fast but can be lost (the bot was down, the network hiccuped); the poller is slow
but certain. Both hand results to `JobService.record_result`, whose compare-and-set makes the
second arrival a no-op.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from bot.jobs import LATE_WATCH_CODES, LATE_WATCH_SECONDS, JobService
from bot.kling.client import MAX_RETRY_AFTER
from bot.kling.errors import KlingError, KlingRateLimited, KlingUnreachable
from bot.kling.results import TaskResult, TaskStatus, parse_result
from bot.store import Job, JobState

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 1024 * 1024
BATCH_SIZE = 50
# A task the API does not know after this many polls (and this long) is taken as lost.
UNKNOWN_POLLS_BEFORE_LOST = 10
UNKNOWN_SECONDS_BEFORE_LOST = 300.0
# While Kling is unreachable or erroring the poller waits 2, 4, 8... intervals, up to this.
MAX_POLL_BACKOFF = 120.0
# Jobs stopped while Kling may still finish them are looked at this many intervals apart.
LATE_POLL_FACTOR = 12


@dataclass(frozen=True)
class CallbackOutcome:
    status: int
    reason: str


class CallbackReceiver:
    """Turns a callback POST into a stored result. Knows nothing of aiohttp, so it is easy to
    test and to reuse behind another server."""

    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs
        self.counts: dict[int, int] = {}

    async def receive(self, token: str, body: bytes) -> CallbackOutcome:
        outcome = await self._receive(token, body)
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        return outcome

    async def _receive(self, token: str, body: bytes) -> CallbackOutcome:
        if len(body) > MAX_CALLBACK_BYTES:
            return CallbackOutcome(413, "body too large")
        job = await self.jobs.store.get_job_by_token(token) if token else None
        if job is None:
            # Never echo the token: it is a credential.
            log.warning("Callback with an unknown token rejected")
            return CallbackOutcome(404, "unknown job")
        try:
            payload: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("Job %s: callback body is not JSON", job.id)
            return CallbackOutcome(400, "body is not JSON")
        if not isinstance(payload, (dict, list)):
            return CallbackOutcome(400, "body is not a JSON object")
        result = parse_result(payload, job.task_id)
        if job.task_id and result.task_id and result.task_id != job.task_id:
            log.warning("Job %s: callback names another task; ignored", job.id)
            return CallbackOutcome(400, "task id does not match")
        if result.status is TaskStatus.RUNNING:
            return CallbackOutcome(200, "noted")
        await self.jobs.record_result(job, result, "callback")
        return CallbackOutcome(200, "ok")


@dataclass
class PollerStats:
    ticks: int = 0
    batch_calls: int = 0
    errors: int = 0
    last_tick_at: float | None = None
    backoff_until: float = 0.0
    backoff_seconds: float = 0.0  # the current pause; 0 while Kling answers
    failures_in_a_row: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class Poller:
    """Asks the API about SUBMITTED jobs in batches, and runs the job service's housekeeping
    (deadlines, retries, deliveries) on the same beat. It never waits for the fair queue: a
    dispatch pass is only triggered, so a result is picked up within one interval whatever
    creates and card edits are doing."""

    def __init__(self, jobs: JobService, *, interval: float, batch_size: int = BATCH_SIZE,
                 max_batches_per_tick: int = 20, max_backoff: float = MAX_POLL_BACKOFF,
                 late_interval: float | None = None) -> None:
        self.jobs = jobs
        self.interval = interval
        self.batch_size = batch_size
        self.max_batches = max_batches_per_tick
        self.max_backoff = max_backoff
        self.late_interval = late_interval or interval * LATE_POLL_FACTOR
        self.stats = PollerStats()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run the next tick now (tests, and start-up)."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.stats.errors += 1
                log.exception("Poller tick failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except TimeoutError:
                pass
            self._wake.clear()

    async def tick(self) -> None:
        jobs = self.jobs
        now = jobs.clock()
        self.stats.ticks += 1
        self.stats.last_tick_at = now
        await jobs.expire_overdue()
        await jobs.recover_stale()
        jobs.dispatch_soon()  # triggered, not awaited: creates may wait minutes on Kling
        await jobs.deliver_due()
        if now < self.stats.backoff_until:
            return
        # Claimed with a short lease: a process that dies mid-poll leaves them to others soon.
        due = await jobs.store.claim_due_for_poll(now, now + self.interval * 6,
                                                  limit=self.batch_size * self.max_batches)
        # Jobs stopped at their deadline: Kling may still finish them, and that video is owed.
        due += await jobs.store.claim_late_for_poll(
            now, now + self.late_interval, codes=LATE_WATCH_CODES,
            finished_since=now - LATE_WATCH_SECONDS, limit=self.batch_size)
        for start in range(0, len(due), self.batch_size):
            batch = due[start:start + self.batch_size]
            if not await self._poll_batch(batch):
                break

    def _next_poll_delay(self, job: Job, now: float) -> float:
        """Every interval at first, slower once a job has run a while (most take 1-2 min)."""
        age = now - (job.submitted_at or job.created_at)
        interval = self.interval
        if self.jobs.settings.callbacks_enabled:
            return interval * 6
        if age > 600:
            return interval * 4
        if age > 120:
            return interval * 2
        return interval

    async def _poll_batch(self, batch: list[Job]) -> bool:
        """Poll one batch; False means stop this tick (the API asked us to back off)."""
        ids = [job.task_id for job in batch if job.task_id]
        try:
            self.stats.batch_calls += 1
            results = await self.jobs.kling.retrieve_batch(ids)
        except KlingRateLimited as exc:
            wait = self._back_off(exc.retry_after)
            log.warning("Poller rate-limited; pausing %.1fs", wait)
            return False
        except (KlingError, KlingUnreachable) as exc:
            self.stats.errors += 1
            wait = self._back_off(None)
            log.warning("Poller could not reach the API (%s); pausing %.1fs", exc, wait)
            return False
        self.stats.failures_in_a_row = 0
        self.stats.backoff_seconds = 0.0
        now = self.jobs.clock()
        for job in batch:
            result = results.get(job.task_id or "", TaskResult(TaskStatus.UNKNOWN))
            if job.state is JobState.FAILED:
                await self._late(job, result)
            elif result.finished:
                await self.jobs.record_result(job, result, "poller")
            elif result.status is TaskStatus.UNKNOWN:
                await self._unknown(job, now)
            else:
                await self.jobs.store.update(job.id, (JobState.SUBMITTED,), poll_misses=0,
                                             next_poll_at=now + self._next_poll_delay(job, now))
        return True

    def _back_off(self, retry_after: float | None) -> float:
        """Pause polling 2, 4, 8... intervals while Kling fails, up to `max_backoff`, and at
        least as long as a Retry-After asks (capped); the first success ends the pause."""
        self.stats.failures_in_a_row += 1
        exponent = min(self.stats.failures_in_a_row, 32)
        wait = min(self.interval * 2 ** exponent, self.max_backoff)
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        self.stats.backoff_seconds = wait
        self.stats.backoff_until = self.jobs.clock() + wait
        return wait

    async def _late(self, job: Job, result: TaskResult) -> None:
        """A job stopped at its deadline: deliver its video if Kling made it after all; stop
        looking once Kling says it failed."""
        if result.status is TaskStatus.SUCCEEDED:
            await self.jobs.record_result(job, result, "poller")
        elif result.finished:
            await self.jobs.store.update(
                job.id, (JobState.FAILED,),
                next_poll_at=(job.finished_at or self.jobs.clock()) + LATE_WATCH_SECONDS)

    async def _unknown(self, job: Job, now: float) -> None:
        misses = job.poll_misses + 1
        age = now - (job.submitted_at or job.created_at)
        if misses >= UNKNOWN_POLLS_BEFORE_LOST and age >= UNKNOWN_SECONDS_BEFORE_LOST:
            await self.jobs.fail(job, "failed.lost", code="task_unknown")
            return
        await self.jobs.store.update(job.id, (JobState.SUBMITTED,), poll_misses=misses,
                                     next_poll_at=now + self._next_poll_delay(job, now))
