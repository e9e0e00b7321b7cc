"""A member's ask, from the command to the queue: validate and price it (no credit spent on a
bad request), hold its credits and write the job in one store transaction, post its card; and
the way back out while it waits, a cancel with a full refund."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.guild_settings import load_guild_settings
from bot.jobs.notifier import CannotPostHere, JobNotifier
from bot.jobs.outcomes import Failures
from bot.jobs.pause import BalancePause, KlingPaused
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import ValidatedRequest, VideoOptions, validate
from bot.quotas import CostTable, QuotaBook, QuotaExceeded
from bot.store import UNFINISHED, Job, JobState, Store
from bot.texts import text

log = logging.getLogger(__name__)


class JobNotCancellable(Exception):
    """The job cannot be cancelled (not yours, or it already started); says why."""


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


class Reservations:
    """Prices requests and holds (or gives back) their credits."""

    def __init__(self, *, store: Store, capabilities: CapabilityTable, costs: CostTable,
                 quota: QuotaBook, balance: BalancePause, failures: Failures,
                 slot_freed: Callable[[], object], queue_timeout_seconds: float,
                 clock: Clock) -> None:
        self.store = store
        self.capabilities = capabilities
        self.costs = costs
        self.quota = quota
        self.balance = balance
        self.failures = failures
        self.slot_freed = slot_freed
        self.queue_timeout_seconds = queue_timeout_seconds
        self.clock = clock

    def price(self, request: JobRequest) -> tuple[ValidatedRequest, int]:
        """Validate and price a request without touching the ledger."""
        validated = validate(request.options, self.capabilities,
                             explicit_mode=request.explicit_mode)
        return validated, self.costs.cost(validated.model, validated.mode, validated.duration)

    async def reserve(self, request: JobRequest) -> Job:
        """Validate and price the request, resolve the member's limit and the period, and hold
        the credits and write the job (QUEUED) in one store transaction. No Discord or Kling
        I/O; raises `InvalidOptions`, `QuotaExceeded` or `KlingPaused` before anything is
        spent."""
        if self.balance.reason is not None:
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
            deadline_at=now + self.queue_timeout_seconds,
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

    async def cancel(self, job_id: str, actor_id: int, *, is_moderator: bool) -> Job:
        """Cancel a queued job with a full refund. Raises `JobNotCancellable`."""
        job = await self.store.get_job(job_id)
        if job is None:
            raise JobNotCancellable(text("access.gone"))
        if actor_id != job.user_id and not is_moderator:
            raise JobNotCancellable(text("cancel.not_yours"))
        if not await self.failures.fail(job, "failed.cancelled", code="cancelled",
                                        expected=(JobState.QUEUED,), user_id=actor_id):
            raise JobNotCancellable(text("cancel.too_late"))
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
                                     reason=str(exc))
            return False
        except Exception:
            # A passing Discord fault: the job goes on, and its result is retried later.
            log.exception("Job %s: could not post its status card", job.id)
            return True
        await self.store.update(job.id, (*UNFINISHED, JobState.SUCCEEDED, JobState.FAILED),
                                status_message_id=placement.status_message_id,
                                thread_id=placement.thread_id or job.thread_id)
        return True
