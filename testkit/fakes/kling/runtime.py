"""What every part of the fake Kling shares while it runs: where it is served, its background
work (task finishers, callback senders), tracked so ``close()`` cancels it and its failures
stay visible, and pauses that end early when the fake closes, so shutdown never waits for a
slow knob."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

POLL_SECONDS = 0.01  # how often knob-driven waits re-check their flags


class Runtime:
    """The fake's address, background tasks and closing signal."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.closing = asyncio.Event()
        self.address: str | None = None
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; only valid after ``start()``."""
        if self.address is None:
            raise RuntimeError("FakeKling is not started")
        return self.address

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, tracked so close() can cancel it cleanly."""
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:  # a bug in the fake: keep it visible without crashing the loop
            self.errors.append(exc)
            log.error("FakeKling background task failed", exc_info=exc)

    async def pause(self, seconds: float) -> None:
        """Sleep, but wake early when the fake closes so shutdown never waits for a knob."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.closing.wait(), seconds)

    async def stop(self) -> None:
        """Signal closing and cancel every background task."""
        self.closing.set()
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._background.clear()
