"""How the bot is doing, as one value (`EngineStatus`): `Engine.status()` builds it, and both
`/healthz` and `/klingbot status` read it, so the two never disagree about what "healthy" is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EngineStatus:
    """A snapshot of the bot's health, taken once and read by every status page."""

    job_counts: Mapping[str, int]  # jobs by state; empty when the store is unreachable
    store_reachable: bool
    poller_last_tick: float | None  # when the poller last ticked (the engine's clock)
    poller_current: bool  # it ticked recently enough to be taken as alive
    kling_paused: bool  # new jobs are refused: the Kling balance is used up
    readiness: Mapping[str, bool]  # checks of the edge, e.g. {"discord": True}

    @property
    def checks(self) -> dict[str, bool]:
        """Every check by name: the store, the poller, then the edge's."""
        return {"store": self.store_reachable, "poller": self.poller_current,
                **self.readiness}

    @property
    def healthy(self) -> bool:
        """Every check passes. A paused Kling does not count: the bot still answers and delivers."""
        return all(self.checks.values())
