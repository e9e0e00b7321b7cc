"""Card edits paced per channel: Discord lets a bot edit about 5 messages per 5 s in one
channel, shared by every card in it. discord.py waits out the bucket, but in the order the edits
were asked for, so a busy channel would spend its edits on states nobody looks at any more (a
queue position that has moved twice since). The pacer sends one edit at a time per channel and,
while that one waits for the bucket, keeps only each card's latest state; the next edit sent is
the most recently changed card's ("newest state first"), and a superseded state is never sent.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable

import discord

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[None]]


class ChannelPacer:
    """One edit in flight per channel; pending edits keyed by card, the latest one wins."""

    def __init__(self) -> None:
        self._order = itertools.count()
        self._pending: dict[int, dict[str, tuple[int, Send]]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self.skipped = 0  # superseded edits never sent (for the logs and the tests)

    def submit(self, channel_id: int, key: str, send: Send) -> None:
        """Queue `send` (the edit of card `key` in `channel_id`), replacing an edit of the
        same card still waiting. Returns at once: the job goes on while its card waits."""
        waiting = self._pending.setdefault(channel_id, {})
        if key in waiting:
            self.skipped += 1
        waiting[key] = (next(self._order), send)
        if channel_id not in self._workers:
            self._workers[channel_id] = asyncio.create_task(self._work(channel_id),
                                                            name=f"cards-{channel_id}")

    def waiting(self, channel_id: int) -> int:
        """How many cards of the channel wait for an edit."""
        return len(self._pending.get(channel_id, {}))

    async def _work(self, channel_id: int) -> None:
        try:
            while waiting := self._pending.get(channel_id):
                key = max(waiting, key=lambda k: waiting[k][0])
                _, send = waiting.pop(key)
                try:
                    await send()
                except discord.HTTPException as exc:
                    # The card was deleted, or the channel closed to the bot: the job goes on.
                    log.warning("Card %s: edit refused (%s %s)", key, exc.status, exc.code)
                except Exception:
                    log.exception("Card %s: edit failed", key)
        finally:
            self._pending.pop(channel_id, None)
            self._workers.pop(channel_id, None)

    async def idle(self) -> None:
        """Wait until every edit asked for so far is sent (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def close(self) -> None:
        """Drop the edits still waiting (the process is stopping)."""
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._pending.clear()
