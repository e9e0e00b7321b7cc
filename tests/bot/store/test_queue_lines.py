"""The fair queue's read of the store, on both backends: however long one server's backlog,
a pass sees the head of every member's line (so every member and server with a free slot can
start), and reads in proportion to the members waiting, not to the queue's length."""

from __future__ import annotations

import time

from bot.jobs.queue_plan import PLACES_SHOWN, Limits, line_depth, plan_dispatch
from bot.store import JobState
from testkit.queue_backlog import backlog_job, queue_backlog
from tests.support import StoreFactory

BUSY, QUIET = 7, 8
QUIET_MEMBER = 500
LIMITS = Limits(per_member=2, per_server=5, total=10)


async def test_a_quiet_servers_job_starts_in_the_first_pass_behind_a_long_backlog(
        open_store: StoreFactory) -> None:
    store = await open_store()
    now = time.time()
    backlog = await queue_backlog(store, 2_600, guild_id=BUSY, members=3, created_from=now)
    quiet = backlog_job(QUIET, QUIET_MEMBER, now + 10.0)
    assert (await store.reserve_job(quiet, limit=10, period_start=0.0,
                                    server_cap=None)).accepted
    # The busy server already runs its five jobs.
    for job_id in backlog[:5]:
        assert await store.claim_for_submit(job_id, now, "bot-a") is not None

    lines = await store.queue_lines(line_depth(LIMITS, await store.queue_line_lengths()),
                                    near=PLACES_SHOWN)
    plan = plan_dispatch(lines, await store.in_flight(), await store.last_dispatch_times(),
                         LIMITS)
    assert [job.id for job in plan.start] == [quiet.id]
    # Every waiting job is read once, while it has no place yet; once placed, a pass reads
    # only the head of each member's line.
    assert len(lines) == 2_600 - 5 + 1
    assert await store.claim_for_submit(quiet.id, now, "bot-a") is not None
    for job in lines:
        if job.id in plan.positions:
            assert await store.update(job.id, (JobState.QUEUED,),
                                      queue_position=plan.positions[job.id]) is not None
    assert sorted(await store.queue_line_lengths()) == [865, 865, 865]
    depth = line_depth(LIMITS, [865, 865, 865])
    assert depth == LIMITS.per_member + 7  # seven rounds of three place the first twenty
    again = await store.queue_lines(depth, near=PLACES_SHOWN)
    assert len(again) == 3 * depth
    assert {job.id for job in again} == set(backlog[5:5 + 3 * depth])


async def test_a_pass_rereads_a_job_pushed_out_of_its_line_head_with_a_near_place(
        open_store: StoreFactory) -> None:
    store = await open_store()
    depth = line_depth(LIMITS, [40])
    backlog = await queue_backlog(store, depth + 1, guild_id=BUSY, created_from=1000.0)
    for job_id in backlog:
        await store.update(job_id, (JobState.QUEUED,), queue_position=PLACES_SHOWN + 1)
    assert len(await store.queue_lines(depth, near=PLACES_SHOWN)) == depth
    # The last job's place is a near one, stored when it was further ahead (a job requeued in
    # front of it since): a pass must see it to correct it, though it is beyond the head of
    # its member's line.
    await store.update(backlog[-1], (JobState.QUEUED,), queue_position=1)
    lines = await store.queue_lines(depth, near=PLACES_SHOWN)
    assert [job.id for job in lines] == backlog


async def test_places_are_stored_in_bulk_on_queued_jobs_only(open_store: StoreFactory) -> None:
    store = await open_store()
    backlog = await queue_backlog(store, 1_200, guild_id=BUSY, created_from=1000.0)
    started = backlog[0]
    assert await store.claim_for_submit(started, 1000.0, "bot-a") is not None
    places = {job_id: min(place, PLACES_SHOWN + 1) for place, job_id in enumerate(backlog)}
    placed = await store.place_in_queue(places)
    # Every queued job is told its place (the card edits follow); the started one is not.
    assert sorted(job.id for job in placed) == sorted(backlog[1:])
    assert all(job.queue_position == places[job.id] for job in placed)
    started_job = await store.get_job(started)
    assert started_job is not None and started_job.queue_position is None
    assert not [job for job in await store.queue_lines(3, near=PLACES_SHOWN)
                if job.queue_position is None]
