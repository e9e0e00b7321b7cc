"""`python -m bench.queue_pass`: how long one fair-queue pass takes with 10,000 queued jobs.

One busy server has queued 10,000 jobs (200 members, 50 each) and runs its five; a member of a
quiet server then asks for one video. Timed on the production engine's dispatcher
(`Engine.dispatcher.dispatch`, the pass every command and every freed slot runs), with the
fake Kling and a notifier that only counts card edits:

- the first pass over the fresh backlog (every job read once, to be told its place);
- then, five times, a quiet member's job queued and the pass that follows: how long it took,
  whether the quiet job went to Kling, and how many cards the pass had edited.

Not part of the test run and not a timed test: a figure to compare before and after a change
to the queue (`--postgres` runs it on the local PostgreSQL instead of SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import KLING_TOKEN
from bench.scenarios.reservations import DEFAULT_POSTGRES, NoDiscord
from bot.config import Settings
from bot.engine import Engine
from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.store import Job, JobState
from testkit.fakes.kling import FakeKling
from testkit.postgres import throwaway_database
from testkit.queue_backlog import queue_backlog

BUSY, QUIET = 4242, 4343
BACKLOG, MEMBERS = 10_000, 200
ROUNDS = 5


class CountingCards(NoDiscord):
    """Counts the card edits passes cause; the rest of Discord is never reached."""

    edits = 0

    async def progress(self, job: Job) -> None:
        """A card edit the pass caused (Discord would be asked to make it)."""
        self.edits += 1


async def measure(database_url: str) -> None:
    """Seed the backlog, run the passes and print what they took."""
    async with FakeKling(token=KLING_TOKEN, processing_seconds=3600.0) as kling:
        kling.auto_finish = False
        settings = Settings(discord_token="unused", kling_api_token=KLING_TOKEN,
                            kling_api_base=kling.base_url, database_url=database_url,
                            default_credits_per_day=1000)
        cards = CountingCards()
        engine = Engine(settings, cards)
        await engine.store.open()
        try:
            await queue_backlog(engine.store, BACKLOG, guild_id=BUSY,  # type: ignore[arg-type]
                                members=MEMBERS, created_from=time.time() - 600.0)
            started = time.perf_counter()
            await engine.dispatcher.dispatch()
            first = time.perf_counter() - started
            await engine.jobs.idle()
            print(f"first pass over {BACKLOG} fresh jobs: {first * 1000:.0f} ms, "
                  f"{cards.edits} card edits, {kling.create_count} sent")
            passes = []
            for round_ in range(ROUNDS):
                cards.edits = 0
                quiet = await engine.jobs.reserve(JobRequest(
                    guild_id=QUIET, channel_id=20, user_id=500 + round_,
                    options=VideoOptions(action="text2video", prompt="a fox in the snow")))
                started = time.perf_counter()
                await engine.dispatcher.dispatch()
                passes.append(time.perf_counter() - started)
                await engine.jobs.idle()
                stored = await engine.store.get_job(quiet.id)
                sent = stored is not None and stored.state is not JobState.QUEUED
                print(f"pass {round_ + 1}: {passes[-1] * 1000:.1f} ms, quiet job sent: {sent}, "
                      f"{cards.edits} card edits")
            print(f"median pass: {statistics.median(passes) * 1000:.1f} ms")
        finally:
            await engine.close()


async def main() -> None:
    """Run on SQLite (a temporary file) or, with --postgres, a throwaway PostgreSQL database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, nargs="?", const=DEFAULT_POSTGRES,
                        help="run on PostgreSQL (server URL; default the local one)")
    args = parser.parse_args()
    if args.postgres:
        async with throwaway_database(args.postgres, prefix="klingcord_bench") as url:
            await measure(url)
        return
    with tempfile.TemporaryDirectory() as folder, contextlib.suppress(KeyboardInterrupt):
        await measure(f"sqlite:///{Path(folder) / 'queue.db'}")


if __name__ == "__main__":
    asyncio.run(main())
