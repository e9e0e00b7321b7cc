"""Credits: what a job costs, what a member may spend, and when their allowance resets.

Costs are a table (`costs.json`, or the operator's `CREDIT_COSTS_FILE`) because they follow the
provider's bill: pro and longer videos cost more. A member's limit resolves as: their own
setting > the best of their roles > the server's default > the bot's default. The ledger in the
store is the truth about spend; this module computes prices, limits and periods, and the store's
`reserve_job` checks them in one transaction.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from bot.errors import DomainError
from bot.guild_settings import GuildSettings
from bot.store import Block, Reservation, Store

LimitSource = Literal["member", "role", "server", "bot"]


@dataclass(frozen=True)
class CostTable:
    base: dict[str, int]
    per_seconds: int
    model_multiplier: dict[str, int]

    def cost(self, model: str, mode: str | None, duration: int) -> int:
        """Credits for one job; single-mode models are priced under the key "single"."""
        unit = self.base.get(mode or "single", self.base.get("single", 1))
        blocks = max(1, math.ceil(duration / self.per_seconds))
        return unit * blocks * self.model_multiplier.get(model, 1)


def load_costs(path: Path | None = None) -> CostTable:
    if path is not None:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    else:
        raw = json.loads(resources.files("bot").joinpath("costs.json").read_text("utf-8"))
    return CostTable(
        base={str(k): int(v) for k, v in raw["base"].items()},
        per_seconds=int(raw.get("per_seconds", 5)),
        model_multiplier={str(k): int(v) for k, v in raw.get("model_multiplier", {}).items()},
    )


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
    credits: int
    source: LimitSource


@dataclass(frozen=True)
class MemberStatus:
    limit: MemberLimit
    spent: int
    period: Period
    block: Block | None
    running: int
    queued: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit.credits - self.spent)


class QuotaBook:
    """Resolves limits and periods from the bot's defaults and each server's settings."""

    def __init__(self, store: Store, *, bot_default: int, bot_reset_hour: int) -> None:
        self.store = store
        self.bot_default = bot_default
        self.bot_reset_hour = bot_reset_hour

    def period(self, now: float, settings: GuildSettings) -> Period:
        hour = settings.reset_hour_utc if settings.reset_hour_utc is not None else (
            self.bot_reset_hour)
        return period_at(now, hour)

    async def limit_for(self, guild_id: int | None, user_id: int, role_ids: tuple[int, ...],
                        settings: GuildSettings) -> MemberLimit:
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
