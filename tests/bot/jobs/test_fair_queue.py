"""The fair queue with the engine and the fake Kling: however long one server's backlog, a job
of a member or server with a free slot goes to Kling in the next pass."""

from __future__ import annotations

import time

import pytest

from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.store import JobState
from testkit.fakes.kling import FakeKling
from testkit.queue_backlog import queue_backlog
from tests.conftest import EngineFactory
from tests.support import eventually

pytestmark = pytest.mark.timeout(120)

BUSY, QUIET = 1, 2
CAROL = 300


async def test_a_quiet_servers_job_is_sent_while_a_busy_servers_backlog_waits(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, _ = await make_engine(callbacks=False, max_jobs_per_member=2,
                                  max_jobs_per_server=5, kling_concurrency=10)
    await queue_backlog(engine.store, 2_500, guild_id=BUSY, members=5,  # type: ignore[arg-type]
                        created_from=time.time() - 60.0)
    await engine.dispatcher.dispatch()
    await eventually(lambda: fake_kling.create_count == 5)  # the busy server's five slots

    # Carol, in another server, asks for one video: five of Kling's ten slots are free.
    quiet = await engine.jobs.request(JobRequest(
        guild_id=QUIET, channel_id=20, user_id=CAROL,
        options=VideoOptions(action="text2video", prompt="a fox in the snow")))
    assert quiet.state is JobState.SUBMITTED and quiet.task_id is not None
    assert fake_kling.create_count == 6
    counts = await engine.store.count_by_state()
    assert counts.get("queued") == 2_495  # the busy server's backlog waits its turn
