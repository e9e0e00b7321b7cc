"""What health checks cost the bot: `get_job` latency with 400,000 jobs in the store while 16
clients hit `/healthz` as fast as they can.

    python -m bench.health_load            # prints the figures; writes nothing
    python -m bench.health_load --jobs 100000 --seconds 10
    python -m bench.health_load --path /metrics   # 16 scrapers instead

A `/healthz` that counted the jobs table by state held the store's one SQLite reader for a scan
of every job, so the bot's own reads waited behind 16 of them; a health check that counts
nothing must leave `get_job` where it is without load. The engine runs in this process (the
bot's own event loop and store), against a SQLite file seeded in bulk with delivered jobs; the
16 clients run in a second process, so their own work does not share the bot's loop. The same
script runs on an older checkout (PYTHONPATH pointing at it) for the figure before a change:
it finds `/healthz` on the operator address when the engine has one, else on the public port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Settings
from bot.engine import Engine
from bot.jobs import new_job_id
from bot.store import JobState, make_store
from bot.store.models import JOB_COLUMNS
from bot.store.sqlite import sqlite_path

JOBS = 400_000
CLIENTS = 16
READS = 400


class NoDiscord:
    """The engine's notifier where no job runs: nothing here reaches Discord."""

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"no Discord in this benchmark ({name})")


async def seed_history(url: str, count: int) -> str:
    """`count` delivered jobs (a long history), inserted in bulk; one of their ids."""
    store = make_store(url)
    await store.open()  # the schema, by the bot's own migrations
    await store.close()
    now = time.time()
    columns: list[str] = []
    rows: list[tuple[object, ...]] = []
    for index in range(count):
        created = now - 86_400 - index * 0.01
        row = {"id": new_job_id(), "guild_id": 1 + index % 50, "channel_id": 10,
               "user_id": 10_000 + index % 5_000, "state": JobState.DELIVERED.value,
               "action": "text2video", "model": "kling-v1", "mode": "std", "duration": 5,
               "prompt": "a lighthouse in a storm", "request_json": "{}", "cost": 1,
               "callback_token": f"token-{index}", "task_id": f"task-{index}",
               "poll_misses": 0, "delivery_attempts": 1, "created_at": created,
               "updated_at": created + 60, "deadline_at": created + 1800,
               "owner": "bench"}
        columns = [column for column in JOB_COLUMNS if column in row]
        rows.append(tuple(row[column] for column in columns))
    with contextlib.closing(sqlite3.connect(sqlite_path(url))) as db, db:
        db.executemany(f"INSERT INTO jobs ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' for _ in columns)})", rows)
    return str(rows[count // 2][0])


def settings_for(url: str, root: Path) -> Settings:
    """A process's settings on 127.0.0.1 with ports the OS picks; no Kling is ever called."""
    values: dict[str, Any] = {
        "discord_token": "d" * 40, "kling_api_token": "k" * 40,
        "kling_api_base": "http://127.0.0.1:9", "database_url": url,
        "web_host": "127.0.0.1", "web_port": 0, "metrics_port": 0, "temp_root": root,
        "poll_interval_seconds": 5.0}
    known = {f.name for f in dataclasses.fields(Settings)}
    return Settings(**{name: value for name, value in values.items() if name in known})


async def read_latencies(engine: Engine, job_id: str, reads: int,
                         until: Callable[[], bool] | None = None) -> list[float]:
    """Milliseconds of each of `reads` `get_job` calls, a few milliseconds apart; with `until`,
    as many as fit before it says stop (at least one)."""
    times: list[float] = []
    while (len(times) < reads) if until is None else not (times and until()):
        started = time.perf_counter()
        job = await engine.store.get_job(job_id)
        times.append((time.perf_counter() - started) * 1000)
        assert job is not None
        await asyncio.sleep(0.005)
    return times


def summary(times: list[float]) -> str:
    """p50 and p99 of `times` (milliseconds)."""
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms"


async def clients(url: str, count: int, seconds: float) -> None:
    """`count` clients hitting `url` back to back for `seconds`; prints how many answers."""
    answers = {"ok": 0, "other": 0}
    deadline = time.monotonic() + seconds

    async def one(http: aiohttp.ClientSession) -> None:
        while time.monotonic() < deadline:
            async with http.get(url) as resp:
                await resp.read()
                answers["ok" if resp.status == 200 else "other"] += 1

    timeout = aiohttp.ClientTimeout(total=seconds + 30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await asyncio.gather(*(one(http) for _ in range(count)))
    print(json.dumps(answers))


async def measure(jobs: int, seconds: float, path: str) -> None:
    """Seed, start the engine, read without load, then under the clients; print both."""
    with tempfile.TemporaryDirectory(prefix="klingcord-health-") as folder:
        root = Path(folder)
        url = f"sqlite:///{root / 'bot.db'}"
        started = time.monotonic()
        job_id = await seed_history(url, jobs)
        print(f"seeded {jobs:,} delivered jobs in {time.monotonic() - started:.1f} s")
        engine = Engine(settings_for(url, root), NoDiscord())  # type: ignore[arg-type]
        await engine.start()
        try:
            server = getattr(engine, "operator", engine.web)
            health = f"http://127.0.0.1:{server.port}{path}"
            quiet = await read_latencies(engine, job_id, READS)
            print(f"get_job, no load:                     {summary(quiet)}")
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.health_load", "--clients", health,
                "--seconds", str(seconds), stdout=asyncio.subprocess.PIPE)
            await asyncio.sleep(1.0)  # the clients connected and hitting
            loaded = await read_latencies(engine, job_id, READS,
                                          until=lambda: proc.returncode is not None)
            out, _ = await proc.communicate()
            loaded = loaded[:-1] or loaded  # the last read saw the clients gone
            answers = json.loads(out.decode().strip().splitlines()[-1])
            print(f"get_job, {CLIENTS} clients on {path}:      {summary(loaded)}")
            print(f"{path} answers in {seconds:.0f} s: {answers['ok']} ok, "
                  f"{answers['other']} other ({health})")
        finally:
            await engine.close()


def main() -> None:
    """Parse the command line and run the measurement (or, with --clients, be the clients)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=JOBS)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--path", default="/healthz", choices=("/healthz", "/metrics"))
    parser.add_argument("--clients", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clients:
        asyncio.run(clients(args.clients, CLIENTS, args.seconds))
    else:
        asyncio.run(measure(args.jobs, args.seconds, args.path))


if __name__ == "__main__":
    main()
