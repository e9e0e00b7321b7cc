"""Card edits throttled per job: Discord's message-edit buckets are tight, and a job's card
changes often (queue positions, states), so a burst of changes becomes one edit of the latest
state."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import discord

from bot.store import Job

log = logging.getLogger(__name__)

# Seconds between two edits of one job's card: tests shorten it, nobody else needs to.
CARD_EDIT_INTERVAL = 10.0


class CardThrottle:
    """At most one edit per job per `interval`; later changes wait and the latest one wins.

    A job is remembered only while it matters: its latest state while an edit of it runs or
    waits, and its last edit's time for an interval after it. A job's end is one moment to
    forget it, but a job another process finished never shows this process its end, so the
    times older than an interval are swept away too.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._latest: dict[str, Job] = {}  # jobs with an edit running or waiting
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._swept = clock()

    def __len__(self) -> int:
        """How many jobs the throttle remembers anything about."""
        return len(self._last.keys() | self._latest.keys() | self._pending.keys())

    def _sweep(self, now: float) -> None:
        """Forget the edit times older than an interval of jobs with no edit running or
        waiting. Runs at most once per interval, so an edit's cost stays constant."""
        if now - self._swept < self.interval:
            return
        self._swept = now
        for job_id in [j for j, at in self._last.items()
                       if now - at >= self.interval and j not in self._latest]:
            del self._last[job_id]

    async def submit(self, job: Job, edit: Callable[[Job], Awaitable[None]]) -> None:
        """Edit the job's card now, or once its interval has passed; a change submitted meanwhile
        replaces the waiting one. Edit failures are logged, never raised: the job goes on without
        its card."""
        now = self.clock()
        self._sweep(now)
        self._latest[job.id] = job
        if job.id in self._pending:
            return
        last = self._last.get(job.id)
        if last is None or now - last >= self.interval:
            await self._run(job.id, edit)
            return
        self._pending[job.id] = asyncio.create_task(
            self._later(job.id, self.interval - (now - last), edit), name=f"card-{job.id}")

    async def _later(self, job_id: str, delay: float,
                     edit: Callable[[Job], Awaitable[None]]) -> None:
        await asyncio.sleep(delay)
        self._pending.pop(job_id, None)
        await self._run(job_id, edit)

    async def _run(self, job_id: str, edit: Callable[[Job], Awaitable[None]]) -> None:
        job = self._latest[job_id]
        self._last[job_id] = self.clock()
        try:
            await edit(job)
        except discord.HTTPException as exc:
            # The card was deleted, or the channel closed to the bot: the job goes on.
            log.warning("Job %s: card edit refused (%s %s)", job_id, exc.status, exc.code)
        except Exception:
            log.exception("Job %s: card edit failed", job_id)
        if job_id not in self._pending:
            # A change that came in during the edit waits in `_pending` with its state.
            self._latest.pop(job_id, None)
            if job.state.terminal:
                self._last.pop(job_id, None)

    async def close(self) -> None:
        """Drop the edits still waiting (the process is stopping)."""
        for task in self._pending.values():
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
        self._pending.clear()
