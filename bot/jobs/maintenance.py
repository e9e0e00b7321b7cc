"""The routine work on the poller's beat: jobs past their bound are failed and refunded (the
queue timeout, and the deadline counted from Kling's acceptance), creates left behind by a dead
process are settled, the fair queue gets a pass, and due deliveries start."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from bot.clock import Clock
from bot.guild_settings import load_guild_settings
from bot.jobs.delivery import Delivery
from bot.jobs.outcomes import DEADLINE_CODE, QUEUE_TIMEOUT_CODE, REVIEW_TIMEOUT_CODE, Failures
from bot.jobs.submitter import Submitter
from bot.store import JobState, JobStore, SettingsStore

log = logging.getLogger(__name__)


class MaintenanceStore(JobStore, SettingsStore, Protocol):
    """What housekeeping reads: the jobs, and a server's review time."""


# A RESERVED job is taken for a dead process's only once its create has run this much longer
# than the Kling client's own worst case (`KlingClient.longest_create`): event-loop stalls and
# database latency come on top of the HTTP calls.
STALE_SUBMIT_FACTOR = 1.25
STALE_SUBMIT_SLACK = 60.0


def stale_submit_seconds(longest_create: float) -> float:
    """How long a create must have run before it is taken for a dead process's."""
    return longest_create * STALE_SUBMIT_FACTOR + STALE_SUBMIT_SLACK


class Maintenance:
    """The poller's beat: deadlines, the queue and review timeouts, stale creates and due
    deliveries, so no job waits forever whatever was lost."""

    def __init__(self, *, store: MaintenanceStore, failures: Failures, submitter: Submitter,
                 delivery: Delivery, dispatch_soon: Callable[[], object], clock: Clock,
                 queue_timeout_seconds: float, job_deadline_seconds: float,
                 stale_submit_seconds: float) -> None:
        self.store = store
        self.failures = failures
        self.submitter = submitter
        self.delivery = delivery
        self.dispatch_soon = dispatch_soon
        self.clock = clock
        self.queue_timeout_seconds = queue_timeout_seconds
        self.job_deadline_seconds = job_deadline_seconds
        self.stale_submit_seconds = stale_submit_seconds

    async def run(self) -> None:
        """One beat of housekeeping. The fair queue is only triggered, not awaited: creates
        may wait minutes on Kling, and nothing here waits for them."""
        await self.expire_overdue()
        await self.recover_stale()
        self.dispatch_soon()
        await self.delivery.deliver_due()

    async def recover_stale(self) -> None:
        """A RESERVED job whose create started longer ago than any create can take
        (`stale_submit_seconds`, derived from the client's limits) belongs to a process that
        died: treat it as unconfirmed. Another live process's create is never taken."""
        stale_before = self.clock() - self.stale_submit_seconds
        for job in await self.store.jobs_in_state((JobState.RESERVED,)):
            if (job.submit_started_at or job.updated_at) < stale_before:
                await self.submitter.unconfirmed(job)

    async def expire_overdue(self) -> int:
        """Fail and refund every job past its bound: a QUEUED job past the queue timeout is
        never sent; a SUBMITTED job past its deadline (counted from Kling's acceptance) is
        stopped, and the poller keeps looking for its late result for a while."""
        count = 0
        for job in await self.store.jobs_overdue(self.clock()):
            if job.state is JobState.REVIEW:
                # Nobody approved or rejected it in the server's review time.
                key, code = "failed.review_timeout", REVIEW_TIMEOUT_CODE
                settings = await load_guild_settings(self.store, job.guild_id)
                bound = settings.review_timeout_minutes * 60.0
            elif job.state is JobState.QUEUED:
                key, code = "failed.queue_deadline", QUEUE_TIMEOUT_CODE
                bound = self.queue_timeout_seconds
            else:
                key, code = "failed.deadline", DEADLINE_CODE
                bound = self.job_deadline_seconds
            # Only in the state it was read in: a job the dispatcher claimed meanwhile is
            # being sent, and is not stopped behind its create's back.
            if await self.failures.fail(job, key, code=code, expected=(job.state,),
                                        tell_later=True, seconds=bound):
                count += 1
        return count
