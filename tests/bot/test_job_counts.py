"""The kept job counts behind /metrics and /klingbot status: the jobs table is counted at most
once per refresh interval whatever the number of readers, and a count older than the interval
is replaced on the next read."""

from __future__ import annotations

import asyncio

from bot.job_counts import JobCounts
from tests.conftest import EngineFactory
from tests.support import eventually, text_job


async def test_counts_are_refreshed_at_most_once_per_interval(make_engine: EngineFactory
                                                              ) -> None:
    engine, notifier = await make_engine()
    now = [1000.0]
    counts = JobCounts(engine.store.count_by_state, clock=lambda: now[0], max_age=15.0)
    assert await asyncio.gather(*(counts.get() for _ in range(16))) == [{}] * 16
    assert counts.queries == 1
    await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()
    now[0] += 14.0  # still fresh: the old count, no query
    assert await counts.get() == {} and counts.queries == 1
    now[0] += 2.0  # stale: the next readers share one new count
    assert await asyncio.gather(*(counts.get() for _ in range(16))) == [{"delivered": 1}] * 16
    assert counts.queries == 2


async def test_a_failed_count_is_not_kept(make_engine: EngineFactory) -> None:
    engine, _ = await make_engine()
    counts = JobCounts(engine.store.count_by_state, clock=lambda: 0.0, max_age=15.0)
    await engine.store.close()
    for _ in range(2):
        try:
            await counts.get()
        except Exception:
            pass
        else:
            raise AssertionError("a closed store cannot be counted")
    assert counts.queries == 2
