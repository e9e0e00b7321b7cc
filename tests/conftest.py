"""Fixtures: the fake Kling server, and engines (the real core) wired to it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.kling.client import RetryPolicy
from tests.fakes.kling import FakeKling
from tests.support import KLING_TOKEN, RecordingNotifier, make_settings

FAST_RETRY = RetryPolicy(query_attempts=3, create_attempts=4, base_delay=0.01, max_delay=0.05)

EngineFactory = Callable[..., Awaitable[tuple[Engine, RecordingNotifier]]]


@pytest.fixture
async def fake_kling() -> AsyncIterator[FakeKling]:
    async with FakeKling(token=KLING_TOKEN, processing_seconds=0.2) as fake:
        yield fake


@pytest.fixture
async def make_engine(tmp_path: Path, fake_kling: FakeKling) -> AsyncIterator[EngineFactory]:
    """Build and start engines; every one is closed at the end of the test."""
    engines: list[Engine] = []

    async def factory(*, callbacks: bool = True, notifier: RecordingNotifier | None = None,
                      start: bool = True, **overrides: Any
                      ) -> tuple[Engine, RecordingNotifier]:
        settings = make_settings(tmp_path, fake_kling.base_url, callbacks=callbacks,
                                 **overrides)
        notifier = notifier or RecordingNotifier()
        engine = Engine(settings, notifier, retry=FAST_RETRY)
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
