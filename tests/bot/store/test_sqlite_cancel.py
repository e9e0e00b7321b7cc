"""A write cancelled at any moment leaves the SQLite store usable.

A delivery's lease heartbeat is a store write that is cancelled whenever the delivery ends;
a cancelled BEGIN used to leave the connection inside a transaction nobody ended, after which
every write failed ("cannot start a transaction within a transaction") until a restart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.store import JobState, make_store
from tests.builders import job as queued_job


async def test_writes_cancelled_at_any_moment_leave_the_store_usable(tmp_path: Path) -> None:
    store = make_store(f"sqlite:///{tmp_path / 'bot.db'}")
    await store.open()
    try:
        job = queued_job("a" * 20, 1, 2, 0.0)
        reservation = await store.reserve_job(job, limit=100, period_start=0.0, server_cap=None)
        assert reservation.accepted
        for spins in range(30):  # cancel after 0, 1, 2, ... turns of the event loop
            write = asyncio.create_task(store.update(job.id, (JobState.QUEUED,),
                                                     queue_position=spins))
            for _ in range(spins):
                await asyncio.sleep(0)
            write.cancel()
            await asyncio.gather(write, return_exceptions=True)
        moved = await store.update(job.id, (JobState.QUEUED,), queue_position=99)
        assert moved is not None and moved.queue_position == 99
    finally:
        await store.close()
