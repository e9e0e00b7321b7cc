"""The pending omni references in the store, on both backends: kept per member and server in
order, once each, up to the limit, until they expire or are cleared; and shared by two store
objects on one database (two processes)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.references import FoundImage, PendingReferences
from bot.store import PendingReference, Store, make_store

GUILD, OTHER_GUILD = 7, 8
ALICE, BOB = 100, 200


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[Store, Store]]:
    first, second = make_store(database_url), make_store(database_url)
    await first.open()
    await second.open()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


def found(*names: str) -> list[FoundImage]:
    return [FoundImage(f"https://cdn.example/{name}", name) for name in names]


async def test_references_are_kept_in_order_once_each_up_to_the_limit(
        stores: tuple[Store, Store]) -> None:
    clock = Clock()
    refs = PendingReferences(stores[0], clock, ttl=600, limit=4)
    first = await refs.add(GUILD, ALICE, found("a.png", "b.png"))
    assert (first.added, first.left_out) == (2, 0)
    clock.now += 1
    second = await refs.add(GUILD, ALICE, found("b.png", "c.png", "d.png", "e.png"))
    assert (second.added, second.left_out) == (2, 1)  # b.png again; e.png past the limit
    assert [r.filename for r in second.pending] == ["a.png", "b.png", "c.png", "d.png"]
    # Another member's set, and the same member's in another server, are their own.
    assert await refs.pending(GUILD, BOB) == []
    assert await refs.pending(OTHER_GUILD, ALICE) == []
    # A second process sees the same set.
    other = PendingReferences(stores[1], clock)
    assert [r.filename for r in await other.pending(GUILD, ALICE)] == [
        "a.png", "b.png", "c.png", "d.png"]


async def test_references_expire_and_can_be_cleared(stores: tuple[Store, Store]) -> None:
    clock = Clock()
    refs = PendingReferences(stores[0], clock, ttl=600)
    await refs.add(GUILD, ALICE, found("a.png"))
    clock.now += 300
    await refs.add(GUILD, ALICE, found("b.png"))
    await refs.add(GUILD, BOB, found("x.png"))
    clock.now += 301  # a.png is 601 s old
    assert [r.filename for r in await refs.pending(GUILD, ALICE)] == ["b.png"]
    # An expired image can be set aside again, as new.
    again = await refs.add(GUILD, ALICE, found("a.png"))
    assert again.added == 1 and [r.filename for r in again.pending] == ["b.png", "a.png"]
    await PendingReferences(stores[1], clock).clear(GUILD, ALICE)
    assert await refs.pending(GUILD, ALICE) == []
    assert [r.filename for r in await refs.pending(GUILD, BOB)] == ["x.png"]


async def test_the_store_keeps_what_it_is_given(stores: tuple[Store, Store]) -> None:
    ref = PendingReference(url="https://cdn.example/a.png?ex=1&hm=2", filename="a.png",
                           added_at=10.5, expires_at=610.5)
    assert await stores[0].add_references(GUILD, ALICE, [ref], now=11.0, limit=7) == [ref]
    assert await stores[1].pending_references(GUILD, ALICE, 610.0) == [ref]
    assert await stores[1].pending_references(GUILD, ALICE, 610.5) == []
    assert await stores[0].clear_references(GUILD, ALICE) == 1
