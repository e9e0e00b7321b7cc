"""Credits: what a job costs and how much a member may spend per period.

Costs are a table (`costs.json`, or the operator's `CREDIT_COSTS_FILE`) because they follow the
provider's bill: pro and longer videos cost more. The ledger in the store is the truth about
spend; this module only computes prices, limits and period boundaries.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from bot.texts import text


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


class QuotaExceeded(Exception):
    """The member's credits do not cover the job. The message says when they come back."""

    def __init__(self, cost: int, remaining: int, limit: int, resets_at: float) -> None:
        self.cost = cost
        self.remaining = remaining
        self.limit = limit
        self.resets_at = resets_at
        super().__init__(text("quota.exceeded", cost=cost, remaining=remaining, limit=limit,
                              reset=f"<t:{int(resets_at)}:R>"))


@dataclass(frozen=True)
class Period:
    start: float
    end: float


@dataclass(frozen=True)
class QuotaPolicy:
    """A flat per-member daily allowance, reset at a fixed UTC hour.

    The fuller rules (roles, server caps, bonuses) build on the same two questions: which
    period are we in, and what is this member's limit in it.
    """

    credits_per_period: int
    reset_hour_utc: int = 0

    def period(self, now: float) -> Period:
        moment = datetime.fromtimestamp(now, UTC)
        start = moment.replace(hour=self.reset_hour_utc, minute=0, second=0, microsecond=0)
        if start > moment:
            start -= timedelta(days=1)
        return Period(start.timestamp(), (start + timedelta(days=1)).timestamp())

    def limit_for(self, guild_id: int | None, user_id: int) -> int:
        return self.credits_per_period
