"""A member's ask, from the command to the queue: the server's policy (`bot.policy`), then
validate and price it (no credit spent on a bad request), hold its credits and write the job in
one store transaction, post its card; and the way back out while it waits, a cancel with a full
refund."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import metrics
from bot.clock import Clock
from bot.errors import DomainError
from bot.guild_settings import load_guild_settings
from bot.jobs.notifier import CannotPostHere, JobNotifier
from bot.jobs.outcomes import Failures
from bot.jobs.pause import BalancePause, KlingPaused
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import ValidatedRequest, VideoOptions, validate
from bot.policy import ServerPolicy, takes_defaults
from bot.quotas import CostTable, QuotaBook, QuotaExceeded
from bot.store import UNFINISHED, Job, JobState, Store

log = logging.getLogger(__name__)


class JobNotCancellable(DomainError):
    """The job cannot be cancelled: `access.gone` (no such job), `cancel.not_yours` or
    `cancel.too_late` (it already started)."""


@dataclass(frozen=True)
class JobRequest:
    """One member's ask, as the Discord layer hands it over: the options exactly as the member
    gave them (the server's policy is applied when it is reserved), and where it was made
    (`parent_channel_id`: the channel a thread belongs to)."""

    guild_id: int | None
    channel_id: int
    user_id: int
    options: VideoOptions
    role_ids: tuple[int, ...] = ()
    explicit_mode: bool = True
    parent_job_id: str | None = None
    thread_id: int | None = None
    parent_channel_id: int | None = None


def new_job_id() -> str:
    """20 hex characters: fits a Discord nonce (25) and a custom id with room to spare."""
    return secrets.token_hex(10)


class Reservations:
    """Prices requests and holds (or gives back) their credits."""

    def __init__(self, *, store: Store, policy: ServerPolicy, capabilities: CapabilityTable,
                 costs: CostTable, quota: QuotaBook, balance: BalancePause, failures: Failures,
                 slot_freed: Callable[[], object], queue_timeout_seconds: float,
                 clock: Clock) -> None:
        self.store = store
        self.policy = policy
        self.capabilities = capabilities
        self.costs = costs
        self.quota = quota
        self.balance = balance
        self.failures = failures
        self.slot_freed = slot_freed
        self.queue_timeout_seconds = queue_timeout_seconds
        self.clock = clock

    def price(self, request: JobRequest) -> tuple[ValidatedRequest, int]:
        """Validate and price a request as it stands (no server policy) without touching the
        ledger."""
        validated = validate(request.options, self.capabilities,
                             explicit_mode=request.explicit_mode)
        return validated, self.costs.cost(validated.model, validated.mode, validated.duration)

    def check(self, request: JobRequest) -> None:
        """Validate, before anything is read or spent, a request the server's settings cannot
        change (an Extend), so its errors can be answered at once. Others wait for `reserve`,
        which validates them with the server's defaults filled in."""
        if not takes_defaults(request.options):
            self.price(request)

    async def reserve(self, request: JobRequest) -> Job:
        """Apply the server's policy, validate and price the request, resolve the member's
        limit and the period, and hold the credits and write the job (QUEUED) in one store
        transaction. No Discord or Kling I/O (but a once-only moderator alert); raises
        `NotAllowedHere`, `InvalidOptions`, `QuotaExceeded` or `KlingPaused` before anything
        is spent."""
        settings = await load_guild_settings(self.store, request.guild_id)
        options = await self.policy.apply(request.guild_id, request.channel_id,
                                          request.parent_channel_id, request.options, settings)
        if self.balance.reason is not None:
            raise KlingPaused()
        validated, cost = self.price(replace(request, options=options))
        job = self._new_job(request, validated, cost)
        period = self.quota.period(job.created_at, settings)
        limit = await self.quota.limit_for(request.guild_id, request.user_id, request.role_ids,
                                           settings)
        reservation = await self.store.reserve_job(job, limit=limit.credits,
                                                   period_start=period.start,
                                                   server_cap=settings.server_cap)
        if not reservation.accepted:
            raise QuotaExceeded.from_reservation(reservation, cost, period, settings.server_cap)
        metrics.CREDITS.labels(kind="held").inc(cost)
        log.info("Job %s reserved: %s %s/%s %ss, %d credits, user %s", job.id, job.action,
                 job.model, job.mode or "-", job.duration, cost, job.user_id)
        return job

    def _new_job(self, request: JobRequest, validated: ValidatedRequest, cost: int) -> Job:
        now = self.clock()
        return Job(
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
            deadline_at=now + self.queue_timeout_seconds,
            parent_job_id=request.parent_job_id,
            thread_id=request.thread_id,
        )

    async def cancel(self, job_id: str, actor_id: int, *, is_moderator: bool) -> Job:
        """Cancel a queued job with a full refund. Raises `JobNotCancellable`."""
        job = await self.store.get_job(job_id)
        if job is None:
            raise JobNotCancellable("access.gone")
        if actor_id != job.user_id and not is_moderator:
            raise JobNotCancellable("cancel.not_yours")
        if not await self.failures.fail(job, "failed.cancelled", code="cancelled",
                                        expected=(JobState.QUEUED,), user_id=actor_id):
            raise JobNotCancellable("cancel.too_late")
        self.slot_freed()  # the jobs behind it move up
        return await self.store.get_job(job_id) or job


class Announcer:
    """Posts a reserved job's status card, and stores where it went."""

    def __init__(self, *, store: Store, notifier: JobNotifier, failures: Failures) -> None:
        self.store = store
        self.notifier = notifier
        self.failures = failures

    async def announce(self, job: Job) -> bool:
        """Post the job's card. False when the job cannot be delivered where it was asked for
        (it is then failed and refunded before it runs)."""
        try:
            placement = await self.notifier.announce(job)
        except CannotPostHere as exc:
            log.warning("Job %s: cannot post in channel %s (%s)", job.id, job.channel_id, exc)
            await self.failures.fail(job, "failed.cannot_post", code="cannot_post",
                                     cause=exc.code)
            return False
        except Exception:
            # A passing Discord fault: the job goes on, and its result is retried later.
            log.exception("Job %s: could not post its status card", job.id)
            return True
        await self.store.update(job.id, (*UNFINISHED, JobState.SUCCEEDED, JobState.FAILED),
                                status_message_id=placement.status_message_id,
                                thread_id=placement.thread_id or job.thread_id)
        return True
