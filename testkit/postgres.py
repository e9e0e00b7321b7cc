"""Throw-away PostgreSQL databases, for the tests and the benchmarks: each run gets an empty
database of its own on the local server, dropped afterwards, so runs stay independent and can
share a server with someone else's."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg

Connect = Callable[[str], Awaitable[asyncpg.Connection]]


async def plain_connect(dsn: str) -> asyncpg.Connection:
    """An asyncpg connection with a bounded wait, so a server that does not answer fails the run
    fast."""
    return await asyncpg.connect(dsn, timeout=10)


@asynccontextmanager
async def throwaway_database(admin_dsn: str, *, prefix: str = "klingcord_test",
                             connect: Connect = plain_connect) -> AsyncIterator[str]:
    """A fresh, empty database on the server of `admin_dsn`; its URL, then it is dropped."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = await connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield urlsplit(admin_dsn)._replace(path=f"/{name}").geturl()
    finally:
        admin = await connect(admin_dsn)
        try:
            # FORCE ends connections a failed run may have left open.
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
