"""The job facts that decide what may be posted, as the store keeps them on both backends: a
report decided "removed" marks its job removed in the same transaction (and no other decision
does), and the channel a result really went to is kept with its delivery."""

from __future__ import annotations

import dataclasses
import time
import uuid

from bot.store import Job, JobState, LedgerStatus, Report
from tests.builders import job
from tests.support import StoreFactory


def a_delivered_job() -> Job:
    return dataclasses.replace(job(uuid.uuid4().hex[:20], 7, 100, time.time()),
                               callback_token=uuid.uuid4().hex)


def a_report(reported: Job, reporter_id: int) -> Report:
    assert reported.guild_id is not None
    return Report(id=uuid.uuid4().hex[:20], guild_id=reported.guild_id, job_id=reported.id,
                  reporter_id=reporter_id, requester_id=reported.user_id, reason="no",
                  status="open", created_at=time.time())


async def test_removing_a_reported_video_marks_its_job_removed(open_store: StoreFactory
                                                               ) -> None:
    store = await open_store()
    kept, removed = a_delivered_job(), a_delivered_job()
    for each in (kept, removed):
        assert (await store.reserve_job(each, limit=10, period_start=0.0,
                                        server_cap=None)).accepted
    dismissed, decided = a_report(kept, 200), a_report(removed, 200)
    for report in (dismissed, decided):
        assert await store.add_report(report)
    await store.decide_report(dismissed.id, "dismissed", 9, 50.0)
    await store.decide_report(decided.id, "removed", 9, 60.0)
    # A second decision changes nothing: the first removal stands as it was.
    assert await store.decide_report(decided.id, "removed", 8, 70.0) is None
    after_kept, after_removed = await store.get_job(kept.id), await store.get_job(removed.id)
    assert after_kept is not None and not after_kept.removed
    assert after_removed is not None and after_removed.removed
    assert (after_removed.removed_at, after_removed.removed_by) == (60.0, 9)


async def test_the_channel_a_result_went_to_is_kept_with_its_delivery(
        open_store: StoreFactory) -> None:
    store = await open_store()
    thread_job = dataclasses.replace(a_delivered_job(), thread_id=555)
    assert (await store.reserve_job(thread_job, limit=10, period_start=0.0,
                                    server_cap=None)).accepted
    assert thread_job.result_channel == 555  # nothing posted yet: where it is meant to go
    delivered = await store.transition(
        thread_job.id, (JobState.QUEUED,), JobState.DELIVERED, ledger=LedgerStatus.COMMITTED,
        result_message_id=777, result_channel_id=thread_job.channel_id)
    assert delivered is not None
    assert (delivered.result_channel, delivered.result_message_id) == (
        thread_job.channel_id, 777)


async def test_a_removal_marked_before_its_delete_stands_and_the_report_stays_open(
        open_store: StoreFactory) -> None:
    store = await open_store()
    removed = a_delivered_job()
    assert (await store.reserve_job(removed, limit=10, period_start=0.0,
                                    server_cap=None)).accepted
    report = a_report(removed, 200)
    assert await store.add_report(report)
    await store.mark_removed(removed.id, 9, 40.0)
    await store.mark_removed(removed.id, 8, 45.0)  # a retry: the first removal stands
    after = await store.get_job(removed.id)
    assert after is not None and (after.removed_at, after.removed_by) == (40.0, 9)
    still = await store.get_report(report.id)
    assert still is not None and still.status == "open"
    assert await store.decide_report(report.id, "removed", 8, 60.0) is not None
    after = await store.get_job(removed.id)
    assert after is not None and (after.removed_at, after.removed_by) == (40.0, 9)


async def test_the_stories_with_a_part_in_them_are_those_joined_under_it_or_later(
        open_store: StoreFactory) -> None:
    store = await open_store()
    first = a_delivered_job()
    second = dataclasses.replace(a_delivered_job(), parent_job_id=first.id)
    third = dataclasses.replace(a_delivered_job(), parent_job_id=second.id)
    other = a_delivered_job()
    for each in (first, second, third, other):
        assert (await store.reserve_job(each, limit=10, period_start=0.0,
                                        server_cap=None)).accepted
    for number, under in enumerate((second, third, other)):
        assert await store.claim_story(under.id, now=1.0, until=100.0)
        await store.record_story(under.id, channel_id=5, message_id=1000 + number)
    assert await store.claim_story(first.id, now=1.0, until=100.0)  # being joined: not posted
    stories = await store.stories_with_part(first.id)
    assert sorted(s.message_id or 0 for s in stories) == [1000, 1001]
    assert [s.message_id for s in await store.stories_with_part(third.id)] == [1001]
    assert [s.message_id for s in await store.stories_with_part(other.id)] == [1002]
