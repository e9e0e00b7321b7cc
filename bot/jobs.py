"""The job service: validate -> reserve -> submit -> track -> deliver.

It owns the job's life as design.md draws it. Each step writes the row before the remote side
effect it leads to, and each state change is a compare-and-set, so whichever of a callback, the
poller, a restarted process or a second process gets there first does the work, and the others
find nothing to do. Discord is reached only through `JobNotifier`, so the whole life runs in a
test without a gateway.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.config import Settings
from bot.dispatch import Limits, plan_dispatch
from bot.download import UnsafeVideoUrl
from bot.guild_settings import load_guild_settings
from bot.kling.capabilities import CapabilityTable
from bot.kling.client import MAX_RETRY_AFTER, KlingClient
from bot.kling.errors import (
    KlingAuthError,
    KlingBadRequest,
    KlingBalanceExhausted,
    KlingError,
    KlingNotFound,
    KlingRateLimited,
    KlingServerError,
    KlingUnreachable,
)
from bot.kling.options import ValidatedRequest, VideoOptions, validate
from bot.kling.results import TaskResult, TaskStatus
from bot.quotas import CostTable, QuotaBook, QuotaExceeded
from bot.store import Job, JobState, LedgerStatus, Store
from bot.texts import span, text

log = logging.getLogger(__name__)

Clock = Callable[[], float]

UNFINISHED = (JobState.QUEUED, JobState.RESERVED, JobState.SUBMITTED)
# How long new jobs are refused after Kling said the balance is used up.
BALANCE_PAUSE_SECONDS = 900.0
# A RESERVED job is taken for a dead process's only once its create has run this much longer
# than the Kling client's own worst case (`KlingClient.longest_create`): event-loop stalls and
# database latency come on top of the HTTP calls.
STALE_SUBMIT_FACTOR = 1.25
STALE_SUBMIT_SLACK = 60.0
MAX_DELIVERY_ATTEMPTS = 8
# Error codes of jobs that were stopped while Kling may still be making their video, and how
# long after that the poller keeps looking for a late result (delivered free, marked late).
DEADLINE_CODE = "deadline"
QUEUE_TIMEOUT_CODE = "queue_timeout"
LATE_WATCH_CODES = (DEADLINE_CODE, "failed.unconfirmed")
LATE_WATCH_SECONDS = 24 * 3600.0


class KlingPaused(Exception):
    """New jobs are refused because the operator's Kling balance is used up."""

    def __init__(self) -> None:
        super().__init__(text("kling.paused"))


class CannotPostHere(Exception):
    """The notifier can never post in the job's channel (no permission, no such channel), so
    the job must not run: its result could not be delivered."""


class JobNotCancellable(Exception):
    """The job cannot be cancelled (not yours, or it already started); says why."""


@dataclass(frozen=True)
class Placement:
    """Where a job's card went: the ids the bot needs to edit it and post the result later."""

    status_message_id: int | None
    thread_id: int | None


class JobNotifier(Protocol):
    """What the job service needs from Discord. The real one posts with the bot's own token,
    by channel and message id, so nothing depends on a 15-minute interaction token."""

    async def announce(self, job: Job) -> Placement:
        """Post the job's status card (and start its thread)."""

    async def progress(self, job: Job) -> None:
        """The job moved on: refresh its card."""

    async def deliver(self, job: Job, *, resumed: bool) -> int:
        """Post the finished video; return the result message's id. `resumed`: an earlier
        delivery of this job started and never recorded its message, so it may have been
        posted already: find it and return its id rather than post it twice."""

    async def failed(self, job: Job) -> None:
        """Tell the requester how the job ended, and that nothing was charged."""

    async def alert(self, guild_id: int | None, message: str) -> None:
        """Something the server's moderators (or the operator) must hear about."""


@dataclass(frozen=True)
class JobRequest:
    """One member's ask, as the Discord layer hands it over."""

    guild_id: int | None
    channel_id: int
    user_id: int
    options: VideoOptions
    role_ids: tuple[int, ...] = ()
    explicit_mode: bool = True
    parent_job_id: str | None = None
    thread_id: int | None = None


