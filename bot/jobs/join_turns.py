"""How many Joins run at once. A Join downloads every part of its story and encodes them
together: its disk, network and CPU grow with the story. So at most `total` Joins run at once in
the process, at most `per_member` of them a member's; a press beyond either is refused at once
(`access.join_busy`), never queued, so nothing piles up on disk while it waits. Each Join
downloads its parts only once it has its turn, one at a time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from bot.errors import DomainError


class JoinsBusy(DomainError):
    """Too many Joins run now (`access.join_busy`): the member may try again in a moment."""


class JoinTurns:
    """The Joins running now in this process, in all and by member."""

    def __init__(self, *, total: int, per_member: int) -> None:
        self.total = max(1, total)
        self.per_member = max(1, per_member)
        self._running: Counter[int] = Counter()

    @property
    def running(self) -> int:
        """How many Joins run now."""
        return sum(self._running.values())

    @contextmanager
    def turn(self, user_id: int) -> Iterator[None]:
        """A Join's turn for `user_id`, for the block. Raises `JoinsBusy`."""
        if self.running >= self.total or self._running[user_id] >= self.per_member:
            raise JoinsBusy("access.join_busy")
        self._running[user_id] += 1
        try:
            yield
        finally:
            self._running[user_id] -= 1
            if not self._running[user_id]:
                del self._running[user_id]
