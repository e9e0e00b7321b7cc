"""The gateway websocket (v10): HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME
with replay, member chunks, and the knobs tests use to break connections (RECONNECT, drops).

What is dispatched once a session is up is `events.Events`' business; this part only speaks
the protocol and keeps the sessions in the state.
"""

from __future__ import annotations

import json
import secrets

from aiohttp import WSMsgType, web

from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import PRIVILEGED_INTENTS
from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.sessions import GatewaySession
from testkit.fakes.discord.state import FakeState

TRACE = ["[\"fake-gateway\"]"]


class Gateway:
    """Serves gateway websockets and keeps their sessions in ``state.sessions``."""

    def __init__(self, state: FakeState, events: Events) -> None:
        self._state = state
        self._events = events
        self._sockets: set[web.WebSocketResponse] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of ``GET /`` (the gateway URL)."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: GatewaySession | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "s": None, "t": None, "d": {
                "heartbeat_interval": self._state.heartbeat_interval_ms, "_trace": TRACE}}))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "s": None, "t": None, "d": None}))
                elif op == 2:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated.")
                        break
                    session = await self._identify(ws, data)
                elif op == 6:
                    session = await self._resume(ws, data)
                elif op == 3:
                    self._state.presence_updates.append(data)
                elif op == 8 and session is not None:
                    await self._members_chunk(session, data)
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
            self._state.changed()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        state = self._state
        if data.get("token") != state.bot_token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~state.enabled_privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard_id, shard_count = data.get("shard") or [0, 1]
        if not 0 <= shard_id < shard_count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        session = GatewaySession(secrets.token_hex(16), shard_id, shard_count, intents)
        session.ws = ws
        state.sessions.append(session)
        ready = self._ready_payload(session)
        if data.get("shard") is not None:
            ready["shard"] = [shard_id, shard_count]
        await session.dispatch("READY", ready)
        for guild in list(state.guilds.values()):
            if session.owns(guild.id):
                await session.dispatch("GUILD_CREATE",
                                       self._events.guild_create_payload(guild, session))
        state.changed()
        return session

    def _ready_payload(self, session: GatewaySession) -> JSON:
        state = self._state
        return {
            "v": 10,
            "user": {**state.bot_user.payload(), "verified": True, "mfa_enabled": False,
                     "email": None},
            "guilds": [{"id": str(g), "unavailable": True}
                       for g in state.guilds if session.owns(g)],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": state.gateway_url,
            "application": {"id": str(state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": ["fake"],
            "guild_join_requests": [],
            "user_settings": {},
            "auth": {},
            "_trace": TRACE,
        }

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        state = self._state
        session = next((s for s in state.sessions if s.session_id == data.get("session_id")),
                       None)
        if session is None or data.get("token") != state.bot_token or session.live:
            await ws.send_str(json.dumps({"op": 9, "s": None, "t": None, "d": False}))
            return None
        session.ws = ws
        await session.replay_after(int(data.get("seq") or 0))
        await session.dispatch("RESUMED", {"_trace": TRACE})
        state.changed()
        return session

    async def _members_chunk(self, session: GatewaySession, data: JSON) -> None:
        guild = self._state.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [m.payload() for m in guild.members.values()
                   if not wanted or m.user.id in wanted]
        chunk: JSON = {"guild_id": str(guild.id), "members": members, "chunk_index": 0,
                       "chunk_count": 1}
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT to every live session (clients should RESUME)."""
        for session in self._state.sessions:
            if session.live:
                assert session.ws is not None
                await session.ws.send_str(json.dumps({"op": 7, "s": None, "t": None, "d": None}))

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000 = resumable 'unknown error')."""
        for ws in list(self._sockets):
            await ws.close(code=code)

    async def close(self) -> None:
        """Close every gateway socket with 1001 (going away), as the fake stops."""
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake discord closing")

    async def interaction_session(self, guild_id: int | None) -> GatewaySession:
        """Interactions go to exactly one session: the newest live one owning the shard."""
        sessions = await self._state.wait_until_connected(guild_id, timeout=10)
        return max(sessions, key=lambda s: s.identified_at)