def new_job_id() -> str:
    """20 hex characters: fits a Discord nonce (25) and a custom id with room to spare."""
    return secrets.token_hex(10)


class JobService:
    def __init__(self, *, store: Store, kling: KlingClient, notifier: JobNotifier,
                 settings: Settings, capabilities: CapabilityTable, costs: CostTable,
                 quota: QuotaBook, limits: Limits, clock: Clock = time.time) -> None:
        self.store = store
        self.kling = kling
        self.notifier = notifier
        self.settings = settings
        self.capabilities = capabilities
        self.costs = costs
        self.quota = quota
        self.limits = limits
        self.clock = clock
        self._paused_reason: str | None = None
        self._paused_until = 0.0
        self.dispatch_paused_until = 0.0
        self._dispatch_lock = asyncio.Lock()
        self._dispatch_next: asyncio.Task[None] | None = None
        self._creates: dict[str, asyncio.Task[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._delivering: set[str] = set()  # jobs whose delivery runs in this process
        self.stale_submit_seconds = (kling.longest_create() * STALE_SUBMIT_FACTOR
                                     + STALE_SUBMIT_SLACK)

    # -- background work -------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run `coro` in the background; keep a reference and log (never lose) its failure."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Background task %s failed", task.get_name(), exc_info=task.exception())

    async def idle(self) -> None:
        """Wait until background work started so far is done (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- accepting a job -------------------------------------------------------------------

    def price(self, request: JobRequest) -> tuple[ValidatedRequest, int]:
        """Validate and price a request without touching the ledger."""
        validated = validate(request.options, self.capabilities,
                             explicit_mode=request.explicit_mode)
        return validated, self.costs.cost(validated.model, validated.mode, validated.duration)

    async def request(self, request: JobRequest) -> Job:
        """Accept a job: validate, reserve its credits, announce it, queue it and dispatch.

        Raises `InvalidOptions`, `QuotaExceeded` or `KlingPaused` before anything is spent.
        Returns the job as it stands after dispatch: QUEUED (waiting for a slot), on its way
        or SUBMITTED, or FAILED (refunded) when Kling refused it at once. It waits for its own
        create's answer (which decides the member's private reply), never for other jobs'.
        """
        job = await self.reserve(request)
        if await self._announce(job):
            await self.dispatch()
            create = self._creates.get(job.id)
            if create is not None:
                await asyncio.wait({create})
        return await self.store.get_job(job.id) or job

    async def reserve(self, request: JobRequest) -> Job:
        """Validate and price the request, resolve the member's limit and the period, and hold
        the credits and write the job (QUEUED) in one store transaction. The first half of
        `request`, with no Discord or Kling I/O; raises as `request` does."""
        if self.paused_reason is not None:
            raise KlingPaused()
        validated, cost = self.price(request)
        now = self.clock()
        job = Job(
            id=new_job_id(),
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            user_id=request.user_id,
            state=JobState.QUEUED,
            action=validated.action,
            model=validated.model,
            mode=validated.mode,
            duration=validated.duration,
            prompt=validated.prompt,
            request=validated.body,
            cost=cost,
            callback_token=secrets.token_urlsafe(32),
            created_at=now,
            updated_at=now,
            # The queue's bound; the job's own deadline starts when Kling accepts it.
            deadline_at=now + self.settings.queue_timeout_seconds,
            parent_job_id=request.parent_job_id,
            thread_id=request.thread_id,
        )
        settings = await load_guild_settings(self.store, request.guild_id)
        period = self.quota.period(now, settings)
        limit = await self.quota.limit_for(request.guild_id, request.user_id, request.role_ids,
                                           settings)
        reservation = await self.store.reserve_job(job, limit=limit.credits,
                                                   period_start=period.start,
                                                   server_cap=settings.server_cap)
        if not reservation.accepted:
            raise QuotaExceeded.from_reservation(reservation, cost, period, settings.server_cap)
        log.info("Job %s reserved: %s %s/%s %ss, %d credits, user %s", job.id, job.action,
                 job.model, job.mode or "-", job.duration, cost, job.user_id)
        return job

    async def _announce(self, job: Job) -> bool:
        """Post the job's card. False when the job cannot be delivered where it was asked for
        (it is then failed and refunded before it runs)."""
        try:
            placement = await self.notifier.announce(job)
        except CannotPostHere as exc:
            log.warning("Job %s: cannot post in channel %s (%s)", job.id, job.channel_id, exc)
            await self.fail(job, "failed.cannot_post", code="cannot_post", reason=str(exc))
            return False
        except Exception:
            # A passing Discord fault: the job goes on, and its result is retried later.
            log.exception("Job %s: could not post its status card", job.id)
            return True
        await self.store.update(job.id, (*UNFINISHED, JobState.SUCCEEDED, JobState.FAILED),
                                status_message_id=placement.status_message_id,
                                thread_id=placement.thread_id or job.thread_id)
        return True

    # -- the fair queue --------------------------------------------------------------------

    async def dispatch(self) -> None:
        """Start the queued jobs that have a free slot, fairly; renumber the rest.

        Callers share passes. Each pass reads and ranks the whole queue, so a burst of N
        commands queueing one pass each behind the lock is O(N^2) work that stalls the event
        loop (and every interaction waiting for its acknowledgement). A caller joins the pass
        that has not started yet, or schedules one; either way the pass it waits for starts
        after its call, so it sees the caller's job. The pass runs in a task of its own, so a
        cancelled caller never cancels it for the others.

        A pass only reads, plans and claims: the creates it starts and the card edits it
        causes run in the background, so a pass is short whatever Kling and Discord are doing.
        """
        await asyncio.shield(self.dispatch_soon())

    def dispatch_soon(self) -> asyncio.Task[None]:
        """Make sure a dispatch pass starts after this call, without waiting for it (the
        poller, and anything that freed a slot): nothing else waits on the queue."""
        task = self._dispatch_next
        if task is None:
            task = asyncio.create_task(self._dispatch_pass(), name="dispatch-pass")
            self._dispatch_next = task
            self._tasks.add(task)
            task.add_done_callback(self._dispatch_pass_done)
        return task

    def _dispatch_pass_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._dispatch_next is task:  # cancelled before it started
            self._dispatch_next = None
        if not task.cancelled() and task.exception() is not None:
            # Triggered passes have nobody awaiting them: the error must be seen here.
            log.error("Dispatch pass failed", exc_info=task.exception())

    async def _dispatch_pass(self) -> None:
        async with self._dispatch_lock:
            # From here on a new caller's job may be missed by this pass: it needs the next.
            self._dispatch_next = None
            await self._dispatch_once()

    async def _dispatch_once(self) -> None:
        async with self.store.dispatch_guard() as ours:
            if not ours:
                return
            queued = await self.store.jobs_in_state((JobState.QUEUED,), limit=2000)
            if not queued:
                return
            plan = plan_dispatch(queued, await self.store.in_flight(),
                                 await self.store.last_dispatch_times(), self.limits,
                                 paused=self.clock() < self.dispatch_paused_until)
            for job in plan.start:
                await self._start_submit(job.id)
            await self._renumber(queued, plan.positions)

    async def _start_submit(self, job_id: str) -> None:
        """Claim a job for its create inside the pass (so the next pass counts its slot) and
        send the create in the background: a slow or rate-limited create holds up nothing
        but its own job."""
        job = await self.store.claim_for_submit(job_id, self.clock(), self.settings.instance_id)
        if job is None:
            return
        task = self.spawn(self._send(job), name=f"create-{job.id}")
        self._creates[job.id] = task
        task.add_done_callback(lambda done: self._create_done(job_id, done))

    def _create_done(self, job_id: str, task: asyncio.Task[Any]) -> None:
        if self._creates.get(job_id) is task:  # not a later create of the same requeued job
            del self._creates[job_id]

    async def _renumber(self, queued: list[Job], positions: dict[str, int]) -> None:
        """Store each waiting job's new place; its card is edited in the background (the
        notifier paces and coalesces edits per job), so the pass never waits for Discord."""
        for job in queued:
            position = positions.get(job.id)
            if position is not None and position != job.queue_position:
                moved = await self.store.update(job.id, (JobState.QUEUED,),
                                                queue_position=position)
                if moved is not None:
                    self.spawn(self._progress(moved), name=f"card-{job.id}")

    def _dispatch_soon(self) -> None:
        """A slot may have freed up: dispatch in the background."""
        self.dispatch_soon()

    async def cancel(self, job_id: str, actor_id: int, *, is_moderator: bool) -> Job:
        """Cancel a queued job with a full refund. Raises `JobNotCancellable`."""
        job = await self.store.get_job(job_id)
        if job is None:
            raise JobNotCancellable(text("access.gone"))
        if actor_id != job.user_id and not is_moderator:
            raise JobNotCancellable(text("cancel.not_yours"))
        if not await self.fail(job, "failed.cancelled", code="cancelled",
                               expected=(JobState.QUEUED,), user_id=actor_id):
            raise JobNotCancellable(text("cancel.too_late"))
        self._dispatch_soon()
        return await self.store.get_job(job_id) or job

    # -- submitting ------------------------------------------------------------------------

    async def _send(self, job: Job) -> None:
        """Send a job claimed for submit (RESERVED) to Kling once; classify the answer into
        the job's next state."""
        callback_url = self.settings.callback_url(job.callback_token)
        try:
            task_id = await self.kling.create(job.request, callback_url)
        except KlingRateLimited as exc:
            await self._requeue(job, exc.retry_after, "rate limited")
        except KlingUnreachable as exc:
            if exc.request_sent:
                await self._unconfirmed(job)
            else:
                await self._requeue(job, None, "unreachable")
        except KlingBadRequest as exc:
            await self.fail(job, "failed.rejected", code=exc.code, reason=exc.message)
        except KlingAuthError as exc:
            log.error("OPERATOR: the Kling API refused the token (%s: %s). Set KLING_API_TOKEN "
                      "to a valid token; job %s was refunded.", exc.code, exc.message, job.id)
            await self.fail(job, "failed.misconfigured", code=exc.code)
        except KlingNotFound as exc:
            log.error("OPERATOR: the Kling API answered 404 (%s): check KLING_API_BASE; job %s "
                      "was refunded.", exc.code, job.id)
            await self.fail(job, "failed.misconfigured_base", code=exc.code)
        except KlingBalanceExhausted as exc:
            await self._pause(job, exc)
        except KlingServerError as exc:
            # Never re-sent: the task may exist. The API said it failed, so refund now.
            await self.fail(job, "failed.server_error", code=exc.code)
        except KlingError as exc:
            await self.fail(job, "failed.rejected", code=exc.code, reason=exc.message)
        else:
            await self._submitted(job, task_id)

    async def _submitted(self, job: Job, task_id: str) -> None:
        now = self.clock()
        # The deadline counts from Kling's acceptance, not from the queue.
        moved = await self.store.transition(
            job.id, (JobState.RESERVED,), JobState.SUBMITTED, task_id=task_id,
            submitted_at=now, updated_at=now, next_poll_at=now + self._first_poll_delay(),
            deadline_at=now + self.settings.job_deadline_seconds,
        )
        if moved is None:
            # A callback beat the create's answer, or recovery marked the job unconfirmed:
            # keep the task id so the poller can still find the task.
            await self.store.update(job.id, (JobState.SUBMITTED, JobState.SUCCEEDED,
                                             JobState.DELIVERED, JobState.FAILED),
                                    task_id=task_id)
            return
        log.info("Job %s submitted as task %s", job.id, task_id)
        await self._progress(moved)

    async def _requeue(self, job: Job, retry_after: float | None, why: str) -> None:
        """Kling certainly did not take the job: back into the queue, and pause dispatch
        (as long as Kling asked, within reason)."""
        delay = max(min(retry_after or 0.0, MAX_RETRY_AFTER),
                    self.settings.poll_interval_seconds * 2)
        self.dispatch_paused_until = max(self.dispatch_paused_until, self.clock() + delay)
        moved = await self.store.transition(job.id, (JobState.RESERVED,), JobState.QUEUED,
                                            submit_started_at=None, dispatched_at=None,
                                            updated_at=self.clock())
        log.warning("Job %s: Kling %s; dispatch paused for %.0fs", job.id, why, delay)
        if moved is not None:
            await self._progress(moved)

    async def _unconfirmed(self, job: Job) -> None:
        """The create may or may not have reached Kling. Never send it again."""
        if self.settings.callbacks_enabled:
            # A late callback finds the job by its token; otherwise the deadline refunds it.
            now = self.clock()
            moved = await self.store.transition(
                job.id, (JobState.RESERVED,), JobState.SUBMITTED, submitted_at=now,
                updated_at=now, deadline_at=now + self.settings.job_deadline_seconds)
            log.warning("Job %s: create unconfirmed; waiting for a callback", job.id)
            if moved is not None:
                await self._progress(moved)
        else:
            await self.fail(job, "failed.unconfirmed")

    @property
    def paused_reason(self) -> str | None:
        """Why new jobs are refused, while the pause lasts."""
        return self._paused_reason if self.clock() < self._paused_until else None

    async def _pause(self, job: Job, exc: KlingError) -> None:
        """The balance is used up: refuse new jobs for a while, then let the next job find out
        whether the operator has topped up (no restart needed)."""
        first = self.paused_reason is None
        self._paused_reason = exc.code
        self._paused_until = self.clock() + BALANCE_PAUSE_SECONDS
        log.error("OPERATOR: Kling balance is used up (%s); new jobs are paused for %.0f "
                  "minutes", exc.code, BALANCE_PAUSE_SECONDS / 60)
        await self.fail(job, "failed.used_up", code=exc.code)
        if first:
            try:
                await self.notifier.alert(job.guild_id, text("alert.used_up"))
            except Exception:
                log.exception("Could not alert moderators about the used-up balance")

    def _first_poll_delay(self) -> float:
        interval = self.settings.poll_interval_seconds
        # With callbacks the poller is only the safety net, so it looks later.
        return interval * 12 if self.settings.callbacks_enabled else interval

    # -- results ---------------------------------------------------------------------------

    async def record_result(self, job: Job, result: TaskResult, source: str) -> None:
        """Store a finished task's outcome (from a callback or the poller) exactly once."""
        if result.status is TaskStatus.SUCCEEDED:
            now = self.clock()
            moved = await self.store.transition(
                job.id, UNFINISHED, JobState.SUCCEEDED, video_id=result.video_id,
                video_url=result.video_url, video_duration=result.duration,
                finished_at=now, updated_at=now, next_attempt_at=None,
            )
            if moved is None:
                if await self._record_late(job, result, source):
                    self.spawn(self.deliver(job.id), name=f"deliver-{job.id}")
                return
            log.info("Job %s succeeded (via %s): video %s", job.id, source, result.video_id)
            self.spawn(self.deliver(job.id), name=f"deliver-{job.id}")
            self._dispatch_soon()
        elif result.status is TaskStatus.FAILED:
            if not await self.fail(job, "failed.kling", code=result.error_code,
                                   reason=result.error_message or "unknown error",
                                   source=source):
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

    async def fail(self, job: Job, key: str, *, code: str | None = None,
                   source: str = "bot", expected: Iterable[JobState] = UNFINISHED,
                   tell_later: bool = False, **fields: Any) -> bool:
        """End a job as FAILED with its credits refunded, and tell its requester. Only the
        caller that wins the compare-and-set tells anyone. With `tell_later` the requester
        is told in the background (housekeeping must not wait on Discord)."""
        message = text(key, **fields)
        now = self.clock()
        moved = await self.store.transition(
            job.id, expected, JobState.FAILED, ledger=LedgerStatus.REFUNDED,
            error_code=code or key, error_message=message, finished_at=now, updated_at=now,
        )
        if moved is None:
            return False
        log.info("Job %s failed (%s, via %s); %d credits refunded", job.id, code or key, source,
                 job.cost)
        if job.state is not JobState.QUEUED:
            self._dispatch_soon()
        if tell_later:
            self.spawn(self._tell_failed(moved), name=f"failed-{job.id}")
        else:
            await self._tell_failed(moved)
        return True

    async def _tell_failed(self, job: Job) -> None:
        try:
            await self.notifier.failed(job)
        except Exception:
            log.exception("Job %s: could not tell the requester it failed", job.id)

    async def _progress(self, job: Job) -> None:
        try:
            await self.notifier.progress(job)
        except Exception:
            log.exception("Job %s: could not update its card", job.id)

    # -- delivery --------------------------------------------------------------------------

    async def deliver(self, job_id: str) -> None:
        """Post a SUCCEEDED job's video, then mark it DELIVERED and commit its credits.

        One delivery of a job runs at a time: in this process a set of running deliveries
        says so; across processes the claim's lease does, renewed for as long as the
        delivery runs (a download may take minutes, then the upload).
        """
        if job_id in self._delivering:
            return
        self._delivering.add(job_id)
        try:
            await self._deliver(job_id)
        finally:
            self._delivering.discard(job_id)

    async def _deliver(self, job_id: str) -> None:
        now = self.clock()
        until = now + self.settings.delivery_lease_seconds
        job = await self.store.claim_for_delivery(job_id, now, until,
                                                  self.settings.instance_id)
        if job is None:
            return
        # The claim keeps the first claim's time: an earlier one means an earlier delivery
        # started and never recorded its message (a crash, or a failure after Discord may
        # have taken it), so the notifier looks for that message before posting again.
        resumed = job.delivery_started_at != now or job.delivery_attempts > 0
        try:
            message_id = await self._post_holding_claim(job, until, resumed)
        except UnsafeVideoUrl as exc:
            await self._refuse_video(job, exc)
            return
        except Exception:
            await self._delivery_failed(job)
            return
        if message_id is None:
            return
        delivered = await self.store.transition(
            job.id, (JobState.SUCCEEDED,), JobState.DELIVERED, ledger=LedgerStatus.COMMITTED,
            result_message_id=message_id, updated_at=self.clock(),
        )
        if delivered is not None:
            log.info("Job %s delivered as message %s", job.id, message_id)

    async def _post_holding_claim(self, job: Job, until: float, resumed: bool) -> int | None:
        """Run the notifier's delivery while a heartbeat renews the claim. Returns the result
        message's id, or None when the claim was lost (the delivery is then abandoned: the
        process that took the job delivers it). Raises what the delivery raised."""
        posting = asyncio.create_task(self.notifier.deliver(job, resumed=resumed),
                                      name=f"post-{job.id}")
        keeping = asyncio.create_task(self._keep_claim(job.id, until), name=f"lease-{job.id}")
        try:
            await asyncio.wait({posting, keeping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            keeping.cancel()
            if not posting.done():
                posting.cancel()
            await asyncio.gather(posting, keeping, return_exceptions=True)
        if posting.cancelled():
            return None
        return posting.result()

    async def _keep_claim(self, job_id: str, until: float) -> None:
        """Renew the delivery's lease every third of it; return when the claim is lost. A
        failed renewal (the database is briefly away) is tried again on the next beat: the
        lease still has two thirds to run."""
        lease = self.settings.delivery_lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            renewed = self.clock() + lease
            try:
                kept = await self.store.renew_delivery_lease(job_id, until, renewed)
            except Exception:
                log.exception("Job %s: could not renew its delivery lease", job_id)
                continue
            if not kept:
                log.warning("Job %s: its delivery lost its claim (another delivery took the "
                            "job); stopping this one", job_id)
                return
            until = renewed

    async def _delivery_failed(self, job: Job) -> None:
        """Count the failure and retry later with back-off; give up (and refund) after
        `MAX_DELIVERY_ATTEMPTS` failures."""
        failures = job.delivery_attempts + 1
        if failures >= MAX_DELIVERY_ATTEMPTS:
            log.exception("Job %s: delivery failed %d times; giving up", job.id, failures)
            await self.fail(job, "failed.undeliverable", expected=(JobState.SUCCEEDED,))
            return
        delay = min(300.0, 5.0 * 2 ** failures)
        log.exception("Job %s: delivery failed; retrying in %.0fs", job.id, delay)
        await self.store.update(job.id, (JobState.SUCCEEDED,), delivery_attempts=failures,
                                next_attempt_at=self.clock() + delay)

    async def _refuse_video(self, job: Job, exc: UnsafeVideoUrl) -> None:
        """The result is at an address the bot must not fetch from: nothing was fetched, no
        link is posted (one to a private host is useless, and keeping it out is the point),
        the job fails with a refund, and the operator learns which host it was."""
        log.error("OPERATOR: job %s: the video is on host %s, which the bot does not fetch from "
                  "(%s). Nothing was downloaded and the job was refunded. If you trust that "
                  "host, add it to TRUSTED_VIDEO_HOSTS.", job.id, exc.host, exc.reason)
        await self.fail(job, "failed.unsafe_video", code="unsafe_video_url",
                        expected=(JobState.SUCCEEDED,))

    # -- housekeeping (the poller's tick and start-up recovery) ------------------------------

    async def recover_stale(self) -> None:
        """A RESERVED job whose create started longer ago than any create can take
        (`stale_submit_seconds`, derived from the client's limits) belongs to a process that
        died: treat it as unconfirmed. Another live process's create is never taken."""
        stale_before = self.clock() - self.stale_submit_seconds
        for job in await self.store.jobs_in_state((JobState.RESERVED,)):
            if (job.submit_started_at or job.updated_at) < stale_before:
                await self._unconfirmed(job)

    async def expire_overdue(self) -> int:
        """Fail and refund every job past its bound: a QUEUED job past the queue timeout is
        never sent; a SUBMITTED job past its deadline (counted from Kling's acceptance) is
        stopped, and the poller keeps looking for its late result for a while."""
        count = 0
        for job in await self.store.jobs_overdue(self.clock()):
            if job.state is JobState.QUEUED:
                key, code = "failed.queue_deadline", QUEUE_TIMEOUT_CODE
                bound = self.settings.queue_timeout_seconds
            else:
                key, code = "failed.deadline", DEADLINE_CODE
                bound = self.settings.job_deadline_seconds
            # Only in the state it was read in: a job the dispatcher claimed meanwhile is
            # being sent, and is not stopped behind its create's back.
            if await self.fail(job, key, code=code, expected=(job.state,), tell_later=True,
                               span=span(bound)):
                count += 1
        return count

    async def deliver_due(self) -> None:
        for job in await self.store.jobs_due_for_delivery(self.clock()):
            if job.id not in self._delivering:
                self.spawn(self.deliver(job.id), name=f"deliver-{job.id}")

    async def recover(self, *, single_process: bool) -> None:
        """Pick up where a stopped process left off, then run the routine work at once.

        A RESERVED job's create may have reached Kling, so it becomes unconfirmed (never sent
        twice). This process's own claims (same INSTANCE_ID) are taken back at once; with a
        single process every claim is its own; other live processes' claims are left alone
        until they are stale (see `recover_stale`).
        """
        me = None if single_process else self.settings.instance_id
        await self.store.release_delivery_leases(me)
        for job in await self.store.jobs_in_state((JobState.RESERVED,)):
            if me is None or job.owner == me:
                await self._unconfirmed(job)
        await self.recover_stale()
        counts = await self.store.count_by_state()
        log.info("Recovery: %s", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        await self.expire_overdue()
        await self.dispatch()
        await self.deliver_due()
