"""The job counts by state, kept: `/metrics` and `/klingbot status` read them, and counting the
whole jobs table on every scrape would load the store's one reader with a scan per scraper
(with hundreds of thousands of jobs, the bot's own reads waited behind them).

A count is kept for `max_age` seconds. The first reader after that counts again and every reader
arriving meanwhile waits for that same count, so however many scrapers ask at once, the table is
counted at most once per interval, and never while nobody asks (no background scan on an idle
bot). `queries` says how many counts were made, for tests and benchmarks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from bot.clock import Clock


class JobCounts:
    """Jobs by state from `source` (the store's count), refreshed at most every `max_age`
    seconds of `clock`."""

    def __init__(self, source: Callable[[], Awaitable[Mapping[str, int]]], *, clock: Clock,
                 max_age: float) -> None:
        self.source = source
        self.clock = clock
        self.max_age = max_age
        self.queries = 0
        self._counts: dict[str, int] | None = None
        self._counted_at = 0.0
        self._pending: asyncio.Future[dict[str, int]] | None = None

    async def get(self) -> dict[str, int]:
        """The kept counts while fresh, else the one count under way (started if none is).
        A failed count is not kept: its readers get the error, the next reader tries again."""
        if self._counts is not None and self.clock() - self._counted_at < self.max_age:
            return dict(self._counts)
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._count())
            # Retrieved here, so a count that every reader gave up on logs no stray error.
            self._pending.add_done_callback(
                lambda done: None if done.cancelled() else done.exception())
        pending = self._pending
        # Shielded: a reader that gives up (a scraper's timeout) does not cancel the count
        # that the other readers wait for.
        return dict(await asyncio.shield(pending))

    async def _count(self) -> dict[str, int]:
        self.queries += 1
        try:
            counts = dict(await self.source())
            self._counts, self._counted_at = counts, self.clock()
            return counts
        finally:
            self._pending = None
