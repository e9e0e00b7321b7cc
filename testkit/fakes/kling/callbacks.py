"""Result callbacks: the POST the platform sends to a task's ``callback_url`` when it finishes,
with the knobs for the awkward cases (late, duplicated, suppressed) and re-sends on demand (after
a bot restart, to another URL). An unreachable bot is recorded, never raised."""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple

from aiohttp import ClientError, ClientSession, ClientTimeout

from testkit.fakes.kling.knobs import KlingKnobs


class CallbackRecord(NamedTuple):
    """One callback POST attempt: ``status`` is ``None`` if the bot could not be reached.

    A NamedTuple so tests can compare with plain tuples: ``fake.callback_log == [(tid, 200)]``.
    """

    task_id: str
    status: int | None


class CallbackSender:
    """Sends callbacks with its own client session; ``callback_log`` has every attempt."""

    def __init__(self, knobs: KlingKnobs) -> None:
        self._knobs = knobs
        self._session: ClientSession | None = None
        self.callback_log: list[CallbackRecord] = []
        self.callback_errors: list[tuple[str, str]] = []

    def open(self) -> None:
        """Open the client session (at start: it needs the running event loop)."""
        self._session = ClientSession(timeout=ClientTimeout(total=self._knobs.callback_timeout))

    async def close(self) -> None:
        """Close the client session; no callback can be sent until it is opened again."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def deliver(self, task_id: str, body: dict[str, Any], url: str) -> None:
        """The automatic callback of a finished task, honouring the callback knobs."""
        if self._knobs.callback_delay > 0:
            await asyncio.sleep(self._knobs.callback_delay)
        copies = max(1, self._knobs.callback_copies)
        await asyncio.gather(*(self._post(task_id, url, body) for _ in range(copies)))

    async def send(self, task_id: str, body: dict[str, Any], url: str,
                   copies: int) -> list[int | None]:
        """``copies`` callbacks now, whatever the knobs say; their statuses."""
        return list(
            await asyncio.gather(*(self._post(task_id, url, body) for _ in range(copies)))
        )

    async def _post(self, task_id: str, url: str, body: dict[str, Any]) -> int | None:
        """POST one callback; an unreachable bot is recorded (status None), never raised."""
        if self._session is None:
            raise RuntimeError("FakeKling is not started")
        status: int | None
        try:
            async with self._session.post(url, json=body) as resp:
                await resp.read()
                status = resp.status
        except (ClientError, OSError, TimeoutError) as exc:
            status = None
            self.callback_errors.append((task_id, type(exc).__name__))
        self.callback_log.append(CallbackRecord(task_id, status))
        return status
