"""The fair queue's pass: read the queue, plan (`queue_plan`), claim the jobs that may start,
hand them to the submitter, and store the others' new places.

Callers share passes. Each pass reads and ranks the heads of the members' lines, so a burst of
N commands queueing one pass each behind the lock is O(N^2) work that stalls the event loop
(and every interaction waiting for its acknowledgement). A caller joins the pass that has not
started yet, or schedules one; either way the pass it waits for starts after its call, so it
sees the caller's job. The pass runs in a task of its own, so a cancelled caller never cancels
it for the others. A pass only reads, plans and claims: the creates it starts and the card
edits it causes run in the background, so a pass is short whatever Kling and Discord are doing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.clock import Clock
from bot.jobs.notifier import JobNotifier, show_progress
from bot.jobs.pause import DispatchPause
from bot.jobs.queue_plan import PLACES_SHOWN, Limits, line_depth, plan_dispatch
from bot.jobs.submitter import Submitter
from bot.jobs.supervisor import Supervisor
from bot.store import JobStore, QueuedJob

log = logging.getLogger(__name__)


class Dispatcher:
    """Runs the fair queue's passes: which queued jobs go to Kling now, and where the others
    stand."""

    def __init__(self, *, store: JobStore, submitter: Submitter, notifier: JobNotifier,
                 supervisor: Supervisor, limits: Limits, pause: DispatchPause, clock: Clock,
                 instance_id: str) -> None:
        self.store = store
        self.submitter = submitter
        self.notifier = notifier
        self.supervisor = supervisor
        self.limits = limits
        self.pause = pause
        self.clock = clock
        self.instance_id = instance_id
        self._lock = asyncio.Lock()
        self._next: asyncio.Task[None] | None = None
        self._creates: dict[str, asyncio.Task[Any]] = {}

    async def dispatch(self) -> None:
        """Start the queued jobs that have a free slot, fairly; renumber the rest. Returns
        once a pass that started after this call has run."""
        await asyncio.shield(self.dispatch_soon())

    def dispatch_soon(self) -> asyncio.Task[None]:
        """Make sure a dispatch pass starts after this call, without waiting for it (the
        poller, and anything that freed a slot): nothing else waits on the queue."""
        task = self._next
        if task is None:
            task = self.supervisor.spawn(self._pass(), name="dispatch-pass")
            self._next = task
            task.add_done_callback(self._pass_done)
        return task

    async def wait_for_create(self, job_id: str) -> None:
        """Wait for the job's create, if this process has one running (its answer decides the
        member's private reply); never for other jobs'."""
        create = self._creates.get(job_id)
        if create is not None:
            await asyncio.wait({create})

    def _pass_done(self, task: asyncio.Task[None]) -> None:
        if self._next is task:  # cancelled before it started
            self._next = None

    async def _pass(self) -> None:
        async with self._lock:
            # From here on a new caller's job may be missed by this pass: it needs the next.
            self._next = None
            await self._run_pass()

    async def _run_pass(self) -> None:
        async with self.store.dispatch_guard() as ours:
            if not ours:
                return
            lengths = await self.store.queue_line_lengths()
            if not lengths:
                return
            queued = await self.store.queue_lines(line_depth(self.limits, lengths),
                                                  near=PLACES_SHOWN)
            plan = plan_dispatch(queued, await self.store.in_flight(),
                                 await self.store.last_dispatch_times(), self.limits,
                                 paused=self.pause.active)
            for job in plan.start:
                await self._start_submit(job.id)
            await self._renumber(queued, plan.positions)

    async def _start_submit(self, job_id: str) -> None:
        """Claim a job for its create inside the pass (so the next pass counts its slot) and
        send the create in the background: a slow or rate-limited create holds up nothing
        but its own job."""
        job = await self.store.claim_for_submit(job_id, self.clock(), self.instance_id)
        if job is None:
            return
        task = self.supervisor.spawn(self.submitter.send(job), name=f"create-{job.id}")
        self._creates[job.id] = task
        task.add_done_callback(lambda done: self._create_done(job_id, done))

    def _create_done(self, job_id: str, task: asyncio.Task[Any]) -> None:
        if self._creates.get(job_id) is task:  # not a later create of the same requeued job
            del self._creates[job_id]

    async def _renumber(self, queued: list[QueuedJob], positions: dict[str, int]) -> None:
        """Store each waiting job's new place; its card is edited in the background (the
        notifier paces and coalesces edits per job), so the pass never waits for Discord."""
        changed = {job.id: positions[job.id] for job in queued
                   if job.id in positions and positions[job.id] != job.queue_position}
        if not changed:
            return
        for moved in await self.store.place_in_queue(changed):
            self.supervisor.spawn(show_progress(self.notifier, moved), name=f"card-{moved.id}")
