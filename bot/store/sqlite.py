"""The embedded store: one SQLite file through aiosqlite.

One connection serves the process. An asyncio lock makes each transaction whole within the
process, and `BEGIN IMMEDIATE` takes SQLite's write lock up front, so a check-then-insert in
`reserve_job` cannot interleave with another reservation, even from another process on the
same file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.sql import SqlStore, Tx

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG, and some parameters are callback
# tokens (credentials). Its debug output is noise anyway; keep it above DEBUG.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


def sqlite_path(database_url: str) -> Path:
    """`sqlite:///data/x.db` is relative to the working directory; `sqlite:////abs` absolute."""
    return Path(database_url.removeprefix("sqlite:///"))


class _Conn:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self.db.execute(sql, tuple(params))
        count = cursor.rowcount
        await cursor.close()
        return max(count, 0)

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        async with self.db.execute(sql, tuple(params)) as cursor:
            rows = await cursor.fetchall()
        return [dict(row) for row in rows]


class SQLiteStore(SqlStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        self._db.row_factory = aiosqlite.Row
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA busy_timeout=30000")
        await self._migrate()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Tx]:
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield _Conn(self.db)
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Tx]:
        # Reads share the one connection; they never see half a transaction because writes
        # hold the lock from BEGIN to COMMIT and reads wait for it.
        async with self._lock:
            yield _Conn(self.db)

    async def _lock_spender(self, tx: Tx, guild_id: int, user_id: int) -> None:
        """BEGIN IMMEDIATE already holds the database's single write lock."""

    @asynccontextmanager
    async def dispatch_guard(self) -> AsyncIterator[bool]:
        # One process owns a SQLite file; the job service's own lock is enough.
        yield True
