"""The embedded store: one SQLite file through aiosqlite.

One connection writes. An asyncio lock makes each transaction whole within the process, and
`BEGIN IMMEDIATE` takes SQLite's write lock up front, so a check-then-insert in `reserve_job`
cannot interleave with another reservation, even from another process on the same file. A
second, read-only connection serves the reads made outside a transaction (WAL mode lets it read
while the writer writes), so reads never queue behind writes.

Each statement is one trip to aiosqlite's worker thread (`execute_fetchall`), and a trip costs
tens of microseconds. Transactions hold the write lock for all of theirs, so the number of
statements in a transaction is what bounds how many run per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.sql import SqlStore, Tx

# Tries at switching to WAL while another connection holds the file (20 s at 50 ms).
WAL_ATTEMPTS = 400

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
        # The row count is the change in the connection's total: nothing else runs on it
        # meanwhile (the store's lock), and it costs no trip to aiosqlite's thread, where a
        # cursor's rowcount and close would cost one more each.
        before = self.db.total_changes
        await self.db.execute_fetchall(sql, tuple(params))
        return self.db.total_changes - before

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        rows = await self.db.execute_fetchall(sql, tuple(params))
        return [dict(row) for row in rows]


class SQLiteStore(SqlStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("the store is not open")
        return self._reader

    async def _connect(self) -> aiosqlite.Connection:
        db = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA busy_timeout=30000")
        return db

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await self._connect()
        await self._use_wal(self._db)
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._migrate()
        self._reader = await self._connect()
        await self._reader.execute("PRAGMA query_only=ON")

    @staticmethod
    async def _use_wal(db: aiosqlite.Connection) -> None:
        """Switch to WAL. SQLite answers "database is locked" at once, without its busy
        handler, while another connection migrates the same file (a restart that overlaps
        the old process's last seconds): wait for it a while, as the busy timeout would."""
        for _ in range(WAL_ATTEMPTS - 1):
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                await asyncio.sleep(0.05)
        await db.execute("PRAGMA journal_mode=WAL")

    async def close(self) -> None:
        for db in (self._reader, self._db):
            if db is not None:
                await db.close()
        self._db = self._reader = None

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Tx]:
        async with self._lock:
            await self._begin()
            try:
                yield _Conn(self.db)
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def _begin(self) -> None:
        """BEGIN, safe against cancellation (a delivery's lease heartbeat is cancelled when the
        delivery ends, whatever it is doing). A cancelled await does not stop the statement in
        aiosqlite's thread: left alone, the BEGIN would leave the connection inside a
        transaction that nobody ends, and every later write would fail. So a cancelled BEGIN
        is waited for and rolled back, under the lock, before the cancellation goes on."""
        begin = asyncio.ensure_future(self.db.execute("BEGIN IMMEDIATE"))
        try:
            await asyncio.shield(begin)
        except asyncio.CancelledError:
            undo = asyncio.ensure_future(self._undo(begin))
            while not undo.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(undo)
            raise

    async def _undo(self, begin: asyncio.Future[Any]) -> None:
        with contextlib.suppress(Exception):
            await begin
            await self.db.execute("ROLLBACK")

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Tx]:
        # Reads outside a transaction use a connection of their own. In WAL mode it sees
        # every committed transaction and never half of one, and it does not wait for the
        # writer: a command's settings read does not queue behind other commands'
        # reservations. Each read is one statement, run whole in aiosqlite's thread.
        yield _Conn(self.reader)

    async def _lock_spender(self, tx: Tx, guild_id: int, user_id: int) -> None:
        """BEGIN IMMEDIATE already holds the database's single write lock."""

    @asynccontextmanager
    async def dispatch_guard(self) -> AsyncIterator[bool]:
        # One process owns a SQLite file; the job service's own lock is enough.
        yield True
