"""The store's part of the member extras, on both backends: a member's newest jobs
(/video history), their own settings (/video notify) and a job's spoiler flag."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import MemberPreferences, Store, make_store
from tests.bot.store.test_backends import ALICE, BOB, GUILD, new_job, reserve


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = make_store(database_url)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def test_member_jobs_are_the_members_newest_in_this_server(store: Store) -> None:
    mine = [new_job(ALICE, created=1000.0 + n) for n in range(30)]
    for job in [*mine, new_job(BOB, created=5000.0), new_job(ALICE, guild=GUILD + 1,
                                                                 created=6000.0)]:
        assert await reserve(store, job)
    shown = await store.member_jobs(GUILD, ALICE, limit=25)
    assert [j.id for j in shown] == [j.id for j in reversed(mine)][:25]
    assert await store.member_jobs(GUILD, 999) == []


async def test_a_jobs_spoiler_flag_is_kept(store: Store) -> None:
    hidden, shown = new_job(ALICE), new_job(ALICE)
    hidden.spoiler = True
    for job in (hidden, shown):
        assert await reserve(store, job)
    assert (await store.get_job(hidden.id)).spoiler is True  # type: ignore[union-attr]
    assert (await store.get_job(shown.id)).spoiler is False  # type: ignore[union-attr]


async def test_member_preferences_default_set_and_change(store: Store) -> None:
    assert await store.member_preferences(GUILD, ALICE) == MemberPreferences()
    await store.set_member_preferences(GUILD, ALICE, MemberPreferences(True, "ko"))
    assert await store.member_preferences(GUILD, ALICE) == MemberPreferences(True, "ko")
    assert await store.member_preferences(GUILD + 1, ALICE) == MemberPreferences()
    await store.set_member_preferences(GUILD, ALICE, MemberPreferences(False, "en"))
    assert await store.member_preferences(GUILD, ALICE) == MemberPreferences(False, "en")
