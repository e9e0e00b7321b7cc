"""A member's ask, from the command to the queue: the server's policy (`bot.policy`), then
validate and price it (no credit spent on a bad request), hold its credits and write the job in
one store transaction; and the way back out while it waits, a cancel with a full
refund. A job priced above the server's threshold is not reserved until the member confirmed
its price (`PriceNeedsConfirmation`, then `JobRequest.confirmed_cost`), and never for more than
that; `quote` prices a request on the same path without touching the ledger."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot import metrics
from bot.clock import Clock
from bot.community.filter_checks import FilterChecks
from bot.community.filters import check_prompt
from bot.errors import DomainError
from bot.guild_settings import GuildSettings, load_guild_settings
from bot.jobs.outcomes import Failures
from bot.jobs.pause import BalancePause, KlingPaused
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import EXTEND_MAX_AGE_DAYS, ValidatedRequest, VideoOptions
from bot.kling.validation import validate
from bot.policy import ServerPolicy, takes_defaults
from bot.publishing import refuse_removed
from bot.quotas import CostTable, QuotaBook, QuotaExceeded
from bot.store import (
    CommunityStore,
    Job,
    JobState,
    JobStore,
    LedgerStore,
    Reservation,
    SettingsStore,
)

log = logging.getLogger(__name__)


class ReservationStore(JobStore, LedgerStore, SettingsStore, CommunityStore, Protocol):
    """What a reservation reads and writes: the server's settings and prompt filters, the
    ledger's hold and the job it writes."""


class PriceRose(DomainError):
    """`quota.price_rose`: the job now costs more (`cost`) than the member confirmed
    (`confirmed`); nothing was reserved."""


class JobNotCancellable(DomainError):
    """The job cannot be cancelled: `access.gone` (no such job), `cancel.not_yours` or
    `cancel.too_late` (it already started)."""


# What a request runs as, as a price offer names it: model, mode, length (s), sound.
Terms = tuple[str, str | None, int, bool]


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
    # For review mode: when the member joined the server (UNIX time, None: unknown), and
    # whether they are staff (Manage Server), whom review never holds.
    joined_at: float | None = None
    staff: bool = False
    # An Extend: when Kling made the source video (it extends none older than 30 days).
    source_made_at: float | None = None
    # Post the result as a spoiler (kept on the job; an Extend inherits it).
    spoiler: bool = False
    # The price the member confirmed (a job above the server's threshold): a reservation that
    # would cost more (the server's defaults changed meanwhile) is refused, not charged.
    confirmed_cost: int | None = None
    # What the member confirmed it runs as (`Quote.terms`): a request the server's policy now
    # resolves differently is offered again (`OfferChanged`), not reserved.
    confirmed_terms: Terms | None = None


def needs_review(settings: GuildSettings, request: JobRequest, now: float) -> bool:
    """Whether the server's review mode holds this request for a moderator. Staff (Manage
    Server, the moderator role) and members with the trusted role are never held; without a
    log channel there is nobody to ask, so nothing is held."""
    if settings.review == "off" or settings.log_channel_id is None or request.guild_id is None:
        return False
    if request.staff or {settings.moderator_role_id, settings.trusted_role_id} & set(
            request.role_ids):
        return False
    if settings.review == "untrusted":
        return True
    # New members: joined less than N days ago (an unknown join time counts as new).
    if request.joined_at is None:
        return True
    return now - request.joined_at < settings.review_new_member_days * 86400


class SourceTooOld(DomainError):
    """Kling extends no video older than `days` days: refused before anything is spent."""

    def __init__(self) -> None:
        super().__init__("invalid.extend_too_old", {"days": EXTEND_MAX_AGE_DAYS})


