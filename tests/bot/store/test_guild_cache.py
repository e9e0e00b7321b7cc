"""A server's settings, filters and role limits are kept a few seconds, never past a change.

The clock is a counter the test moves: nothing here waits.
"""

from __future__ import annotations

import asyncio

from bot.store.guild_cache import GuildCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_rows_are_kept_for_the_ttl_then_read_again() -> None:
    clock = Clock()
    cache = GuildCache(ttl=3.0, clock=clock)
    reads: list[int] = []

    async def load() -> int:
        reads.append(1)
        return len(reads)

    assert await cache.read("settings", 7, load) == 1
    clock.now += 2.9
    assert await cache.read("settings", 7, load) == 1
    assert await cache.read("settings", 8, load) == 2  # another server: its own rows
    clock.now += 0.2
    assert await cache.read("settings", 7, load) == 3


async def test_forget_drops_the_servers_rows_at_once() -> None:
    cache = GuildCache(ttl=3.0, clock=Clock())
    value = {"settings": "old", "filters": "old"}

    async def load(kind: str) -> str:
        return value[kind]

    for kind in value:
        assert await cache.read(kind, 7, lambda kind=kind: load(kind)) == "old"
    value = {"settings": "new", "filters": "new"}
    cache.forget(7)
    for kind in value:
        assert await cache.read(kind, 7, lambda kind=kind: load(kind)) == "new"


async def test_a_read_under_way_during_a_change_is_not_kept() -> None:
    cache = GuildCache(ttl=3.0, clock=Clock())
    started, finish = asyncio.Event(), asyncio.Event()
    answers = iter(["read before the change", "read after it"])

    async def slow_load() -> str:
        started.set()
        await finish.wait()
        return next(answers)

    stale = asyncio.create_task(cache.read("filters", 7, slow_load))
    await started.wait()
    cache.forget(7)  # the rows changed while the read was under way
    finish.set()
    assert await stale == "read before the change"
    assert await cache.read("filters", 7, slow_load) == "read after it"
