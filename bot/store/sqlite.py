"""The embedded store: one SQLite file through aiosqlite.

One connection writes. An asyncio lock makes each transaction whole within the process, and
`BEGIN IMMEDIATE` takes SQLite's write lock up front, so a check-then-insert in `reserve_job`
cannot interleave with another reservation, even from another process on the same file. A
second, read-only connection serves the reads made outside a transaction (WAL mode lets it read
while the writer writes), so reads never queue behind writes.

Each statement is one trip to aiosqlite's worker thread (`execute_fetchall`), and a trip costs
tens of microseconds, more when the event loop is busy. Transactions hold the write lock for all
of theirs, so the number of statements in a transaction is what bounds how many run per second.
Reservations, the one write every command makes, are therefore group-committed
(`bot.store.group_commit`): those that queue up meanwhile are written together by a third
connection in a thread of its own, one transaction, each reservation in a savepoint of it (its
checks, then its writes), in one trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.group_commit import GroupCommit
from bot.store.guild_cache import GuildCache
from bot.store.models import Job, Reservation
from bot.store.sql import (
    SqlStore,
    reservation_checks,
    reservation_outcome,
    reservation_writes,
)
from bot.store.sql_base import Tx

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


@dataclass(frozen=True)
class _Reserve:
    """One `reserve_job` call, waiting for its batch."""

    job: Job
    limit: int
    period_start: float
    server_cap: int | None


def _connect_batch_writer(path: Path) -> sqlite3.Connection:
    """The reservations' connection, opened in (and only used by) their thread."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _write_reservations(conn: sqlite3.Connection, batch: list[_Reserve]
                        ) -> list[Reservation | BaseException]:
    """Check and write each reservation in arrival order, each in a savepoint of one
    transaction (a later one sees the earlier ones' credits); one that fails is undone alone.
    Raises, with nothing written, when the transaction itself fails."""
    results: list[Reservation | BaseException] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for one in batch:
            conn.execute("SAVEPOINT reservation")
            try:
                sql, params = reservation_checks(one.job, one.period_start, one.server_cap)
                checks = dict(conn.execute(sql, params).fetchone())
                outcome = reservation_outcome(checks, one.job, one.limit, one.server_cap)
                if outcome.accepted:
                    for write, values in reservation_writes(one.job):
                        conn.execute(write, tuple(values))
            except Exception as exc:
                conn.execute("ROLLBACK TO reservation")
                results.append(exc)
            else:
                results.append(outcome)
            conn.execute("RELEASE reservation")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


class SQLiteStore(SqlStore):
    """`SqlStore` on one SQLite file (see the module's docstring): for one bot process, tests and
    the benchmarks; several processes need `PostgresStore`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self.guild_cache = GuildCache()
        self._batch_thread: ThreadPoolExecutor | None = None
        self._batch_writer: sqlite3.Connection | None = None
        self._reservations: GroupCommit[_Reserve, Reservation] = GroupCommit(
            self._reserve_batch)

    @property
    def db(self) -> aiosqlite.Connection:
        """The writing connection; raises RuntimeError before `open` or after `close`."""
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    @property
    def reader(self) -> aiosqlite.Connection:
        """The read-only connection; raises RuntimeError before `open` or after `close`."""
        if self._reader is None:
            raise RuntimeError("the store is not open")
        return self._reader

    async def _connect(self) -> aiosqlite.Connection:
        db = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA busy_timeout=30000")
        return db

    async def open(self) -> None:
        """Open the file in WAL mode, apply the migrations, then open the reader and the
        reservation writer."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await self._connect()
        await self._use_wal(self._db)
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._migrate()
        self._reader = await self._connect()
        await self._reader.execute("PRAGMA query_only=ON")
        self._batch_thread = ThreadPoolExecutor(1, thread_name_prefix="klingcord-reserve")
        self._batch_writer = await asyncio.get_running_loop().run_in_executor(
            self._batch_thread, _connect_batch_writer, self.path)

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
        """Flush the queued reservations first, then close the connections and the writer's
        thread."""
        await self._reservations.close()
        if self._batch_thread is not None:
            writer, self._batch_writer = self._batch_writer, None
            if writer is not None:
                await asyncio.get_running_loop().run_in_executor(self._batch_thread,
                                                                 writer.close)
            self._batch_thread.shutdown(wait=True)
            self._batch_thread = None
        for db in (self._reader, self._db):
            if db is not None:
                await db.close()
        self._db = self._reader = None

    async def reserve_job(self, job: Job, *, limit: int, period_start: float,
                          server_cap: int | None) -> Reservation:
        """As `SqlStore.reserve_job`, group-committed with the reservations queued
        meanwhile (see the module's docstring)."""
        return await self._reservations.submit(_Reserve(job, limit, period_start, server_cap))

    async def _reserve_batch(self, batch: list[_Reserve]) -> list[Reservation | BaseException]:
        """One trip to the reservations' thread, holding the store's write lock, so no other
        transaction of this process waits on SQLite's lock meanwhile."""
        if self._batch_thread is None or self._batch_writer is None:
            raise RuntimeError("the store is not open")
        writer = self._batch_writer
        async with self._lock:
            done = asyncio.get_running_loop().run_in_executor(
                self._batch_thread, _write_reservations, writer, batch)
            try:
                return await asyncio.shield(done)
            except asyncio.CancelledError:
                # The thread finishes the transaction whatever happens here; hold the lock
                # until it has, as `_begin` does for a cancelled BEGIN.
                with contextlib.suppress(BaseException):
                    await done
                raise

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
        """See `JobStore.dispatch_guard`; always True here."""
        # One process owns a SQLite file; the job service's own lock is enough.
        yield True
