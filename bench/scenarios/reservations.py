"""Reservations: how many the job service decides per second when 500 members all try to
spend more than they have at once, and whether any of them got more than their limit.

Measured on `JobService.reserve`, the first half of `JobService.request`: validate and price
the options, read the server's settings and the member's limit, then hold the credits and
write the job in one store transaction. The second half (posting the status card, dispatching
to Kling) is Discord and Kling I/O, not a reservation, and is measured by the other figures.
The engine is the production one (`bot.engine.Engine`); nothing else runs in the process.

Every member's limit is 10 credits, every job costs 1, and every member fires 12 requests at
once: 6,000 concurrent attempts, of which exactly 5,000 may succeed. Afterwards the ledger is
read back and checked. Each backend runs twice: with the members' limits alone (the figure
with the target), and with a server cap as well, equal to the sum of the members' limits, so
that the server check runs too and could be overspent as well. The server check sums the
server's spend for the period, so it costs more the more jobs the server ran that day.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.harness import KLING_TOKEN, Context, Figure
from bot.config import Settings
from bot.engine import Engine
from bot.errors import Notice
from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.publishing import Posted, ResultPost
from bot.quotas import QuotaExceeded
from bot.store import Job
from testkit.postgres import throwaway_database
from testkit.store_reads import server_spent

MEMBERS = 500
LIMIT = 10
ATTEMPTS = 12  # per member: two more than their credits allow
GUILD = 4242
TARGET_SQLITE = 1000.0
POSTGRES_ENV = "KLINGCORD_BENCH_POSTGRES"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


class NoDiscord:
    """A `JobNotifier` that is never called: `reserve` does no Discord I/O."""

    async def post_card(self, job: Job) -> int:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not post a card")

    async def start_thread(self, job: Job) -> int | None:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not start a thread")

    async def progress(self, job: Job) -> None:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not post progress")

    async def upload_limit(self, guild_id: int | None) -> int:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not deliver")

    async def post_result(self, post: ResultPost, *, resumed: bool = False) -> Posted:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not deliver")

    async def failed(self, job: Job) -> None:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not fail jobs")

    async def alert(self, guild_id: int | None, notice: Notice) -> None:
        """Never called during a reservation."""
        raise AssertionError("reserve() must not alert")


@dataclass
class Outcome:
    """One contest on one backend: how many attempts were accepted and how fast, and whether the
    ledger afterwards shows anyone over their limit or the server over its cap."""

    backend: str
    capped: bool
    attempts: int
    accepted: int
    refused: int
    seconds: float
    overspent_members: int
    over_cap: int
    ledger_rows: int

    @property
    def per_second(self) -> float:
        """Reservations decided per second, accepted and refused alike."""
        return self.attempts / self.seconds


async def contest(database_url: str, backend: str, *, capped: bool) -> Outcome:
    """Every member fires all their attempts at once against a fresh engine on `database_url`,
    then the ledger is read back and checked."""
    settings = Settings(discord_token="unused", kling_api_token=KLING_TOKEN,
                        kling_api_base="http://127.0.0.1:9", database_url=database_url,
                        default_credits_per_day=LIMIT)
    engine = Engine(settings, NoDiscord())
    await engine.store.open()
    try:
        if capped:
            await engine.store.set_guild_setting(GUILD, "server_cap", MEMBERS * LIMIT)
        options = VideoOptions(action="text2video", prompt="a paper boat on a river")

        async def attempt(user_id: int) -> bool:
            try:
                await engine.jobs.reserve(JobRequest(guild_id=GUILD, channel_id=1,
                                                     user_id=user_id, options=options,
                                                     explicit_mode=False))
            except QuotaExceeded:
                return False
            return True

        # Every member's attempts at once, interleaved member by member as a burst would be.
        attempts = [attempt(100 + member) for _ in range(ATTEMPTS) for member in range(MEMBERS)]
        started = time.perf_counter()
        results = await asyncio.gather(*attempts)
        seconds = time.perf_counter() - started

        # The ledger's word, not the callers': (user, credits, entries) for every spender.
        usage = await engine.store.usage(GUILD, 0.0, time.time() + 86_400, limit=MEMBERS * 2)
        server = await server_spent(engine.store, GUILD, 0.0)
    finally:
        await engine.close()
    accepted = sum(results)
    return Outcome(backend, capped, len(results), accepted, len(results) - accepted, seconds,
                   overspent_members=sum(1 for _, credits, _ in usage if credits > LIMIT),
                   over_cap=max(0, server - MEMBERS * LIMIT),
                   ledger_rows=sum(entries for _, _, entries in usage))


def throwaway_postgres() -> contextlib.AbstractAsyncContextManager[str]:
    """A fresh database on the local PostgreSQL, dropped afterwards."""
    return throwaway_database(os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
                              prefix="klingcord_bench")


def figure(outcome: Outcome, target: float | None) -> Figure:
    """The figure for one contest: met when nobody overspent and, given a target, fast enough."""
    sound = outcome.overspent_members == 0 and outcome.over_cap == 0 and \
        outcome.accepted == outcome.ledger_rows == MEMBERS * LIMIT
    fast = target is None or outcome.per_second > target
    goal = f"> {target:,.0f}/s, " if target is not None else ""
    overspent = f"overspent {outcome.overspent_members}"
    if outcome.capped:
        overspent += f", {outcome.over_cap} over the cap"
    return Figure(
        name=f"reservations, {outcome.backend}" + (" + server cap" if outcome.capped else ""),
        measured=f"{outcome.per_second:,.0f}/s; {overspent}",
        target=f"{goal}0 overspent",
        ok=sound and fast,
        notes=[f"{MEMBERS} members x {ATTEMPTS} concurrent attempts = {outcome.attempts:,} "
               f"in {outcome.seconds:.2f} s: {outcome.accepted:,} accepted (exactly "
               f"{MEMBERS * LIMIT:,} may be), {outcome.refused:,} refused; "
               f"{outcome.ledger_rows:,} ledger entries; members over their "
               f"limit: {outcome.overspent_members}"
               + (f"; credits over the server cap: {outcome.over_cap}" if outcome.capped
                  else "")],
    )


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring), on SQLite and, when it can be
    reached, PostgreSQL."""
    figures = [
        figure(await contest(ctx.sqlite_url("reservations.db"), "SQLite", capped=False),
               TARGET_SQLITE),
        figure(await contest(ctx.sqlite_url("reservations-cap.db"), "SQLite", capped=True),
               None),
    ]
    problem: Any = None
    try:
        for capped in (False, True):
            async with throwaway_postgres() as url:
                figures.append(figure(await contest(url, "PostgreSQL", capped=capped), None))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        problem = exc
    if problem is not None:
        figures.append(Figure(
            name="reservations, PostgreSQL", measured="not run", target="0 overspent",
            ok=False, notes=[f"PostgreSQL unreachable ({type(problem).__name__}); set "
                             f"{POSTGRES_ENV} to a server where the user may CREATE DATABASE"]))
    return figures
