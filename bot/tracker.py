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

from bot.jobs import JobService
from bot.kling.errors import KlingError, KlingRateLimited, KlingUnreachable
from bot.kling.results import TaskResult, TaskStatus, parse_result
from bot.store import Job, JobState

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 1024 * 1024
BATCH_SIZE = 50
# A task the API does not know after this many polls (and this long) is taken as lost.
UNKNOWN_POLLS_BEFORE_LOST = 10
UNKNOWN_SECONDS_BEFORE_LOST = 300.0


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
    extra: dict[str, int] = field(default_factory=dict)


class Poller:
    """Asks the API about SUBMITTED jobs in batches, and runs the job service's housekeeping
    (deadlines, retries, deliveries) on the same beat."""

    def __init__(self, jobs: JobService, *, interval: float, batch_size: int = BATCH_SIZE,
                 max_batches_per_tick: int = 20) -> None:
        self.jobs = jobs
        self.interval = interval
        self.batch_size = batch_size
        self.max_batches = max_batches_per_tick
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
        await jobs.dispatch()
        await jobs.deliver_due()
        if now < self.stats.backoff_until:
            return
        # Claimed with a short lease: a process that dies mid-poll leaves them to others soon.
        due = await jobs.store.claim_due_for_poll(now, now + self.interval * 6,
                                                  limit=self.batch_size * self.max_batches)
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
            wait = max(exc.retry_after or 0.0, self.interval * 4)
            self.stats.backoff_until = self.jobs.clock() + wait
            log.warning("Poller rate-limited; pausing %.0fs", wait)
            return False
        except (KlingError, KlingUnreachable) as exc:
            self.stats.errors += 1
            self.stats.backoff_until = self.jobs.clock() + self.interval * 2
            log.warning("Poller could not reach the API: %s", exc)
            return False
        now = self.jobs.clock()
        for job in batch:
            result = results.get(job.task_id or "", TaskResult(TaskStatus.UNKNOWN))
            if result.finished:
                await self.jobs.record_result(job, result, "poller")
            elif result.status is TaskStatus.UNKNOWN:
                await self._unknown(job, now)
            else:
                await self.jobs.store.update(job.id, (JobState.SUBMITTED,), poll_misses=0,
                                             next_poll_at=now + self._next_poll_delay(job, now))
        return True

    async def _unknown(self, job: Job, now: float) -> None:
        misses = job.poll_misses + 1
        age = now - (job.submitted_at or job.created_at)
        if misses >= UNKNOWN_POLLS_BEFORE_LOST and age >= UNKNOWN_SECONDS_BEFORE_LOST:
            await self.jobs.fail(job, "failed.lost", code="task_unknown")
            return
        await self.jobs.store.update(job.id, (JobState.SUBMITTED,), poll_misses=misses,
                                     next_poll_at=now + self._next_poll_delay(job, now))
