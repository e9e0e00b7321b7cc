"""A server's settings, prompt filters and role limits, kept in memory for a few seconds.

Every reservation reads all three, before its transaction, and moderators change them rarely;
read per job, they were three of a reservation's trips to the database. The store keeps them per
server for `TTL` seconds and forgets a server's the moment this process changes any of them
(the store's own writes call `forget`), so a moderator's change applies to the next job at once
in the process that made it. Another process sharing the database (PostgreSQL, README "Running
at scale") sees it within `TTL` seconds: each process serves its own shards' servers, whose
moderators' commands reach that same process, so this delay is only met by a change made
elsewhere (another shard's process, a script on the database).

A read that was under way when the server's rows changed does not fill the cache with what it
read (each server has a generation, bumped by `forget`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

TTL = 3.0  # seconds another process's change may go unseen here
# Past this many entries, expired ones are dropped when a new one is stored.
PRUNE_ABOVE = 4096


class GuildCache:
    """Rows of one kind per server (`kind`: "settings", "filters", "roles"), for `ttl`
    seconds on `clock`."""

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[tuple[str, int], tuple[float, Any]] = {}
        self._generations: dict[int, int] = {}

    async def read(self, kind: str, guild_id: int, load: Callable[[], Awaitable[T]]) -> T:
        """The server's `kind` rows: kept ones younger than the TTL, else `load()`ed (and
        kept unless the server's rows changed meanwhile). Callers must not change what they
        get: it may be the kept object."""
        now = self.clock()
        kept = self._entries.get((kind, guild_id))
        if kept is not None and now - kept[0] < self.ttl:
            value: T = kept[1]
            return value
        generation = self._generations.get(guild_id, 0)
        value = await load()
        if self._generations.get(guild_id, 0) == generation:
            if len(self._entries) > PRUNE_ABOVE:
                self._prune(now)
            self._entries[(kind, guild_id)] = (now, value)  # dated from before the read
        return value

    def forget(self, guild_id: int) -> None:
        """The server's rows changed: read them again next time."""
        self._generations[guild_id] = self._generations.get(guild_id, 0) + 1
        for kind in [kind for kind, guild in self._entries if guild == guild_id]:
            del self._entries[(kind, guild_id)]

    def _prune(self, now: float) -> None:
        for key in [key for key, (at, _) in self._entries.items() if now - at >= self.ttl]:
            del self._entries[key]