@dataclass(frozen=True)
class Quote:
    """A request's price before anything is held: what it would run as and cost, and the
    server's confirmation threshold (`confirm_above`, None: the server asks for none)."""

    cost: int
    model: str
    mode: str | None
    duration: int
    confirm_above: int | None = None
    audio: bool = False

    @property
    def terms(self) -> Terms:
        """What the request runs as, which a confirmation confirms with the price."""
        return (self.model, self.mode, self.duration, self.audio)

    @property
    def needs_confirmation(self) -> bool:
        """Whether the member confirms the price before the job is reserved: it is above the
        server's threshold."""
        return self.confirm_above is not None and self.cost > self.confirm_above


def _quote(settings: GuildSettings, validated: ValidatedRequest, cost: int) -> Quote:
    return Quote(cost=cost, model=validated.model, mode=validated.mode,
                 duration=validated.duration, confirm_above=settings.confirm_above,
                 audio=validated.audio)


class PriceNeedsConfirmation(DomainError):
    """`quota.needs_confirmation`: the job costs more than the server's threshold and the
    member has not confirmed its price (`quote`); nothing was reserved. The Discord layer asks
    the member and requests it again with `confirmed_cost` set."""

    def __init__(self, quote: Quote) -> None:
        super().__init__("quota.needs_confirmation",
                         {"cost": quote.cost, "threshold": quote.confirm_above or 0})
        self.quote = quote


class OfferChanged(PriceNeedsConfirmation):
    """The member confirmed an offer, but the server's policy now resolves the request
    differently (its settings changed meanwhile): nothing was reserved; the Discord layer
    offers `quote` again, saying what changed from `confirmed`."""

    def __init__(self, quote: Quote, confirmed: Terms, confirmed_cost: int | None) -> None:
        super().__init__(quote)
        self.confirmed = confirmed
        self.confirmed_cost = confirmed_cost


def new_job_id() -> str:
    """20 hex characters: fits a Discord nonce (25) and a custom id with room to spare."""
    return secrets.token_hex(10)


