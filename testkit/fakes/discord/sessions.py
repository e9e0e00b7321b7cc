"""One gateway session (a shard of one bot process): its sequence numbers and the frames it was
sent, kept after the socket drops so a RESUME can replay what the client missed."""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp import web

from testkit.fakes.discord.models import JSON


class GatewaySession:
    """One identified gateway session (a shard of one bot process).

    Kept after the socket drops so a RESUME can replay what the client missed.
    """

    def __init__(self, session_id: str, shard_id: int, shard_count: int, intents: int) -> None:
        self.session_id = session_id
        self.shard_id = shard_id
        self.shard_count = shard_count
        self.intents = intents
        self.seq = 0
        self.ws: web.WebSocketResponse | None = None
        self.sent: list[JSON] = []
        self.identified_at = time.monotonic()
        self._lock = asyncio.Lock()

    @property
    def live(self) -> bool:
        """Whether its socket is open: events reach the client now, not only on a RESUME."""
        return self.ws is not None and not self.ws.closed

    def owns(self, guild_id: int | None) -> bool:
        """Whether the guild's events go to this shard (Discord's sharding formula; DMs go to shard
        0)."""
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH frame with the next sequence number, and keep it for a replay. A dead
        socket is not an error: the client catches up on RESUME."""
        async with self._lock:
            self.seq += 1
            frame = {"op": 0, "t": event, "s": self.seq, "d": data}
            self.sent.append(frame)
            if self.live:
                assert self.ws is not None
                try:
                    await self.ws.send_str(json.dumps(frame))
                except (ConnectionError, RuntimeError):
                    pass

    async def replay_after(self, seq: int) -> None:
        """Send again, in order, every frame after `seq` (a RESUME on the new socket)."""
        async with self._lock:
            assert self.ws is not None
            for frame in self.sent:
                if frame["s"] > seq:
                    await self.ws.send_str(json.dumps(frame))
