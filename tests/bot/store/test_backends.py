"""The store contract, held against both backends (SQLite and PostgreSQL).

Most tests use two store objects on one database: that is what two bot processes sharing a
store look like, and it is where the locks (advisory locks and SKIP LOCKED on PostgreSQL,
the single writer on SQLite) earn their keep.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import pytest

from bot.store import Job, JobState, LedgerStatus, Store, make_store
from bot.store.postgres import PostgresStore, advisory_key, affected_rows, to_dollar_params
from bot.store.sql import load_migrations
from testkit.store_reads import ledger_entry, schema_version, server_spent
from tests.support import StoreFactory

GUILD = 7
ALICE, BOB = 100, 200
BIG = 10_000



def new_job(user: int = ALICE, *, cost: int = 1, guild: int = GUILD,
            created: float | None = None) -> Job:
    now = time.time() if created is None else created
    return Job(id=uuid.uuid4().hex[:20], guild_id=guild, channel_id=1, user_id=user,
               state=JobState.QUEUED, action="text2video", model="kling-v1", mode="std",
               duration=5, prompt="a lighthouse", request={"prompt": "a lighthouse"},
               cost=cost, callback_token=uuid.uuid4().hex, created_at=now, updated_at=now,
               deadline_at=now + 600)


async def reserve(store: Store, job: Job, *, limit: int = BIG,
                  server_cap: int | None = None) -> bool:
    result = await store.reserve_job(job, limit=limit, period_start=0.0, server_cap=server_cap)
    return result.accepted


async def submitted(store: Store, count: int) -> list[str]:
    """`count` SUBMITTED jobs, all due for a poll."""
    ids = []
    for n in range(count):
        job = new_job(created=1000.0 + n)
        assert await reserve(store, job)
        moved = await store.transition(job.id, (JobState.QUEUED,), JobState.SUBMITTED,
                                       task_id=f"task-{n}", next_poll_at=0.0)
        assert moved is not None
        ids.append(job.id)
    return ids


# -- pure helpers of the PostgreSQL backend -------------------------------------------------

def test_placeholders_become_numbered() -> None:
    assert to_dollar_params("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == (
        "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)")
    assert to_dollar_params("SELECT 1") == "SELECT 1"


@pytest.mark.parametrize(("status", "rows"), [
    ("UPDATE 3", 3), ("INSERT 0 1", 1), ("DELETE 0", 0), ("SELECT 12", 12),
    ("CREATE TABLE", 0), ("", 0)])
def test_row_count_from_the_command_status(status: str, rows: int) -> None:
    assert affected_rows(status) == rows


def test_advisory_keys_are_stable_signed_64_bit() -> None:
    key = advisory_key("spend", GUILD)
    assert key == advisory_key("spend", GUILD) and -(2 ** 63) <= key < 2 ** 63
    assert key != advisory_key("spend", GUILD + 1) != advisory_key("dispatch")


def test_postgres_urls_pick_the_postgres_store() -> None:
    for url in ("postgresql://u:p@db:5432/bot", "postgres://u@db/bot"):
        assert isinstance(make_store(url), PostgresStore)


# -- the contract, on both backends -----------------------------------------------------------

async def test_schema_version_is_the_number_of_migrations(open_store: StoreFactory) -> None:
    store = await open_store()
    migrations = load_migrations()
    # The newest file's number (numbers are handed out per branch, so one may be missing
    # until every branch of an issue is merged).
    assert await schema_version(store) == migrations[-1][0]
    assert [number for number, _ in migrations] == sorted({n for n, _ in migrations})


async def test_two_stores_opening_at_once_migrate_once(
        database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.store.sql")
    first, second = make_store(database_url), make_store(database_url)
    try:
        await asyncio.gather(first.open(), second.open())
        assert await schema_version(first) == await schema_version(second) == (
            load_migrations()[-1][0])
        applied = [r.getMessage() for r in caplog.records
                   if r.getMessage().startswith("Applying schema version")]
        assert len(applied) == len(load_migrations()), applied
        # Both work on the one schema.
        assert await reserve(first, job := new_job())
        assert await second.get_job(job.id) is not None
    finally:
        await first.close()
        await second.close()


async def test_reopening_a_migrated_database_changes_nothing(open_store: StoreFactory) -> None:
    store = await open_store()
    assert await reserve(store, job := new_job())
    await store.close()
    again = await open_store()
    assert await schema_version(again) == load_migrations()[-1][0]
    assert await again.get_job(job.id) is not None


async def test_exactly_one_of_20_concurrent_transitions_wins(open_store: StoreFactory) -> None:
    stores = [await open_store(), await open_store()]
    job = new_job()
    assert await reserve(stores[0], job)
    results = await asyncio.gather(*(
        stores[n % 2].transition(job.id, (JobState.QUEUED,), JobState.FAILED,
                                 ledger=LedgerStatus.REFUNDED, error_message=f"caller {n}")
        for n in range(20)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = await stores[1].get_job(job.id)
    assert stored is not None and stored.state is JobState.FAILED
    assert stored.error_message == winners[0].error_message
    assert await ledger_entry(stores[1], job.id) == (1, LedgerStatus.REFUNDED)


async def test_claims_for_poll_from_two_stores_never_overlap(open_store: StoreFactory) -> None:
    first, second = await open_store(), await open_store()
    ids = set(await submitted(first, 30))
    now = time.time()

    async def claim_all(store: Store) -> list[str]:
        taken: list[str] = []
        while batch := await store.claim_due_for_poll(now, now + 3600, limit=4):
            taken.extend(job.id for job in batch)
            assert all(job.next_poll_at == now + 3600 for job in batch)
            await asyncio.sleep(0)
        return taken

    a, b = await asyncio.gather(claim_all(first), claim_all(second))
    assert not set(a) & set(b)
    assert sorted(a + b) == sorted(ids)  # each job claimed exactly once, none left behind
    assert await first.claim_due_for_poll(now, now + 3600, limit=100) == []


async def test_dispatch_guard_is_held_by_one_store_at_a_time(
        open_store: StoreFactory, backend: str) -> None:
    first = await open_store()
    if backend == "sqlite":
        # One process owns a SQLite file: its guard always lets the pass run.
        async with first.dispatch_guard() as ours:
            assert ours is True
        return
    second = await open_store()
    async with first.dispatch_guard() as ours:
        assert ours is True
        async with second.dispatch_guard() as theirs:
            assert theirs is False
        async with first.dispatch_guard() as again:
            # Another pass of the same process uses another connection: also refused, so the
            # guard cannot be entered twice even from within one process.
            assert again is False
    async with second.dispatch_guard() as theirs:
        assert theirs is True
    async with first.dispatch_guard() as ours:
        assert ours is True


async def test_ledger_sums_after_reserve_refund_commit_and_grant(
        open_store: StoreFactory) -> None:
    store = await open_store()
    kept, refunded, done = new_job(cost=3), new_job(cost=2), new_job(cost=4)
    bobs = new_job(BOB, cost=5)
    for job in (kept, refunded, done, bobs):
        assert await reserve(store, job)
    assert await store.credits_spent(GUILD, ALICE, 0.0) == 9
    assert await server_spent(store, GUILD, 0.0) == 14

    assert await store.transition(refunded.id, (JobState.QUEUED,), JobState.FAILED,
                                  ledger=LedgerStatus.REFUNDED)
    assert await store.transition(done.id, (JobState.QUEUED,), JobState.DELIVERED,
                                  ledger=LedgerStatus.COMMITTED)
    assert await ledger_entry(store, kept.id) == (3, LedgerStatus.HELD)
    assert await ledger_entry(store, refunded.id) == (2, LedgerStatus.REFUNDED)
    assert await ledger_entry(store, done.id) == (4, LedgerStatus.COMMITTED)
    assert await store.credits_spent(GUILD, ALICE, 0.0) == 7  # held 3 + committed 4
    assert await server_spent(store, GUILD, 0.0) == 12  # and Bob's 5

    await store.add_grant(GUILD, ALICE, 6, time.time(), "for the contest")
    assert await store.credits_spent(GUILD, ALICE, 0.0) == 1  # a grant offsets spending
    assert await server_spent(store, GUILD, 0.0) == 12  # but not the server's total
    assert await store.usage(GUILD, 0.0, time.time() + 1) == [(ALICE, 7, 2), (BOB, 5, 1)]
    # Only entries since the period start count.
    assert await store.credits_spent(GUILD, ALICE, time.time() + 60) == 0


async def test_the_server_cap_holds_under_concurrent_reservations(
        open_store: StoreFactory) -> None:
    first, second = await open_store(), await open_store()
    results = await asyncio.gather(*(
        reserve((first, second)[n % 2], new_job(ALICE + n), server_cap=10)
        for n in range(40)))
    assert results.count(True) == 10
    assert await server_spent(first, GUILD, 0.0) == 10


async def test_in_flight_counts_running_jobs_but_not_unconfirmed_ones(
        open_store: StoreFactory) -> None:
    store = await open_store()
    running, claimed, unconfirmed, queued = (new_job(ALICE), new_job(ALICE), new_job(ALICE),
                                             new_job(BOB))
    for job in (running, claimed, unconfirmed, queued):
        assert await reserve(store, job)
    await store.transition(running.id, (JobState.QUEUED,), JobState.SUBMITTED, task_id="t-1")
    assert await store.claim_for_submit(claimed.id, time.time(), "bot-a") is not None
    # A create cut off mid-way: SUBMITTED with no task id, waiting for a callback or deadline.
    await store.transition(unconfirmed.id, (JobState.QUEUED,), JobState.SUBMITTED)
    counts = await store.in_flight()
    assert counts.total == 2
    assert counts.by_member == {(GUILD, ALICE): 2}
    assert counts.by_guild == {GUILD: 2}


async def test_a_joined_story_is_claimed_once_and_then_remembered(
        open_store: StoreFactory) -> None:
    store = await open_store()
    assert await store.joined_story("job-1") is None
    assert await store.claim_story("job-1", now=100.0, until=160.0)
    assert not await store.claim_story("job-1", now=110.0, until=170.0), "a live claim holds"
    assert await store.claim_story("job-1", now=200.0, until=260.0), "an expired one is taken"
    await store.record_story("job-1", channel_id=5, message_id=42)
    assert not await store.claim_story("job-1", now=900.0, until=960.0), "posted: never again"
    story = await store.joined_story("job-1")
    assert story is not None and (story.channel_id, story.message_id) == (5, 42)
    await store.release_story("job-1")  # a posted story is not released
    assert await store.joined_story("job-1") is not None
    assert await store.claim_story("job-2", now=1.0, until=2.0)
    await store.release_story("job-2")
    assert await store.joined_story("job-2") is None
