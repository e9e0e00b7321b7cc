"""Where prompt filter checks run: their own small pool of threads, shared fairly by servers.

A check runs off the event loop (patterns are matched with the interpreter lock released),
but not in asyncio's default thread pool, which the rest of the process shares: a server with
slow rules would fill it. Here each server runs at most `PER_SERVER` checks at once (the rest
wait their turn in that server's own line), so one server's slow rules take at most that many
of the `WORKERS` threads, and another server's trivial check finds a free one. Each check is
itself bounded in time (`filters.CHECK_BUDGET`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

WORKERS = 4
PER_SERVER = 1


class _Line:
    """One server's turn-taking: a semaphore and how many checks hold or wait for it."""

    def __init__(self) -> None:
        self.slots = asyncio.Semaphore(PER_SERVER)
        self.users = 0


class FilterChecks:
    """The bounded pool prompt filter checks run on, with one line per server."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prompt-filter")
        self._lines: dict[int, _Line] = {}

    async def run(self, guild_id: int, work: Callable[..., T], *args: object) -> T:
        """Run blocking `work(*args)` on the pool in the server's turn. The server's slot is
        held until the work itself ends, even if the caller stops waiting for it."""
        line = self._lines.setdefault(guild_id, _Line())
        line.users += 1
        released = False

        def release(done: asyncio.Future[T] | None = None) -> None:
            nonlocal released
            if done is not None and not done.cancelled():
                done.exception()  # read, so a caller that stopped waiting logs nothing
            if not released:
                released = True
                line.slots.release()
                line.users -= 1
                if line.users == 0 and self._lines.get(guild_id) is line:
                    del self._lines[guild_id]

        try:
            await line.slots.acquire()
        except BaseException:
            line.users -= 1
            if line.users == 0 and self._lines.get(guild_id) is line:
                del self._lines[guild_id]
            raise
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._pool, functools.partial(work, *args))
        except BaseException:
            release()
            raise
        future.add_done_callback(release)
        return await asyncio.shield(future)

    def close(self) -> None:
        """Stop taking checks; the ones waiting are dropped (the process is ending)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
