"""The reconciliation poller: asks Kling about SUBMITTED jobs in batches (all of them when no
callback can come, the ones whose callback is overdue otherwise), and about jobs stopped at
their deadline whose video may still come; and runs the job life's housekeeping on the same
beat. It never waits for the fair queue: a dispatch pass is only triggered, so a result is
picked up within one interval whatever creates and card edits are doing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.jobs.maintenance import Maintenance
from bot.jobs.outcomes import LATE_WATCH_CODES, LATE_WATCH_SECONDS, Failures, Results
from bot.kling.client import MAX_RETRY_AFTER, KlingClient
from bot.kling.errors import KlingError, KlingRateLimited, KlingUnreachable
from bot.kling.results import TaskResult, TaskStatus
from bot.store import Job, JobState, JobStore

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# A task the API does not know after this many polls (and this long) is taken as lost.
UNKNOWN_POLLS_BEFORE_LOST = 10
UNKNOWN_SECONDS_BEFORE_LOST = 300.0
# While Kling is unreachable or erroring the poller waits 2, 4, 8... intervals, up to this.
MAX_POLL_BACKOFF = 120.0
# Jobs stopped while Kling may still finish them are looked at this many intervals apart.
LATE_POLL_FACTOR = 12


@dataclass
class PollerStats:
    """What the poller has done, for the health check, `/metrics` and tests; `backoff_until` is when
    polling may resume after Kling failed."""

    ticks: int = 0
    batch_calls: int = 0
    errors: int = 0
    last_tick_at: float | None = None
    backoff_until: float = 0.0
    backoff_seconds: float = 0.0  # the current pause; 0 while Kling answers
    failures_in_a_row: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class Poller:
    """The slow, certain way results arrive: every SUBMITTED job is asked about until it ends, so a
    lost callback or a restart never leaves a job waiting. Claims its jobs with a lease, so
    several processes share the work without polling one job twice."""

    def __init__(self, *, store: JobStore, kling: KlingClient, results: Results,
                 failures: Failures, maintenance: Maintenance, clock: Clock, interval: float,
                 callbacks_enabled: bool, batch_size: int = BATCH_SIZE,
                 max_batches_per_tick: int = 20, max_backoff: float = MAX_POLL_BACKOFF,
                 late_interval: float | None = None) -> None:
        self.store = store
        self.kling = kling
        self.results = results
        self.failures = failures
        self.maintenance = maintenance
        self.clock = clock
        self.interval = interval
        self.callbacks_enabled = callbacks_enabled
        self.batch_size = batch_size
        self.max_batches = max_batches_per_tick
        self.max_backoff = max_backoff
        self.late_interval = late_interval or interval * LATE_POLL_FACTOR
        self.stats = PollerStats()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run the next tick now (tests, and start-up)."""
        self._wake.set()

    def is_current(self, now: float) -> bool:
        """The poller ticked recently enough to be taken as alive (the health check)."""
        last = self.stats.last_tick_at
        return last is not None and now - last < max(60.0, self.interval * 6)

    async def run(self) -> None:
        """Tick every `interval` (sooner when woken) until cancelled; a failed tick is logged and
        counted, never the end of polling."""
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
        """One pass: housekeeping, then the due jobs in batches, unless Kling asked for a pause."""
        now = self.clock()
        self.stats.ticks += 1
        self.stats.last_tick_at = now
        await self.maintenance.run()
        if now < self.stats.backoff_until:
            return
        # Claimed with a short lease: a process that dies mid-poll leaves them to others soon.
        due = await self.store.claim_due_for_poll(now, now + self.interval * 6,
                                                  limit=self.batch_size * self.max_batches)
        # Jobs stopped at their deadline: Kling may still finish them, and that video is owed.
        due += await self.store.claim_late_for_poll(
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
        if self.callbacks_enabled:
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
            results = await self.kling.retrieve_batch(ids)
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
        now = self.clock()
        for job in batch:
            result = results.get(job.task_id or "", TaskResult(TaskStatus.UNKNOWN))
            if job.state is JobState.FAILED:
                await self._late(job, result)
            elif result.finished:
                await self.results.record(job, result, "poller")
            elif result.status is TaskStatus.UNKNOWN:
                await self._unknown(job, now)
            else:
                await self.store.update(job.id, (JobState.SUBMITTED,), poll_misses=0,
                                        next_poll_at=now + self._next_poll_delay(job, now))
        return True

    def _back_off(self, retry_after: float | None) -> float:
        """Pause polling 2, 4, 8... intervals while Kling fails, up to `max_backoff`, and at
        least as long as a Retry-After asks (capped); the first success ends the pause."""
        self.stats.failures_in_a_row += 1
        exponent = min(self.stats.failures_in_a_row, 32)
        wait = min(self.interval * 2.0 ** exponent, self.max_backoff)
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        self.stats.backoff_seconds = wait
        self.stats.backoff_until = self.clock() + wait
        return wait

    async def _late(self, job: Job, result: TaskResult) -> None:
        """A job stopped at its deadline: deliver its video if Kling made it after all; stop
        looking once Kling says it failed."""
        if result.status is TaskStatus.SUCCEEDED:
            await self.results.record(job, result, "poller")
        elif result.finished:
            await self.store.update(
                job.id, (JobState.FAILED,),
                next_poll_at=(job.finished_at or self.clock()) + LATE_WATCH_SECONDS)

    async def _unknown(self, job: Job, now: float) -> None:
        misses = job.poll_misses + 1
        age = now - (job.submitted_at or job.created_at)
        if misses >= UNKNOWN_POLLS_BEFORE_LOST and age >= UNKNOWN_SECONDS_BEFORE_LOST:
            await self.failures.fail(job, "failed.lost", code="task_unknown")
            return
        await self.store.update(job.id, (JobState.SUBMITTED,), poll_misses=misses,
                                next_poll_at=now + self._next_poll_delay(job, now))
