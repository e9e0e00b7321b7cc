"""A server's settings, prompt filters and role limits, kept in memory a few seconds by the store
(`bot.store.guild_cache`), never past a change.

The cache alone first; then the store's use of it on both backends, where two store objects on
one database are two bot processes: a change applies at once in the process that made it, and
the other sees it once its kept copy is older than the TTL. The cache's clock is a counter the
test moves: nothing here waits.
"""

from __future__ import annotations

import asyncio

from bot.store import FilterRow, Store
from bot.store.guild_cache import GuildCache
from bot.store.sql_base import SqlPrimitives
from tests.support import StoreFactory

GUILD = 7
ROLE = 55


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


# The store's cache, on both backends --------------------------------------------------------------

def clocked(store: Store) -> Clock:
    """Put the store's cache on a clock the test moves."""
    assert isinstance(store, SqlPrimitives)
    clock = Clock()
    store.guild_cache.clock = clock
    return clock


async def test_a_change_applies_at_once_in_the_process_that_made_it(
        open_store: StoreFactory) -> None:
    store = await open_store()
    clocked(store)  # time stands still: only the change itself can refresh the rows
    assert await store.guild_settings(GUILD) == {}
    assert await store.prompt_filters(GUILD) == []
    assert await store.role_limits(GUILD) == {}
    await store.set_guild_setting(GUILD, "max_duration", 5)
    rule = FilterRow("fox", False, 1, 10.0)
    assert await store.add_prompt_filter(GUILD, rule)
    await store.set_role_limit(GUILD, ROLE, 40)
    assert await store.guild_settings(GUILD) == {"max_duration": 5}
    assert await store.prompt_filters(GUILD) == [rule]
    assert await store.role_limits(GUILD) == {ROLE: 40}
    await store.set_guild_setting(GUILD, "max_duration", None)
    assert await store.remove_prompt_filter(GUILD, "fox") == rule
    await store.set_role_limit(GUILD, ROLE, None)
    assert await store.guild_settings(GUILD) == {}
    assert await store.prompt_filters(GUILD) == []
    assert await store.role_limits(GUILD) == {}


async def test_another_process_sees_a_change_within_the_ttl(open_store: StoreFactory) -> None:
    here, there = await open_store(), await open_store()
    clock = clocked(here)
    ttl = here.guild_cache.ttl  # type: ignore[attr-defined]
    assert ttl <= 5.0, "README promises a change elsewhere is seen within seconds"
    assert await here.guild_settings(GUILD) == {}
    assert await here.prompt_filters(GUILD) == []
    await there.set_guild_setting(GUILD, "allow_4k", False)
    assert await there.add_prompt_filter(GUILD, FilterRow("fox", False, 1, 10.0))
    clock.now += ttl / 2
    assert await here.guild_settings(GUILD) == {}, "kept: read again only after the TTL"
    clock.now += ttl / 2
    assert await here.guild_settings(GUILD) == {"allow_4k": False}
    assert [rule.pattern for rule in await here.prompt_filters(GUILD)] == ["fox"]


async def test_what_a_caller_gets_is_its_own_copy(open_store: StoreFactory) -> None:
    store = await open_store()
    clocked(store)
    await store.set_guild_setting(GUILD, "allowed_channel_ids", [1, 2])
    got = await store.guild_settings(GUILD)
    got["allowed_channel_ids"].append(3)
    got["language"] = "ko"
    assert await store.guild_settings(GUILD) == {"allowed_channel_ids": [1, 2]}
