"""Reservations made together are written together, each judged on its own.

A burst of reservations on the SQLite store is group-committed (`bot.store.group_commit`): the
ones queued while a batch is written go in the next one, each checked against the credits of
those before it, and one that fails takes nobody else with it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.store import LedgerStatus, SQLiteStore, make_store
from bot.store.group_commit import GroupCommit
from testkit.store_reads import ledger_entry
from tests.builders import job as queued_job

GUILD, ALICE, BOB = 2, 100, 200


async def open_sqlite(tmp_path: Path) -> SQLiteStore:
    store = make_store(f"sqlite:///{tmp_path / 'bot.db'}")
    assert isinstance(store, SQLiteStore)
    await store.open()
    return store


async def test_a_burst_of_reservations_keeps_each_members_limit(tmp_path: Path) -> None:
    store = await open_sqlite(tmp_path)
    try:
        jobs = [replace(queued_job(f"{n:020d}", GUILD, ALICE if n % 2 else BOB, 0.0), cost=3,
                        callback_token=f"token-{n}") for n in range(20)]
        outcomes = await asyncio.gather(*(
            store.reserve_job(job, limit=10, period_start=0.0, server_cap=None)
            for job in jobs))
        # Ten each, three credits a job, a limit of ten: the first three of each member pass.
        for member in (ALICE, BOB):
            mine = [(job, outcome) for job, outcome in zip(jobs, outcomes, strict=True)
                    if job.user_id == member]
            assert [outcome.accepted for _, outcome in mine] == [True] * 3 + [False] * 7
            assert [outcome.spent_before for _, outcome in mine[:4]] == [0, 3, 6, 9]
            assert all(outcome.refusal == "member" for _, outcome in mine[3:])
            assert [job.credits_left for job, _ in mine[:3]] == [7, 4, 1]
        for job, outcome in zip(jobs, outcomes, strict=True):
            held = await ledger_entry(store, job.id)
            assert (await store.get_job(job.id) is not None) is outcome.accepted
            assert held == ((3, LedgerStatus.HELD) if outcome.accepted else None)
    finally:
        await store.close()


async def test_a_failing_reservation_in_a_batch_fails_alone(tmp_path: Path) -> None:
    store = await open_sqlite(tmp_path)
    try:
        first = replace(queued_job("a" * 20, GUILD, ALICE, 0.0), callback_token="t1")
        # The same job id: its insert fails.
        again = replace(queued_job("a" * 20, GUILD, BOB, 0.0), callback_token="t2")
        other = replace(queued_job("b" * 20, GUILD, BOB, 0.0), callback_token="t3")
        results = await asyncio.gather(*(
            store.reserve_job(job, limit=100, period_start=0.0, server_cap=None)
            for job in (first, again, other)), return_exceptions=True)
        assert not isinstance(results[0], BaseException) and results[0].accepted
        assert isinstance(results[1], Exception)
        assert not isinstance(results[2], BaseException) and results[2].accepted
        assert await store.credits_spent(GUILD, BOB, 0.0) == other.cost
        assert (await store.get_job("a" * 20)).user_id == ALICE  # type: ignore[union-attr]
    finally:
        await store.close()


async def test_a_batch_waits_for_the_one_being_written_and_leaves_out_the_cancelled() -> None:
    release = asyncio.Event()
    batches: list[list[int]] = []

    async def run(items: list[int]) -> list[int | BaseException]:
        batches.append(items)
        await release.wait()
        return [item * 10 if item != 3 else ValueError("three") for item in items]

    group: GroupCommit[int, int] = GroupCommit(run)
    first = asyncio.create_task(group.submit(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert batches == [[1]]
    later = [asyncio.create_task(group.submit(n)) for n in (2, 3, 4)]
    gone = asyncio.create_task(group.submit(5))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await first == 10
    assert await later[0] == 20
    with pytest.raises(ValueError, match="three"):
        await later[1]
    assert await later[2] == 40
    assert batches == [[1], [2, 3, 4]]
    await group.close()


async def test_a_batch_that_fails_whole_fails_each_of_its_waiters() -> None:
    async def run(items: list[int]) -> list[int | BaseException]:
        raise OSError("disk full")

    group: GroupCommit[int, int] = GroupCommit(run)
    results = await asyncio.gather(*(group.submit(n) for n in range(3)),
                                   return_exceptions=True)
    assert all(isinstance(result, OSError) for result in results)
    await group.close()
