"""Credits: what a job costs, what a member may spend, and when their allowance resets.

Costs are a table (`costs.json`, or the operator's `CREDIT_COSTS_FILE`) because they follow the
provider's bill: pro, 4k, longer videos and sound cost more, and some models more than others.
A member's limit resolves as: their own setting > the best of their roles > the server's
default > the bot's default. The ledger in the
store is the truth about spend; this module computes prices, limits and periods, and the store's
`reserve_job` checks them in one transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from bot.errors import DomainError
from bot.guild_settings import GuildSettings
from bot.store import Block, JobStore, LedgerStore, Reservation, SettingsStore

LimitSource = Literal["member", "role", "server", "bot"]
T = TypeVar("T")


Rate = Fraction  # credits, exactly: 0.2 per second stays 1/5, and 5 s cost exactly 1
NO_RATE = Rate(0)


def _rate(value: Any) -> Rate:
    """A price from the table: a whole or decimal number (read from its text, so 0.1 is 1/10
    and not the float nearest to it), never negative."""
    rate = Fraction(str(value))
    if rate < 0:
        raise ValueError(f"a price may not be negative: {value!r}")
    return rate


@dataclass(frozen=True)
class Rates:
    """How one model (or every model) is priced: `by_mode` credits per block of
    `block_seconds` seconds (1: per second; 5: the old table's "per 5 seconds, rounded up"),
    plus `audio_per_second` for every second of a video with sound. Single-mode models are
    priced under the mode "single"."""

    by_mode: dict[str, Rate]
    block_seconds: int = 1
    audio_per_second: Rate = NO_RATE

    def price(self, mode: str | None, duration: int, audio: bool) -> Rate:
        """The exact price before any model multiplier: whole blocks (at least one) at the mode's
        rate, plus sound by the second. An unknown mode is priced as "single", else 1 per block."""
        unit = self.by_mode.get(mode or "single", self.by_mode.get("single", Rate(1)))
        blocks = max(1, math.ceil(duration / self.block_seconds))
        seconds = blocks * self.block_seconds
        return unit * blocks + (self.audio_per_second * seconds if audio else Rate(0))


@dataclass(frozen=True)
class CostTable:
    """Credits for a job, as the bill goes: by mode (4k too), by second, with sound, by model
    (`model_rates` replaces the rates for one model; `model_multiplier` multiplies its price).
    The total is rounded up to whole credits, and every job costs at least one."""

    rates: Rates
    model_multiplier: dict[str, Rate] = field(default_factory=dict)
    model_rates: dict[str, Rates] = field(default_factory=dict)

    def cost(self, model: str, mode: str | None, duration: int, *, audio: bool = False
             ) -> int:
        """Whole credits for one job, at least 1: the model's own rates if it has any, times its
        multiplier, rounded up."""
        rates = self.model_rates.get(model, self.rates)
        price = rates.price(mode, duration, audio) * self.model_multiplier.get(model, Rate(1))
        return max(1, math.ceil(price))

    def named(self, resolve: Callable[[str], str | None]) -> CostTable:
        """The table with the models named by their wire names (`resolve`: the capability
        table's), so an operator may price a model under an alias (`kling-video-o1`)."""
        def wire(entries: dict[str, T]) -> dict[str, T]:
            return {resolve(name) or name: value for name, value in entries.items()}

        return replace(self, model_multiplier=wire(self.model_multiplier),
                       model_rates=wire(self.model_rates))


def parse_rates(raw: dict[str, Any], *, inherit: Rates | None = None) -> Rates:
    """Rates from a table (or one model's entry): `per_second` (credits per second, by mode)
    or the old `base` (credits per `per_seconds`-second block, by mode; default 5 s), and
    `audio_per_second`. A model's entry inherits what it does not say from `inherit`."""
    if "per_second" in raw:
        by_mode, block = raw["per_second"], 1
    elif "base" in raw:
        by_mode, block = raw["base"], int(raw.get("per_seconds", 5))
    elif inherit is not None:
        return replace(inherit, audio_per_second=_rate(
            raw.get("audio_per_second", inherit.audio_per_second)))
    else:
        raise ValueError("the cost table needs `per_second` (or the older `base`)")
    if block < 1:
        raise ValueError(f"per_seconds must be at least 1, not {block}")
    fallback = inherit.audio_per_second if inherit is not None else 0
    return Rates(by_mode={str(k): _rate(v) for k, v in by_mode.items()}, block_seconds=block,
                 audio_per_second=_rate(raw.get("audio_per_second", fallback)))


def parse_costs(raw: dict[str, Any]) -> CostTable:
    """The cost table from its JSON form (`costs.json`'s shape). Read when the engine is
    assembled, so a malformed operator table (`ValueError`) stops the bot at start, not at the
    first job."""
    rates = parse_rates(raw)
    return CostTable(
        rates=rates,
        model_multiplier={str(k): _rate(v) for k, v in raw.get("model_multiplier", {}).items()},
        model_rates={str(k): parse_rates(v, inherit=rates)
                     for k, v in raw.get("models", {}).items()},
    )


def load_costs(path: Path | None = None) -> CostTable:
    """The operator's table when `path` is given (old tables with `base`/`per_seconds` load
    as they always priced), else the one shipped with the bot."""
    if path is not None:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    else:
        raw = json.loads(resources.files("bot").joinpath("costs.json").read_text("utf-8"))
    return parse_costs(raw)


class QuotaExceeded(DomainError):
    """The job may not be paid for now. The code says which rule refused it: `quota.exceeded`
    (the member's limit), `quota.server_cap` (the server's cap) or `quota.blocked`; the params
    say until when, as a UNIX timestamp (`resets_at`), and with what."""

    def __init__(self, code: str, params: dict[str, Any], *, cost: int = 0, remaining: int = 0,
                 limit: int = 0, resets_at: float = 0.0) -> None:
        super().__init__(code, params)
        self.cost = cost
        self.remaining = remaining
        self.limit = limit
        self.resets_at = resets_at

    @classmethod
    def from_reservation(cls, reservation: Reservation, cost: int, period: Period,
                         server_cap: int | None) -> QuotaExceeded:
        """The refusal for a reservation the store turned down, with the code of the rule that
        refused it (block, server cap, or the member's limit)."""
        resets_at = int(period.end)
        remaining = max(0, reservation.limit - reservation.spent_before)
        params: dict[str, Any]
        if reservation.refusal == "blocked":
            code, params = "quota.blocked", {"reason": reservation.block_reason or ""}
        elif reservation.refusal == "server":
            code, params = "quota.server_cap", {"cap": server_cap or 0, "resets_at": resets_at}
        else:
            code, params = "quota.exceeded", {"cost": cost, "remaining": remaining,
                                              "limit": reservation.limit,
                                              "resets_at": resets_at}
        return cls(code, params, cost=cost, remaining=remaining, limit=reservation.limit,
                   resets_at=period.end)


@dataclass(frozen=True)
class Period:
    """One allowance period as UNIX timestamps: spend counts from `start`; a new allowance begins at
    `end`."""

    start: float
    end: float


def period_at(now: float, reset_hour_utc: int) -> Period:
    """The day-long period containing `now` that starts at `reset_hour_utc`."""
    moment = datetime.fromtimestamp(now, UTC)
    start = moment.replace(hour=reset_hour_utc, minute=0, second=0, microsecond=0)
    if start > moment:
        start -= timedelta(days=1)
    return Period(start.timestamp(), (start + timedelta(days=1)).timestamp())


@dataclass(frozen=True)
class MemberLimit:
    """A member's limit per period and where it came from, so a member can be told why it is what it
    is."""

    credits: int
    source: LimitSource


@dataclass(frozen=True)
class MemberStatus:
    """What `/quota` shows a member: limit, spend this period, any block, and their jobs under
    way."""

    limit: MemberLimit
    spent: int
    period: Period
    block: Block | None
    running: int
    queued: int

    @property
    def remaining(self) -> int:
        """Credits left this period, never below zero."""
        return max(0, self.limit.credits - self.spent)


class QuotaStore(JobStore, LedgerStore, SettingsStore, Protocol):
    """What a member's standing reads: limits and blocks, the ledger's spend, unfinished jobs."""


class QuotaBook:
    """Resolves limits and periods from the bot's defaults and each server's settings."""

    def __init__(self, store: QuotaStore, *, bot_default: int, bot_reset_hour: int) -> None:
        self.store = store
        self.bot_default = bot_default
        self.bot_reset_hour = bot_reset_hour

    def period(self, now: float, settings: GuildSettings) -> Period:
        """The period containing `now`, at the server's reset hour, else the bot's."""
        hour = settings.reset_hour_utc if settings.reset_hour_utc is not None else (
            self.bot_reset_hour)
        return period_at(now, hour)

    async def limit_for(self, guild_id: int | None, user_id: int, role_ids: tuple[int, ...],
                        settings: GuildSettings) -> MemberLimit:
        """The member's limit: their own setting, else the best of their roles, else the server's
        default, else the bot's. Outside a server (a DM) only the bot's default applies."""
        if guild_id is None:
            return MemberLimit(self.bot_default, "bot")
        own = await self.store.member_limit(guild_id, user_id)
        if own is not None:
            return MemberLimit(own, "member")
        roles = await self.store.role_limits(guild_id)
        role_credits = [roles[r] for r in role_ids if r in roles]
        if role_credits:
            return MemberLimit(max(role_credits), "role")
        if settings.default_credits is not None:
            return MemberLimit(settings.default_credits, "server")
        return MemberLimit(self.bot_default, "bot")

    async def status(self, guild_id: int | None, user_id: int, role_ids: tuple[int, ...],
                     settings: GuildSettings, now: float) -> MemberStatus:
        """The member's status at `now` (a DM counts as server 0)."""
        guild = guild_id or 0
        period = self.period(now, settings)
        counts = await self.store.member_job_counts(guild, user_id)
        return MemberStatus(
            limit=await self.limit_for(guild_id, user_id, role_ids, settings),
            spent=await self.store.credits_spent(guild, user_id, period.start),
            period=period,
            block=await self.store.block(guild, user_id),
            running=counts.get("reserved", 0) + counts.get("submitted", 0),
            queued=counts.get("queued", 0),
        )
