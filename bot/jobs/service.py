"""The job life as the Discord layer sees it: check, price, reserve or request a job, cancel it,
ask whether Kling takes jobs, and (tests, shutdown) wait for or stop background work.

A thin facade: each call goes to the piece that owns it (`Reservations`, `Placements`,
`Dispatcher`, `BalancePause`, `Supervisor`). Nothing below calls back into it.
"""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.jobs.dispatcher import Dispatcher
from bot.jobs.pause import BalancePause
from bot.jobs.placement import Placements
from bot.jobs.requests import JobRequest, Quote, Reservations
from bot.jobs.supervisor import Supervisor
from bot.quotas import QuotaBook
from bot.store import Job, JobStore

log = logging.getLogger(__name__)


class JobService:
    """The job life as the Discord layer sees it (see the module's docstring)."""

    def __init__(self, *, store: JobStore, reservations: Reservations, placements: Placements,
                 dispatcher: Dispatcher, balance: BalancePause, supervisor: Supervisor,
                 quota: QuotaBook, clock: Clock) -> None:
        self._store = store
        self._reservations = reservations
        self._placements = placements
        self._dispatcher = dispatcher
        self._balance = balance
        self._supervisor = supervisor
        # The Discord layer reads a member's quota status at the job life's time.
        self.quota = quota
        self.clock = clock

    def check(self, request: JobRequest) -> None:
        """Validate what can be before the interaction is acknowledged (an Extend, which the
        server's settings cannot change); raises `InvalidOptions` (see `Reservations.check`)."""
        self._reservations.check(request)

    async def quote(self, request: JobRequest) -> Quote:
        """The request's price as `reserve` would hold it, with nothing held: for a member to
        confirm an expensive job first (see `Reservations.quote`)."""
        return await self._reservations.quote(request)

    async def precheck(self, request: JobRequest) -> Quote:
        """The price, and whether the member can pay it now (see `Reservations.precheck`)."""
        return await self._reservations.precheck(request)

    async def reserve(self, request: JobRequest) -> Job:
        """Hold the request's credits and queue it (see `Reservations.reserve`)."""
        return await self._reservations.reserve(request)

    async def request(self, request: JobRequest) -> Job:
        """Accept a job: apply the server's policy, validate, reserve its credits, post its
        card, queue it and dispatch.

        Raises `NotAllowedHere`, `NotAllowedByServer`, `InvalidOptions`,
        `PriceNeedsConfirmation` (ask the member, then request again with `confirmed_cost`),
        `PriceRose`, `QuotaExceeded` or `KlingPaused` before anything is spent.
        Returns the job as it stands after dispatch: QUEUED (waiting for a slot), on its way
        or SUBMITTED, or FAILED (refunded) when Kling refused it at once. It waits for its own
        create's answer (which decides the member's private reply), never for other jobs'.
        """
        return await self.start(await self._reservations.reserve(request))

    async def start(self, job: Job) -> Job:
        """Store a reserved job's card (shown already as the command's response:
        `job.status_message_id`; else posted now), dispatch it, and start its thread in the
        background; returns it as `request` does. The Discord layer reserves, shows the card
        and confirms privately first, then calls this. The job goes to Kling without waiting
        for its thread, which Discord may be slow to start."""
        placed = await self._placements.show_card(job)
        if placed is not None:
            await self._dispatcher.dispatch()
            self._placements.start_thread_soon(placed)
            await self._dispatcher.wait_for_create(job.id)
        return await self._store.get_job(job.id) or job

    async def cancel(self, job_id: str, actor_id: int, *, is_moderator: bool) -> Job:
        """Cancel a queued job with a full refund. Raises `JobNotCancellable`."""
        return await self._reservations.cancel(job_id, actor_id, is_moderator=is_moderator)

    @property
    def paused_reason(self) -> str | None:
        """Why new jobs are refused, while the pause lasts."""
        return self._balance.reason

    async def idle(self) -> None:
        """Wait until background work started so far is done (tests and shutdown)."""
        await self._supervisor.idle()

    async def close(self) -> None:
        """Stop the background work (the process is stopping)."""
        await self._supervisor.close()
