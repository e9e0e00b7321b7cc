"""Two real bot processes (shards 0 and 1 of 2) on one PostgreSQL database.

50 jobs spread over two servers, one per shard. Each process's PUBLIC_BASE_URL points at the
other process, so every callback reaches the process that did not submit the job. One process
is killed with SIGKILL mid-way and started again. Every job must end exactly once: delivered
with exactly one result message and its credits committed, or (if its create was cut off
before reaching Kling) failed and refunded; no task is ever created twice.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from testkit.fakes.discord import FakeDiscord, Guild
from testkit.fakes.kling import FakeKling
from testkit.processes import ROOT, BotProcess
from tests.conftest import throwaway_postgres
from tests.support import KLING_TOKEN, free_port

pytestmark = pytest.mark.timeout(180)

JOBS_PER_GUILD = 25
MEMBERS_PER_GUILD = 5


def job_of(message: dict[str, Any]) -> str | None:
    for row in message.get("components", []):
        for component in row.get("components", []):
            custom_id = str(component.get("custom_id", ""))
            if custom_id.startswith("kling:extend:"):
                return custom_id.rsplit(":", 1)[1]
    return None


async def test_two_processes_one_database_every_job_once(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    kling = FakeKling(token=KLING_TOKEN, processing_seconds=0.6)
    await kling.start()
    processes: list[BotProcess] = []
    try:
        async with throwaway_postgres() as database_url:
            guilds: list[Guild] = [fake.guilds[fake.guild_id]]
            if (fake.guild_id >> 22) % 2 != 0:
                guilds = []
            for shard in (0, 1):
                if not any((g.id >> 22) % 2 == shard for g in guilds):
                    guilds.append(await fake.add_guild(fake.new_guild_id(shard, 2),
                                                       name=f"shard {shard}"))
            guilds = sorted(guilds, key=lambda g: (g.id >> 22) % 2)[:2]
            ports = [free_port(), free_port()]
            base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT),
                    "DISCORD_TOKEN": fake.bot_token, "KLING_API_TOKEN": KLING_TOKEN,
                    "KLING_API_BASE": kling.base_url, "DATABASE_URL": database_url,
                    "TRUSTED_VIDEO_HOSTS": "127.0.0.1", "TMPDIR": str(tmp_path),
                    "WEB_HOST": "127.0.0.1", "SHARD_COUNT": "2",
                    "POLL_INTERVAL_SECONDS": "0.25", "DEFAULT_CREDITS_PER_DAY": "100",
                    # A create cut off by the kill before it reached Kling can only end at
                    # the deadline (it is never sent twice): keep the wait short here.
                    "JOB_DEADLINE_SECONDS": "40",
                    "LOG_LEVEL": "INFO", "METRICS_PORT": "0",
                    "KLINGCORD_TEST_DISCORD_API": fake.api_base,
                    "KLINGCORD_TEST_DISCORD_GATEWAY": fake.gateway_url}
            for shard in (0, 1):
                env = base | {"SHARD_IDS": str(shard), "INSTANCE_ID": f"bot-{shard}",
                              "WEB_PORT": str(ports[shard]),
                              # Callbacks go to the *other* process.
                              "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[1 - shard]}"}
                processes.append(BotProcess(env, tmp_path / f"bot-{shard}.log"))
            for process in processes:
                await process.start()
            await fake.wait_until(lambda: len([s for s in fake.sessions if s.live]) >= 2 or None,
                                  60, "both shards connected")
            await fake.wait_until(lambda: fake.commands.get(None) or None, 60,
                                  "global commands synced")
            # Each process runs only the shard SHARD_IDS gives it.
            assert sorted((s.shard_id, s.shard_count) for s in fake.sessions if s.live) == [
                (0, 2), (1, 2)]

            members = {g.id: [await fake.add_member(g.id, name=f"m{g.id % 97}-{i}")
                              for i in range(MEMBERS_PER_GUILD)] for g in guilds}
            sent = []
            for n in range(JOBS_PER_GUILD):
                for guild in guilds:
                    channel = next(iter(guild.channels))
                    member = members[guild.id][n % MEMBERS_PER_GUILD]
                    sent.append(fake.slash(guild.id, channel, member.user.id, "video",
                                           ["text"], {"prompt": f"scene {n} in {guild.name}"}))
            await asyncio.gather(*sent)

            def results() -> list[dict[str, Any]]:
                return [m for m in fake.messages.values()
                        if "your video is ready" in str(m.get("content"))]

            await fake.wait_until(lambda: len(results()) >= 12 or None, 60, "a dozen results")
            await processes[0].kill()  # mid-way: jobs queued, running and being delivered
            await asyncio.sleep(1.0)
            await processes[0].start()

            conn = await asyncpg.connect(database_url)
            try:
                async def settled() -> bool:
                    left = await conn.fetchval("SELECT COUNT(*) FROM jobs WHERE state NOT IN "
                                               "('delivered', 'failed')")
                    return left == 0

                deadline = asyncio.get_running_loop().time() + 90
                while not await settled():
                    if asyncio.get_running_loop().time() > deadline:
                        left = await conn.fetch(
                            "SELECT state, task_id IS NULL AS no_task, owner, COUNT(*) AS n "
                            "FROM jobs GROUP BY 1, 2, 3")
                        raise AssertionError(f"jobs never settled: {[dict(r) for r in left]}")
                    await asyncio.sleep(0.5)
                await asyncio.sleep(1.0)  # let any (wrong) duplicate post land
                jobs = await conn.fetch("SELECT id, state, cost, callback_token, error_code, "
                                        "owner, task_id FROM jobs")
                ledger = {r["job_id"]: (r["amount"], r["status"]) for r in await conn.fetch(
                    "SELECT job_id, amount, status FROM ledger WHERE kind = 'job'")}
            finally:
                await conn.close()

            assert len(jobs) == 2 * JOBS_PER_GUILD
            posted = Counter(job_of(m) for m in results())
            assert max(posted.values()) == 1, f"delivered twice: {posted.most_common(3)}"
            delivered = [j for j in jobs if j["state"] == "delivered"]
            failed = [j for j in jobs if j["state"] == "failed"]
            assert {j["id"] for j in delivered} == set(posted)
            for job in delivered:
                assert ledger[job["id"]] == (job["cost"], "committed")
            for job in failed:
                assert ledger[job["id"]] == (job["cost"], "refunded")
                assert posted[job["id"]] == 0
            # No create was ever sent twice for one job (the token is unique per job).
            tokens = Counter(str(t.request.get("callback_url", "")).rsplit("/", 1)[-1]
                             for t in kling.tasks.values())
            assert max(tokens.values()) == 1
            # A job may fail only if the kill cut off its create before it reached Kling:
            # it was never sent twice, so it ended at the deadline, refunded.
            for job in failed:
                assert job["error_code"] == "deadline" and job["owner"] == "bot-0", dict(job)
                assert tokens[job["callback_token"]] == 0, dict(job)
            assert len(failed) <= 10  # at most the creates in flight (KLING_CONCURRENCY)
            # Both processes did work, and callbacks crossed between them.
            logs = [p.log.read_text(errors="replace") for p in processes]
            assert all("delivered as message" in log for log in logs)
            assert all("POST /kling/callback/<token> 200" in log for log in logs)
    finally:
        for process in processes:
            await process.stop()
        await kling.close()
        await fake.close()
