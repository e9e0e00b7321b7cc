"""Where a job is posted: its card, and the thread started from it. Both are stored as soon as
they are known, never held in memory, so any process can deliver any job.

A job is never held back from Kling by its thread: the card is stored (or, where the command's
response could not show it, posted first: that post tells whether the bot may post there at
all), the job is dispatched, and the thread is started in the background. While it starts, the
job row holds a lease (`thread_pending_until`); a delivery that finds a live lease is put off
through the store (`thread_pending`) and comes back shortly, one that finds it run out gives
the thread up and posts in the channel. The lease bounds how long a result ever waits for a
thread, whatever Discord's thread limits do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.jobs.notifier import CannotPostHere, JobNotifier, show_progress
from bot.jobs.outcomes import Failures
from bot.jobs.review import ask_moderators
from bot.jobs.supervisor import Supervisor
from bot.store import UNFINISHED, Job, JobState, JobStore

log = logging.getLogger(__name__)

# How often a delivery waiting for its job's thread looks at the store again.
THREAD_RECHECK_SECONDS = 0.25
# The states in which a job's placement may still be written (a delivered job's is settled).
PLACEABLE = (*UNFINISHED, JobState.SUCCEEDED, JobState.FAILED)


class Placements:
    """Stores a reserved job's card, starts its thread in the background, and starts again
    the threads a stopped process left half-started."""

    def __init__(self, *, store: JobStore, notifier: JobNotifier, failures: Failures,
                 supervisor: Supervisor, clock: Clock, thread_wait_seconds: float) -> None:
        self.store = store
        self.notifier = notifier
        self.failures = failures
        self.supervisor = supervisor
        self.clock = clock
        self.thread_wait_seconds = thread_wait_seconds

    async def show_card(self, job: Job) -> Job | None:
        """Store the job's card (shown already as the command's response, or posted now) and
        the lease of its thread's start; ask the moderators about a held job. None when the
        job cannot be delivered where it was asked for (it is failed and refunded before it
        runs). Never waits for the thread (`start_thread_soon`)."""
        card_id = job.status_message_id
        if card_id is None:
            try:
                card_id = await self.notifier.post_card(job)
            except CannotPostHere as exc:
                log.warning("Job %s: cannot post in channel %s (%s)", job.id, job.channel_id,
                            exc)
                await self.failures.fail(job, "failed.cannot_post", code="cannot_post",
                                         cause=exc.code)
                return None
            except Exception:
                # A passing Discord fault: the job goes on, its result to the channel.
                log.exception("Job %s: could not post its status card", job.id)
        placed = job
        if card_id is not None:
            lease = None if job.thread_id is not None else self.clock() + self.thread_wait_seconds
            placed = await self.store.update(job.id, PLACEABLE, status_message_id=card_id,
                                             thread_pending_until=lease) or job
            if (placed.state, placed.queue_position) != (job.state, job.queue_position):
                # It moved before its card was known (a queue pass, a fast answer): the edit
                # that change asked for found no card, so the card catches up now.
                await show_progress(self.notifier, placed)
        if job.state is JobState.REVIEW:
            await ask_moderators(self.store, self.notifier, job)
        return placed

    def start_thread_soon(self, job: Job) -> None:
        """Start the job's thread in the background, if its lease says one is due."""
        lease = job.thread_pending_until
        if lease is not None and job.thread_id is None:
            self.supervisor.spawn(self._start_thread(job, lease), name=f"thread-{job.id}")

    async def _start_thread(self, job: Job, lease: float) -> None:
        try:
            thread_id = await self.notifier.start_thread(job)
        except Exception:
            log.exception("Job %s: could not start its thread; its results go to the channel",
                          job.id)
            thread_id = None
        if not await self.store.settle_thread(job.id, lease, thread_id):
            log.info("Job %s: its thread came after its placement was decided", job.id)

    async def restart_threads(self, me: str | None) -> None:
        """Start again the threads of jobs whose card is stored but whose thread's start never
        ended (its process stopped): this process's own (`me`; None: every one, a single
        process), and any whose lease ran out. On Discord a message's thread has the message's
        id, so a start that did reach Discord is found, not made twice."""
        now = self.clock()
        for job in await self.store.jobs_in_state((*UNFINISHED, JobState.SUCCEEDED)):
            held = job.thread_pending_until
            if held is None or job.thread_id is not None:
                continue
            if me is None or job.owner == me or not job.thread_pending(now):
                until = now + self.thread_wait_seconds
                if await self.store.renew_thread_lease(job.id, held, until):
                    job.thread_pending_until = until
                    self.start_thread_soon(job)


async def thread_pending(store: JobStore, job_id: str, now: float) -> float | None:
    """The lease a SUCCEEDED job's delivery must wait for (its thread is being started), or
    None: post now. A lease that ran out is given up here: the result goes to the channel."""
    job = await store.get_job(job_id)
    if job is None or job.state is not JobState.SUCCEEDED or job.thread_id is not None:
        return None
    lease = job.thread_pending_until
    if lease is None:
        return None
    if lease > now:
        return lease
    if await store.settle_thread(job.id, lease, None):
        log.warning("Job %s: its thread was not started in time; posting in the channel",
                    job.id)
    return None


async def when_placed(store: JobStore, job_id: str, clock: Clock,
                      deliver: Callable[[str], Awaitable[None]]) -> None:
    """Deliver the job once its thread's start has ended (stored) or run out of time, looking
    at the store every `THREAD_RECHECK_SECONDS`: a wake-up only, the store decides."""
    while True:
        await asyncio.sleep(THREAD_RECHECK_SECONDS)
        job = await store.get_job(job_id)
        if job is None or job.state is not JobState.SUCCEEDED:
            return
        if not job.thread_pending(clock()):
            break
    await deliver(job_id)
