"""The shared store: PostgreSQL through an asyncpg pool, for running several bot processes.

Every query lives in `SqlStore`, written once with `?` placeholders; this module only turns
them into asyncpg's `$n` and supplies the locks that SQLite gets for free from its single
writer:

- reservations take a transaction-scoped advisory lock per server, so the member and server
  credit checks in `reserve_job` cannot interleave with another process's reservation;
- the poller's claim appends `FOR UPDATE SKIP LOCKED`, so two processes never claim one job;
- the dispatch pass is guarded by a session advisory lock that only one process holds;
- migrations run under an advisory lock, so processes started together migrate once.

Transactions run at PostgreSQL's default READ COMMITTED: every statement sees what was
committed before it started, which is what makes a check made *after* taking a lock current.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from bot.store.guild_cache import GuildCache
from bot.store.sql import SqlStore
from bot.store.sql_base import Tx

log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def advisory_key(*parts: object) -> int:
    """A stable signed 64-bit advisory-lock key for `parts`.

    Python's `hash` is randomised per process, and every process must agree on the key, so
    this uses a real digest. The name goes into the key too, so keys for different purposes
    (spending, dispatch, migration) cannot collide with each other in practice.
    """
    text = ":".join(str(part) for part in ("klingcord", *parts))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


DISPATCH_LOCK = advisory_key("dispatch")
MIGRATE_LOCK = advisory_key("migrate")

_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=2048)
def to_dollar_params(sql: str) -> str:
    """`?` placeholders to `$1..$n`, in order.

    The shared SQL never has a `?` inside a string literal, so a plain scan is exact. Cached
    because the same few hundred statements are converted over and over.
    """
    counter = 0

    def number(_: re.Match[str]) -> str:
        nonlocal counter
        counter += 1
        return f"${counter}"

    return _PLACEHOLDER.sub(number, sql)


def affected_rows(status: str) -> int:
    """The row count in an asyncpg command status: "UPDATE 3" -> 3, "INSERT 0 1" -> 1.

    Commands that report no count ("CREATE TABLE", "BEGIN") count as 0, as they do for
    SQLite's cursor.
    """
    last = status.rsplit(" ", 1)[-1] if status else ""
    return int(last) if last.isdigit() else 0


class _PgConn:
    """The `Tx` protocol over one asyncpg connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        status = await self.conn.execute(to_dollar_params(sql), *params)
        return affected_rows(str(status))

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(to_dollar_params(sql), *params)
        return [dict(row) for row in rows]


class PostgresStore(SqlStore):
    """`SqlStore` on PostgreSQL; safe to share between any number of bot processes."""

    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self.guild_cache = GuildCache()

    @property
    def pool(self) -> asyncpg.Pool:
        """The open connection pool; raises RuntimeError before `open` or after `close`."""
        if self._pool is None:
            raise RuntimeError("the store is not open")
        return self._pool

    async def open(self) -> None:
        """Create the pool and apply the migrations; the pool is closed again if they fail."""
        self._pool = await asyncpg.create_pool(
            self.dsn, min_size=self.min_size, max_size=self.max_size)
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _migrate(self) -> None:
        """Migrate under a session advisory lock held on a connection of its own.

        Two processes starting at once would otherwise both see version 0 and both run
        CREATE TABLE; with the lock the second waits, then finds the schema current. The
        migration itself runs in one transaction (PostgreSQL DDL is transactional), so a
        failed migration leaves nothing half-applied.
        """
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1::bigint)", MIGRATE_LOCK)
            try:
                await super()._migrate()
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1::bigint)", MIGRATE_LOCK)

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Tx]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield _PgConn(conn)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Tx]:
        # Outside a transaction each statement autocommits and sees everything committed
        # before it started, like the SQLite store's reads between transactions.
        async with self.pool.acquire() as conn:
            yield _PgConn(conn)

    async def _lock_spender(self, tx: Tx, guild_id: int, user_id: int) -> None:
        """Serialise reservations per server until `tx` ends.

        Keyed on the server alone (not the member) because the server cap sums every
        member's spending: two members of one server reserving at once must not both pass
        the cap check. Reservations in different servers still run in parallel.
        """
        await tx.execute("SELECT pg_advisory_xact_lock(?::bigint)",
                         (advisory_key("spend", guild_id),))

    @asynccontextmanager
    async def dispatch_guard(self) -> AsyncIterator[bool]:
        """Hold a session advisory lock for the dispatch pass, or yield False at once.

        `pg_try_advisory_lock` never waits: a process that finds another one dispatching
        skips this pass instead of queueing behind it. The lock lives on a connection kept
        for the whole pass, and is released before the connection goes back to the pool.
        """
        async with self.pool.acquire() as conn:
            got = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1::bigint)",
                                           DISPATCH_LOCK))
            try:
                yield got
            finally:
                if got:
                    await conn.execute("SELECT pg_advisory_unlock($1::bigint)", DISPATCH_LOCK)
