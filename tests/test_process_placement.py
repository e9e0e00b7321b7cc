"""A job's card and thread are stored, not remembered: two real bot processes (shards 0 and 1
of 2) on one PostgreSQL database. Process A takes the member's command, shows the card and
starts the thread, and is killed before Kling finishes. Process B (the other shard, which never
saw the command nor holds the server in its cache) receives Kling's callback and posts the
result in A's thread, exactly once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from testkit.fakes.discord import FakeDiscord
from testkit.fakes.kling import FakeKling
from testkit.processes import ROOT, BotProcess
from tests.conftest import throwaway_postgres
from tests.support import KLING_TOKEN, eventually, free_port

pytestmark = pytest.mark.timeout(150)


def results(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [m for m in fake.messages.values() if "your video is ready" in str(m.get("content"))]


async def test_a_job_taken_by_one_process_is_delivered_by_another_in_its_thread(
        tmp_path: Path) -> None:
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
                    "WEB_HOST": "127.0.0.1", "SHARD_COUNT": "2",
                    "POLL_INTERVAL_SECONDS": "0.25", "LOG_LEVEL": "INFO",
                    "KLINGCORD_TEST_DISCORD_API": fake.api_base,
                    "KLINGCORD_TEST_DISCORD_GATEWAY": fake.gateway_url}
            for name, shard in (("a", shard_a), ("b", 1 - shard_a)):
                other = "b" if name == "a" else "a"
                env = base | {"SHARD_IDS": str(shard), "INSTANCE_ID": f"bot-{name}",
                              "WEB_PORT": str(ports[name]),
                              # Kling's callbacks go to the other process.
                              "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[other]}"}
                processes[name] = BotProcess(env, tmp_path / f"bot-{name}.log")
                await processes[name].start()
            await fake.wait_until(lambda: len([s for s in fake.sessions if s.live]) >= 2 or None,
                                  60, "both shards connected")
            await fake.wait_until(lambda: fake.commands.get(None) or None, 60,
                                  "global commands synced")

            member = await fake.add_member(guild.id, name="alice")
            channel_id = next(iter(guild.channels))
            await fake.slash(guild.id, channel_id, member.user.id, "video", ["text"],
                             {"prompt": "a red kite over the dunes"})
            task = await kling.wait_for(lambda: kling.last_task, 30)
            assert task is not None

            conn = await asyncpg.connect(database_url)
            try:
                async def placed() -> dict[str, Any] | None:
                    row = await conn.fetchrow(
                        "SELECT id, state, status_message_id, thread_id, thread_pending_until "
                        "FROM jobs")
                    return dict(row) if row is not None and row["thread_id"] is not None \
                        and row["state"] == "submitted" else None

                job = await eventually(placed, 30)
                assert job["thread_pending_until"] is None
                # A took the command (either process may have sent it to Kling).
                assert f"Job {job['id']} reserved" in processes["a"].log.read_text()
                thread_id = int(job["thread_id"])
                assert thread_id == job["status_message_id"]  # started from the card
                await processes["a"].kill()  # before the result: nothing of A is left

                await kling.finish(task.task_id)
                delivered = await eventually(lambda: _delivered(conn), 60)
            finally:
                await conn.close()

            [result] = results(fake)
            assert int(result["channel_id"]) == thread_id  # in A's thread
            assert delivered["result_message_id"] == int(result["id"])
            logs = {name: p.log.read_text(errors="replace") for name, p in processes.items()}
            assert "delivered as message" in logs["b"]
            assert "delivered as message" not in logs["a"]
            assert "POST /kling/callback/<token> 200" in logs["b"]
    finally:
        for process in processes.values():
            await process.stop()
        await kling.close()
        await fake.close()


async def _delivered(conn: asyncpg.Connection) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT state, result_message_id FROM jobs")
    return dict(row) if row is not None and row["state"] == "delivered" else None