class Reservations:
    """Prices requests and holds (or gives back) their credits."""

    def __init__(self, *, store: ReservationStore, policy: ServerPolicy,
                 capabilities: CapabilityTable, costs: CostTable, quota: QuotaBook,
                 balance: BalancePause, failures: Failures, slot_freed: Callable[[], object],
                 queue_timeout_seconds: float, clock: Clock, filter_checks: FilterChecks
                 ) -> None:
        self.store = store
        self.filter_checks = filter_checks
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
        return validated, self.costs.cost(validated.model, validated.mode, validated.duration,
                                          audio=validated.audio)

    def check_source_age(self, request: JobRequest) -> None:
        """Refuse an Extend of a video Kling would no longer extend (`SourceTooOld`)."""
        made = request.source_made_at
        if made is not None and self.clock() - made > EXTEND_MAX_AGE_DAYS * 86400:
            raise SourceTooOld()

    def check(self, request: JobRequest) -> None:
        """Validate, before anything is read or spent, a request the server's settings cannot
        change (an Extend), so its errors can be answered at once. Others wait for `reserve`,
        which validates them with the server's defaults filled in. An Extend's source must be
        young enough for Kling (`SourceTooOld`)."""
        self.check_source_age(request)
        if not takes_defaults(request.options):
            self.price(request)

    async def _priced(self, request: JobRequest
                      ) -> tuple[GuildSettings, ValidatedRequest, int]:
        """The one path from a member's ask to what would run and its price: the server's
        policy (channels, defaults, staff limits), its prompt filters, the pause, the source's
        removal by a moderator, validation, the cost table.
        `quote` and `reserve` both go through it, so a quoted price is the reserved one."""
        settings = await load_guild_settings(self.store, request.guild_id)
        options = await self.policy.apply(request.guild_id, request.channel_id,
                                          request.parent_channel_id, request.options, settings)
        # The server's prompt filters, before anything is spent (a story's shots are its prompt).
        prompt = options.story.text() if options.story is not None else options.prompt
        await check_prompt(self.filter_checks, self.store, request.guild_id,
                           (("prompt", prompt),
                            ("negative_prompt", options.negative_prompt)))
        if self.balance.reason is not None:
            raise KlingPaused()
        if request.parent_job_id is not None:  # nothing extends or continues a removed video
            parent = await self.store.get_job(request.parent_job_id)
            refuse_removed(*([parent] if parent is not None else []))
        self.check_source_age(request)
        validated, cost = self.price(replace(request, options=options))
        self.policy.check_allowed(validated, settings)
        return settings, validated, cost

    async def quote(self, request: JobRequest) -> Quote:
        """What the request would run as and cost, exactly as `reserve` would price it, with
        nothing held or written; raises what `reserve` raises before its ledger check."""
        settings, validated, cost = await self._priced(request)
        return _quote(settings, validated, cost)

    async def precheck(self, request: JobRequest) -> Quote:
        """`quote`, and the member's block and credits left now: for a flow that must do
        something public before it can reserve (Continue posts the frame it starts from), so
        a member who cannot pay is refused before anything is posted. The reservation checks
        again, atomically; this only spares the public step."""
        settings, validated, cost = await self._priced(request)
        status = await self.quota.status(request.guild_id, request.user_id, request.role_ids,
                                         settings, self.clock())
        refusal = ("blocked" if status.block is not None
                   else "member" if status.remaining < cost else None)
        if refusal is not None:
            # Worded as the reservation's own refusal would be.
            seen = Reservation(accepted=False, spent_before=status.spent,
                               limit=status.limit.credits, refusal=refusal,
                               block_reason=status.block.reason if status.block else None)
            raise QuotaExceeded.from_reservation(seen, cost, status.period, None)
        return _quote(settings, validated, cost)

    async def reserve(self, request: JobRequest) -> Job:
        """Apply the server's policy, validate and price the request, resolve the member's
        limit and the period, and hold the credits and write the job (QUEUED) in one store
        transaction. No Discord or Kling I/O (but a once-only moderator alert); raises
        `NotAllowedHere`, `NotAllowedByServer`, `InvalidOptions`, `PriceNeedsConfirmation`
        (above the server's threshold, not confirmed yet), `OfferChanged` (confirmed as
        something else), `PriceRose`, `QuotaExceeded` or
        `KlingPaused` before anything is spent."""
        settings, validated, cost = await self._priced(request)
        quote = _quote(settings, validated, cost)
        if request.confirmed_terms is not None and quote.terms != request.confirmed_terms:
            raise OfferChanged(quote, request.confirmed_terms, request.confirmed_cost)
        if request.confirmed_cost is None:
            if quote.needs_confirmation:
                raise PriceNeedsConfirmation(quote)
        elif cost > request.confirmed_cost:
            raise PriceRose("quota.price_rose", {"cost": cost,
                                                 "confirmed": request.confirmed_cost})
        job = self._new_job(request, validated, cost)
        if needs_review(settings, request, job.created_at):
            # Held for a moderator: credits held as for any job, not queued; refunded when
            # rejected or when nobody decides in time (the maintenance beat).
            job.state = JobState.REVIEW
            job.deadline_at = job.created_at + settings.review_timeout_minutes * 60
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
            spoiler=request.spoiler,
            notes=[{"code": note.code, "params": dict(note.params)}
                   for note in validated.notes] or None,
        )

    async def cancel(self, job_id: str, actor_id: int, *, is_moderator: bool) -> Job:
        """Cancel a queued job with a full refund. Raises `JobNotCancellable`."""
        job = await self.store.get_job(job_id)
        if job is None:
            raise JobNotCancellable("access.gone")
        if actor_id != job.user_id and not is_moderator:
            raise JobNotCancellable("cancel.not_yours")
        if not await self.failures.fail(job, "failed.cancelled", code="cancelled",
                                        expected=(JobState.QUEUED, JobState.REVIEW),
                                        user_id=actor_id):
            raise JobNotCancellable("cancel.too_late")
        self.slot_freed()  # the jobs behind it move up
        return await self.store.get_job(job_id) or job

