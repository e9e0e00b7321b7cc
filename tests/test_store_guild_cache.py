"""A server's settings, prompt filters and role limits, kept in memory by the store
(`bot.store.guild_cache`), on both backends.

Two store objects on one database are two bot processes. A change applies at once in the
process that made it; the other sees it once its kept copy is older than the TTL (the cache's
clock is a counter the test moves: nothing here waits).
"""

from __future__ import annotations

from bot.store import FilterRow, Store
from bot.store.sql_base import SqlPrimitives
from tests.support import StoreFactory

GUILD = 7
ROLE = 55



class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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
