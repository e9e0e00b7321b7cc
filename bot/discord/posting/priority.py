"""Private answers before public work, under a burst of commands.

Each command's private confirmation costs its member a wait; its public work (the card, the
thread, the queue, Kling's create) is seen a moment later anyway. Sharing one event loop, a
burst's later confirmations would queue behind the earlier commands' public work, so that work
waits while any command of the burst is still between its acknowledgement and its
confirmation (at most `MAX_WAIT`, so a steady stream of commands cannot hold it back for long).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

MAX_WAIT = 1.0  # seconds


class ConfirmationsFirst:
    """Counts the commands waiting for their confirmation; public work waits for none."""

    def __init__(self) -> None:
        self.pending = 0
        self._idle: asyncio.Event | None = None

    def _event(self) -> asyncio.Event:
        if self._idle is None:
            self._idle = asyncio.Event()
            self._idle.set()
        return self._idle

    @contextlib.contextmanager
    def confirming(self) -> Iterator[None]:
        """Around one command's way to its confirmation (or its error)."""
        self.pending += 1
        self._event().clear()
        try:
            yield
        finally:
            self.pending -= 1
            if self.pending == 0:
                self._event().set()

    async def public_turn(self) -> None:
        """Wait until no command waits for its confirmation (or `MAX_WAIT` has passed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event().wait(), MAX_WAIT)
