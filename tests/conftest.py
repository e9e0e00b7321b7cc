"""Fixtures: the fake Kling server, and engines (the real core) wired to it.

Everything store-backed runs twice, on SQLite and on PostgreSQL (the `backend` fixture), so
the two backends are held to the same behaviour by the same tests. Each PostgreSQL test gets
a database of its own, created for it and dropped after it, so tests stay independent and can
run beside someone else's test run on the same server.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.clock import Clock
from bot.engine import Engine
from bot.kling.client import RetryPolicy
from bot.store import Store, make_store
from testkit.fakes.kling import FakeKling
from testkit.postgres import throwaway_database
from tests.support import KLING_TOKEN, RecordingNotifier, StoreFactory, make_settings

FAST_RETRY = RetryPolicy(query_attempts=3, create_attempts=4, base_delay=0.01, max_delay=0.05)

# The server the PostgreSQL variants run against; its database is only used to create and drop
# the per-test databases. Override it to point the tests at another server.
POSTGRES_ENV = "KLINGCORD_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgres"]

EngineFactory = Callable[..., Awaitable[tuple[Engine, RecordingNotifier]]]

# The Discord-level fixtures (the fake Discord, the running bot) live beside the others.
pytest_plugins = ["tests.discord_support"]


def postgres_admin_dsn() -> str:
    return os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES


async def _admin_connection(dsn: str) -> asyncpg.Connection:
    """Connect, or fail the test (never skip it): CI must not go green without PostgreSQL."""
    try:
        return await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    parts = urlsplit(dsn)
    shown = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")
                           ).geturl() if parts.password else dsn
    pytest.fail(
        f"PostgreSQL is unreachable at {shown} ({problem}). The PostgreSQL variants of the "
        f"tests need it: start it (pg_ctlcluster --skip-systemctl-redirect "
        f"$(ls /etc/postgresql) main start) or point {POSTGRES_ENV} at a server where the "
        f"user may CREATE DATABASE.", pytrace=False)


def throwaway_postgres() -> AbstractAsyncContextManager[str]:
    """A fresh database on the test server (failing the test if it cannot be reached)."""
    return throwaway_database(postgres_admin_dsn(), connect=_admin_connection)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which store the test runs on; every store-backed test runs once per backend."""
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A DATABASE_URL for an empty store of `backend`, private to this test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'klingcord.db'}"
        return
    async with throwaway_postgres() as url:
        yield url


@pytest.fixture
async def open_store(database_url: str) -> AsyncIterator[StoreFactory]:
    """Open store objects on the test's database (two of them are two bot processes); all
    are closed at the end."""
    stores: list[Store] = []

    async def factory() -> Store:
        store = make_store(database_url)
        stores.append(store)
        await store.open()
        return store

    yield factory
    for store in stores:
        await store.close()


@pytest.fixture
async def fake_kling() -> AsyncIterator[FakeKling]:
    async with FakeKling(token=KLING_TOKEN, processing_seconds=0.2) as fake:
        yield fake


@pytest.fixture
async def make_engine(tmp_path: Path, fake_kling: FakeKling, database_url: str
                      ) -> AsyncIterator[EngineFactory]:
    """Build and start engines; every one is closed at the end of the test.

    Engines built in one test share one database, as processes sharing a store would.
    """
    engines: list[Engine] = []

    async def factory(*, callbacks: bool = True, notifier: RecordingNotifier | None = None,
                      start: bool = True, clock: Clock = time.time, **overrides: Any
                      ) -> tuple[Engine, RecordingNotifier]:
        overrides = {"database_url": database_url, **overrides}
        settings = make_settings(tmp_path, fake_kling.base_url, callbacks=callbacks,
                                 **overrides)
        notifier = notifier or RecordingNotifier()
        engine = Engine(settings, notifier, retry=FAST_RETRY, clock=clock)
        if notifier.videos is None:
            notifier.videos = engine.videos
        engines.append(engine)
        if start:
            await engine.start()
        return engine, notifier

    yield factory
    for engine in engines:
        await engine.close()


@pytest.fixture
def no_error_logs(caplog: pytest.LogCaptureFixture) -> Any:
    """Fail a test in which anything logged at ERROR that the test did not expect."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"unexpected error logs: {[r.getMessage() for r in errors]}"
