"""The two pauses Kling can impose. `BalancePause`: the operator's balance is used up, so new
jobs are refused for a while (then the next job finds out whether it was topped up, no restart
needed). `DispatchPause`: Kling asked us to slow down, so the fair queue starts nothing until
then. Each is one small object shared by the piece that starts it and the pieces that read it."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.errors import DomainError

log = logging.getLogger(__name__)

# How long new jobs are refused after Kling said the balance is used up.
BALANCE_PAUSE_SECONDS = 900.0


class KlingPaused(DomainError):
    """New jobs are refused because the operator's Kling balance is used up."""

    def __init__(self) -> None:
        super().__init__("kling.paused")


class BalancePause:
    """New jobs refused while Kling says the account is out of credit (rechecked after a
    while), so members are not charged for jobs that cannot run."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._reason: str | None = None
        self._until = 0.0

    @property
    def reason(self) -> str | None:
        """Why new jobs are refused (Kling's error code), while the pause lasts."""
        return self._reason if self._clock() < self._until else None

    def start(self, code: str) -> bool:
        """Kling said the balance is used up: pause (again) from now. True when no pause was
        running, i.e. the moderators have not been told yet."""
        first = self.reason is None
        self._reason = code
        self._until = self._clock() + BALANCE_PAUSE_SECONDS
        log.error("OPERATOR: Kling balance is used up (%s); new jobs are paused for %.0f "
                  "minutes", code, BALANCE_PAUSE_SECONDS / 60)
        return first


class DispatchPause:
    """Kling said slow down (429): no job is sent until the pause ends."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.until = 0.0

    @property
    def active(self) -> bool:
        """Whether sending is paused now."""
        return self._clock() < self.until

    def extend(self, seconds: float) -> None:
        """Start nothing for `seconds` from now (a running longer pause is kept)."""
        self.until = max(self.until, self._clock() + seconds)
