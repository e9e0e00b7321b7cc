"""A job's card and thread are stored, not remembered: two real bot processes (shards 0 and 1
of 2) on one PostgreSQL database. Process A takes the member's command and shows the card, and
is killed before Kling finishes. Process B (the other shard, which never saw the command nor
holds the server in its cache) receives Kling's callback and posts the result where the store
says: in A's thread, or, when A died while Discord was still starting that thread, in the
channel once the thread's lease ran out. Exactly once either way.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from testkit.fakes.discord import FakeDiscord, RecordedRequest
from testkit.fakes.kling import FakeKling
from testkit.processes import ROOT, BotProcess
from tests.conftest import throwaway_postgres
from tests.support import KLING_TOKEN, eventually, free_port

pytestmark = pytest.mark.timeout(150)


@dataclass
class TwoProcesses:
    fake: FakeDiscord
    kling: FakeKling
    db: asyncpg.Connection
    processes: dict[str, BotProcess]
    channel_id: int

    def results(self) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages.values()
                if "your video is ready" in str(m.get("content"))]

    def log(self, name: str) -> str:
        return self.processes[name].log.read_text(errors="replace")

    async def job(self) -> dict[str, Any] | None:
        row = await self.db.fetchrow("SELECT * FROM jobs")
        return None if row is None else dict(row)

    async def command_taken_by_a(self) -> tuple[str, dict[str, Any]]:
        """A member's /video in A's server; the Kling task's id and the job, once at Kling."""
        guild = self.fake.guilds[self.fake.guild_id]
        member = await self.fake.add_member(guild.id, name="alice")
        await self.fake.slash(guild.id, self.channel_id, member.user.id, "video", ["text"],
                              {"prompt": "a red kite over the dunes"})
        task = await self.kling.wait_for(lambda: self.kling.last_task, 30)
        assert task is not None

        async def at_kling() -> dict[str, Any] | None:
            job = await self.job()
            return job if job and job["state"] == "submitted" and job["status_message_id"] \
                else None

        job = await eventually(at_kling, 30)
        # A took the command (either process may have sent it to Kling).
        assert f"Job {job['id']} reserved" in self.log("a")
        return task.task_id, job


@asynccontextmanager
async def two_processes(tmp_path: Path) -> AsyncIterator[TwoProcesses]:
    """Processes "a" (the shard of the fake's server) and "b" (the other shard), each sending
    Kling's callbacks to the other."""
    fake = FakeDiscord()
    await fake.start()
    kling = FakeKling(token=KLING_TOKEN, processing_seconds=0.2)
    kling.auto_finish = False
    await kling.start()
    processes: dict[str, BotProcess] = {}
    try:
        async with throwaway_postgres() as database_url:
            guild = fake.guilds[fake.guild_id]
            shard_a = (guild.id >> 22) % 2
            ports = {"a": free_port(), "b": free_port()}
            base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT),
                    "DISCORD_TOKEN": fake.bot_token, "KLING_API_TOKEN": KLING_TOKEN,
                    "KLING_API_BASE": kling.base_url, "DATABASE_URL": database_url,
                    "TRUSTED_VIDEO_HOSTS": "127.0.0.1", "TMPDIR": str(tmp_path),
                    "WEB_HOST": "127.0.0.1", "METRICS_PORT": "0", "SHARD_COUNT": "2",
                    "POLL_INTERVAL_SECONDS": "0.25", "LOG_LEVEL": "INFO",
                    "KLINGCORD_TEST_DISCORD_API": fake.api_base,
                    "KLINGCORD_TEST_DISCORD_GATEWAY": fake.gateway_url}
            for name, shard in (("a", shard_a), ("b", 1 - shard_a)):
                other = "b" if name == "a" else "a"
                env = base | {"SHARD_IDS": str(shard), "INSTANCE_ID": f"bot-{name}",
                              "WEB_PORT": str(ports[name]),
                              "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[other]}"}
                processes[name] = BotProcess(env, tmp_path / f"bot-{name}.log")
                await processes[name].start()
            await fake.wait_until(lambda: len([s for s in fake.sessions if s.live]) >= 2 or None,
                                  60, "both shards connected")
            await fake.wait_until(lambda: fake.commands.get(None) or None, 60,
                                  "global commands synced")
            db = await asyncpg.connect(database_url)
            try:
                yield TwoProcesses(fake, kling, db, processes, next(iter(guild.channels)))
            finally:
                await db.close()
    finally:
        for process in processes.values():
            await process.stop()
        await kling.close()
        await fake.close()


async def delivered(world: TwoProcesses) -> dict[str, Any] | None:
    job = await world.job()
    return job if job and job["state"] == "delivered" else None


async def test_a_job_taken_by_one_process_is_delivered_by_another_in_its_thread(
        tmp_path: Path) -> None:
    async with two_processes(tmp_path) as world:
        task_id, _ = await world.command_taken_by_a()

        async def threaded() -> dict[str, Any] | None:
            job = await world.job()
            return job if job and job["thread_id"] else None

        job = await eventually(threaded, 30)
        assert job["thread_pending_until"] is None
        thread_id = int(job["thread_id"])
        assert thread_id == job["status_message_id"]  # started from the card
        await world.processes["a"].kill()  # before the result: nothing of A is left

        await world.kling.finish(task_id)
        done = await eventually(lambda: delivered(world), 60)
        [result] = world.results()
        assert int(result["channel_id"]) == thread_id  # in A's thread
        assert done["result_message_id"] == int(result["id"])
        assert "delivered as message" in world.log("b")
        assert "delivered as message" not in world.log("a")
        assert "POST /kling/callback/<token> 200" in world.log("b")


def is_thread_start(request: RecordedRequest) -> bool:
    return request.method == "POST" and request.path.endswith("/threads")


async def test_a_process_that_died_starting_the_thread_leaves_the_result_to_the_channel(
        tmp_path: Path) -> None:
    """A dies while Discord has not answered its thread's start: B finds the thread's lease
    in the store, puts the delivery off (nothing waits in memory), and once the lease runs out
    (10 s) posts in the channel."""
    async with two_processes(tmp_path) as world:
        held = world.fake.hold_response(is_thread_start)
        task_id, job = await world.command_taken_by_a()
        await world.fake.wait_until(lambda: held.record, 30, "the thread's start")
        assert job["thread_id"] is None and job["thread_pending_until"] is not None
        await world.processes["a"].kill()

        await world.kling.finish(task_id)

        async def put_off() -> dict[str, Any] | None:
            job = await world.job()
            return job if job and job["state"] == "succeeded" and job["next_attempt_at"] \
                else None

        waiting = await eventually(put_off, 30)
        assert waiting["next_attempt_at"] == waiting["thread_pending_until"]
        assert world.results() == []
        done = await eventually(lambda: delivered(world), 60)
        [result] = world.results()
        assert int(result["channel_id"]) == world.channel_id
        assert done["thread_id"] is None and done["result_message_id"] == int(result["id"])
        assert "delivered as message" in world.log("b")
        held.release()
