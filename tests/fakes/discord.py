"""A fake Discord (REST API v10 and gateway v10) that the real discord.py client can talk to.

Why a wire-level fake: the bot's behaviour depends on what discord.py does with real payloads
(view routing, modal dispatch, permission caches, 413/429 handling). Mocking discord.py objects
would test our assumptions about discord.py, not the bot. This server speaks the same HTTP and
websocket protocol as Discord, so tests drive the *real* client, in-process or in a subprocess.

Typical use::

    fake = FakeDiscord()
    await fake.start()
    fake.patch_discord(monkeypatch)  # or give fake.api_base / fake.gateway_url to a subprocess
    ... start a bot with fake.bot_token ...
    inter = await fake.slash(fake.guild_id, fake.channel_id, user.id, "video", ["text"], {...})
    await fake.wait_for_request(lambda r: r.path.endswith("/callback"))
    await fake.close()

Payload shapes follow the Discord developer docs and what discord.py 2.7 reads (checked against
its source). Snowflakes are strings on the wire, ints in this module's Python API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import json
import mimetypes
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

JSON = dict[str, Any]

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000
MIB = 1024 * 1024
DEFAULT_FILESIZE_LIMIT = 10 * MIB
# Upload limit per boost tier, as Discord enforces it (discord.py's Guild.filesize_limit agrees).
TIER_FILESIZE_LIMITS = {0: 10 * MIB, 1: 10 * MIB, 2: 50 * MIB, 3: 100 * MIB}
MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_HAS_THREAD = 1 << 5
# Flags a sender may set; the rest are Discord-managed.
SETTABLE_MESSAGE_FLAGS = (1 << 2) | (1 << 6) | (1 << 12) | (1 << 15)
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)


class Permission(enum.IntFlag):
    """Discord permission bits (only the ones the bot and the fake care about, plus a few)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.CONNECT
    | Permission.SPEAK
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.SEND_MESSAGES_IN_THREADS
)
# Granted through the bot's managed role, so a test can take them away by editing that role.
DEFAULT_BOT_PERMISSIONS = (
    Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.MENTION_EVERYONE
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CREATE_PUBLIC_THREADS
)

THREAD_TYPES = (10, 11, 12)
TEXT_LIKE_TYPES = (0, 2, 5, 10, 11, 12, 13)
MENTION_USER_RE = re.compile(r"<@!?(\d{15,21})>")
MENTION_ROLE_RE = re.compile(r"<@&(\d{15,21})>")


def iso_now() -> str:
    """Discord-style ISO 8601 timestamp with explicit UTC offset."""
    return dt.datetime.now(dt.UTC).isoformat()


def to_json_bytes(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """JSON answer with ``Content-Type: application/json`` exactly.

    discord.py only decodes JSON when the header equals that string; aiohttp's
    ``json_response`` appends ``; charset=utf-8`` and breaks login.
    """
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=to_json_bytes(data), headers=all_headers)


class SnowflakeFactory:
    """Makes snowflakes whose timestamp part strictly increases.

    Strictly increasing milliseconds means consecutive guild ids land on alternating shards
    ((id >> 22) % shard_count), and discord.py's snowflake_time() stays near "now".
    """

    def __init__(self) -> None:
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        ms = max(int(time.time() * 1000), self._last_ms + 1)
        self._last_ms = ms
        self._increment = (self._increment + 1) % 4096
        return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | self._increment


class DiscordError(Exception):
    """An error answer exactly like Discord's: HTTP status plus ``{"message", "code"}``."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        out: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


def invalid_form(field_name: str, code: str, message: str) -> DiscordError:
    """400/50035 with the nested ``errors`` object Discord uses for validation failures."""
    errors: JSON = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field_name.split(".")):
        errors = {part: errors}
    return DiscordError(400, 50035, "Invalid Form Body", errors)


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None
    mentionable: bool = False

    def payload(self) -> JSON:
        out: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(int(self.permissions)),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            out["tags"] = {"bot_id": str(self.bot_id)}
        return out


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    def payload(self, *, with_user: bool = True) -> JSON:
        out: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            out["user"] = self.user.payload()
        return out


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(int(self.allow)),
            "deny": str(int(self.deny)),
        }


@dataclass
class Channel:
    id: int
    guild_id: int | None
    name: str
    type: int = 0
    position: int = 0
    parent_id: int | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    topic: str | None = None
    last_message_id: int | None = None
    # thread-only
    owner_id: int | None = None
    archived: bool = False
    auto_archive_duration: int = 1440
    created_at: str = field(default_factory=iso_now)
    message_count: int = 0
    # DM-only: the user on the other side of the bot's DM channel
    recipient_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def payload(self) -> JSON:
        last = str(self.last_message_id) if self.last_message_id else None
        out: JSON = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "last_message_id": last,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.guild_id is not None:
            out["guild_id"] = str(self.guild_id)
        if self.is_thread:
            out.update(
                owner_id=str(self.owner_id),
                member_count=1,
                message_count=self.message_count,
                total_message_sent=self.message_count,
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.created_at,
                    "locked": False,
                    "create_timestamp": self.created_at,
                    **({"invitable": True} if self.type == 12 else {}),
                },
            )
        else:
            out.update(
                position=self.position,
                permission_overwrites=[o.payload() for o in self.overwrites.values()],
                topic=self.topic,
                nsfw=False,
                default_auto_archive_duration=1440,
            )
        return out


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    premium_tier: int = 0
    explicit_filesize_limit: int | None = None
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    bot_role_id: int | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def filesize_limit(self) -> int:
        """What the fake enforces: explicit override, else the boost-tier table."""
        if self.explicit_filesize_limit is not None:
            return self.explicit_filesize_limit
        return TIER_FILESIZE_LIMITS.get(self.premium_tier, DEFAULT_FILESIZE_LIMIT)

    def base_payload(self) -> JSON:
        """The REST guild object (``GET /guilds/{id}``)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": self.premium_tier,
            "premium_subscription_count": {0: 0, 1: 2, 2: 7, 3: 14}.get(self.premium_tier, 0),
            "preferred_locale": self.preferred_locale,
            "public_updates_channel_id": None,
            "max_video_channel_users": 25,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
        }


@dataclass(frozen=True)
class AttachmentSpec:
    """A file a (fake) user attaches to a slash-command option or a message."""

    filename: str
    data: bytes | None = None
    size: int | None = None
    content_type: str | None = None
    width: int | None = None
    height: int | None = None

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        return bytes(self.size or 0)


@dataclass
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    field_name: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class RecordedRequest:
    """Everything a test might want to assert about one HTTP request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix, e.g. "/channels/1/messages"
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[UploadedFile]
    received_at: float
    status: int = 0
    response: Any = None

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


@dataclass
class InteractionCallback:
    """One ``POST /interactions/{id}/{token}/callback`` the bot made."""

    type: int
    data: JSON
    files: list[UploadedFile]
    received_at: float

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)


@dataclass
class Interaction:
    """An interaction the fake sent to the bot, and what the bot did with it."""

    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    payload: JSON
    created_at: float
    message_id: int | None = None  # the message a component/modal interaction came from
    responses: list[InteractionCallback] = field(default_factory=list)
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return bool(self.responses)


# --------------------------------------------------------------------------------------------
# Gateway
# --------------------------------------------------------------------------------------------


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
        return self.ws is not None and not self.ws.closed

    def owns(self, guild_id: int | None) -> bool:
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    async def dispatch(self, event: str, data: JSON) -> None:
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
        async with self._lock:
            assert self.ws is not None
            for frame in self.sent:
                if frame["s"] > seq:
                    await self.ws.send_str(json.dumps(frame))


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

Handler = Callable[["Req"], Any]


@dataclass
class Req:
    """A parsed REST request handed to route handlers."""

    request: web.Request
    params: dict[str, str]
    json: Any
    files: list[UploadedFile]
    record: RecordedRequest

    def int_param(self, name: str) -> int:
        return int(self.params[name])


@dataclass
class ResponseHold:
    """Holds back the answer to the first request matching `predicate`, after the request
    took effect (the message exists): the sender waits until `release()`. A test kills the
    sender meanwhile to crash it between Discord acting and the sender hearing of it."""

    predicate: Callable[[RecordedRequest], bool]
    record: RecordedRequest | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self._released.set()


@dataclass
class _FailureRule:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    remaining: int
    retry_after: float | None


class _FakeState:
    """Configuration and shared state. Each layer below adds one concern on top of it."""

    def __init__(
        self,
        *,
        application_id: int | None = None,
        bot_user_id: int | None = None,
        bot_token: str = "fake-bot-token",
        bot_name: str = "klingcord",
        token_lifetime: float = 15 * 60,
        callback_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41250,
        shards: int = 1,
        enabled_privileged_intents: int = 0,
    ) -> None:
        self.ids = SnowflakeFactory()
        self.application_id = application_id or self.ids.next()
        self.bot_user = User(bot_user_id or self.application_id, bot_name, bot=True)
        self.bot_token = bot_token
        self.token_lifetime = token_lifetime
        self.callback_deadline = callback_deadline
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.recommended_shards = shards
        self.enabled_privileged_intents = enabled_privileged_intents
        self.nonce_window = 5 * 60.0
        self.attachment_url_lifetime = 24 * 3600.0

        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, JSON] = {}
        self.attachment_blobs: dict[int, bytes] = {}
        self.commands: dict[int | None, list[JSON]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.sessions: list[GatewaySession] = []
        self.presence_updates: list[JSON] = []
        self._nonces: dict[tuple[int, int, str], tuple[float, int]] = {}
        self._failures: list[_FailureRule] = []
        self._holds: list[ResponseHold] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._sockets: set[web.WebSocketResponse] = set()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0


class _Waiting(_FakeState):
    """Waiting for outcomes without sleeping, and read-only inspection."""

    # ---------------------------------------------------------------- waiting

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(self, check: Callable[[], Any], timeout: float = 10,
                         what: str = "a condition") -> Any:
        """Re-evaluate ``check`` whenever the fake's state changes; return its first truthy
        result. Every request, message change and gateway (dis)connect wakes waiters."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake discord: timed out after {timeout}s waiting for {what}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            try:
                await asyncio.wait_for(fut, remaining)
            except TimeoutError:
                pass

    async def wait_for_request(self, predicate: Callable[[RecordedRequest], bool],
                               timeout: float = 10) -> RecordedRequest:
        """First recorded (answered) request matching ``predicate``, waiting if needed."""
        def check() -> RecordedRequest | None:
            return next((r for r in self.requests if r.status and predicate(r)), None)
        return await self.wait_until(check, timeout, "a matching request")

    async def wait_for_message(self, channel_id: int | None = None,
                               predicate: Callable[[JSON], bool] | None = None,
                               timeout: float = 10, include_ephemeral: bool = True) -> JSON:
        """First current message (after edits) in the channel matching ``predicate``."""
        def check() -> JSON | None:
            for msg in self.messages.values():
                if channel_id is not None and int(msg["channel_id"]) != channel_id:
                    continue
                if not include_ephemeral and msg["flags"] & MESSAGE_FLAG_EPHEMERAL:
                    continue
                if predicate is None or predicate(msg):
                    return msg
            return None
        return await self.wait_until(check, timeout, f"a message in {channel_id}")

    async def wait_for_response(self, interaction: Interaction | int,
                                timeout: float = 10) -> InteractionCallback:
        """The bot's first callback to an interaction."""
        inter = self._interaction(interaction)
        return await self.wait_until(lambda: inter.responses[0] if inter.responses else None,
                                      timeout, f"a response to interaction {inter.id}")

    async def wait_until_connected(self, guild_id: int | None = None, count: int = 1,
                                   timeout: float = 10) -> list[GatewaySession]:
        """Wait until ``count`` live sessions own the guild's shard (all shards if None)."""
        def check() -> list[GatewaySession] | None:
            live = [s for s in self.sessions if s.live and
                    (guild_id is None or s.owns(guild_id))]
            return live if len(live) >= count else None
        return await self.wait_until(check, timeout, "gateway sessions")

    # ---------------------------------------------------------------- inspection

    def interaction_responses(self, interaction: Interaction | int) -> list[InteractionCallback]:
        return list(self._interaction(interaction).responses)

    def messages_in(self, channel_id: int, include_ephemeral: bool = False) -> list[JSON]:
        """Current messages of a channel, oldest first (ephemeral ones only if asked)."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id
                and (include_ephemeral or not m["flags"] & MESSAGE_FLAG_EPHEMERAL)]

    def interaction_messages(self, interaction: Interaction | int) -> list[JSON]:
        """The original response (if any) then the followups, current state."""
        inter = self._interaction(interaction)
        ids = ([inter.original_message_id] if inter.original_message_id else [])
        ids += inter.followup_message_ids
        return [self.messages[i] for i in ids if i in self.messages]

    def attachment_bytes(self, attachment_id: int | str) -> bytes:
        return self.attachment_blobs[int(attachment_id)]

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method.upper() and pattern.search(r.path)]

    def _interaction(self, interaction: Interaction | int) -> Interaction:
        return interaction if isinstance(interaction, Interaction) else \
            self.interactions[int(interaction)]



class _Gateway(_Waiting):
    """Gateway websocket: HELLO, IDENTIFY/READY/GUILD_CREATE, RESUME, routing."""

    # ---------------------------------------------------------------- gateway server

    def _sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        return [s for s in self.sessions if s.live and s.owns(guild_id)]

    async def _dispatch_guild(self, event: str, data: JSON, guild_id: int | None,
                              intent: int = INTENT_GUILDS) -> None:
        for session in self._sessions_for(guild_id):
            if session.intents & intent:
                await session.dispatch(event, data)

    def _guild_create_payload(self, guild: Guild, session: GatewaySession) -> JSON:
        members = list(guild.members.values())
        if not session.intents & INTENT_GUILD_MEMBERS:
            members = [guild.members[self.bot_user.id]]
        out = guild.base_payload()
        out.update(
            joined_at=guild.joined_at,
            large=False,
            unavailable=False,
            member_count=len(guild.members),
            voice_states=[],
            members=[m.payload() for m in members],
            channels=[c.payload() for c in guild.channels.values() if not c.is_thread],
            threads=[c.payload() for c in guild.channels.values()
                     if c.is_thread and not c.archived],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            lazy=True,
        )
        return out

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: GatewaySession | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "s": None, "t": None, "d": {
                "heartbeat_interval": self.heartbeat_interval_ms,
                "_trace": ["[\"fake-gateway\"]"]}}))
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
                    self.presence_updates.append(data)
                elif op == 8 and session is not None:
                    await self._members_chunk(session, data)
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
            self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        if data.get("token") != self.bot_token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.enabled_privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard_id, shard_count = data.get("shard") or [0, 1]
        if not 0 <= shard_id < shard_count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        session = GatewaySession(secrets.token_hex(16), shard_id, shard_count, intents)
        session.ws = ws
        self.sessions.append(session)
        ready: JSON = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False,
                     "email": None},
            "guilds": [{"id": str(g), "unavailable": True}
                       for g in self.guilds if session.owns(g)],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": ["fake"],
            "guild_join_requests": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["[\"fake-gateway\"]"],
        }
        if data.get("shard") is not None:
            ready["shard"] = [shard_id, shard_count]
        await session.dispatch("READY", ready)
        for guild in list(self.guilds.values()):
            if session.owns(guild.id):
                await session.dispatch("GUILD_CREATE", self._guild_create_payload(guild, session))
        self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> GatewaySession | None:
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if session is None or data.get("token") != self.bot_token or session.live:
            await ws.send_str(json.dumps({"op": 9, "s": None, "t": None, "d": False}))
            return None
        session.ws = ws
        await session.replay_after(int(data.get("seq") or 0))
        await session.dispatch("RESUMED", {"_trace": ["[\"fake-gateway\"]"]})
        self._notify()
        return session

    async def _members_chunk(self, session: GatewaySession, data: JSON) -> None:
        guild = self.guilds.get(int(data["guild_id"]))
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
        for session in self.sessions:
            if session.live:
                assert session.ws is not None
                await session.ws.send_str(json.dumps({"op": 7, "s": None, "t": None, "d": None}))

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000 = resumable 'unknown error')."""
        for ws in list(self._sockets):
            await ws.close(code=code)

    async def _interaction_session(self, guild_id: int | None) -> GatewaySession:
        """Interactions go to exactly one session: the newest live one owning the shard."""
        sessions = await self.wait_until_connected(guild_id, timeout=10)
        return max(sessions, key=lambda s: s.identified_at)



class _World(_Gateway):
    """Guilds, channels, roles, members and Discord's permission algorithm."""

    # ---------------------------------------------------------------- world building

    def _new_guild(
        self,
        guild_id: int | None,
        name: str,
        *,
        owner_id: int | None,
        premium_tier: int,
        filesize_limit: int | None,
        channels: Iterable[str],
        locale: str,
    ) -> Guild:
        gid = guild_id or self.ids.next()
        if owner_id is None:
            owner = self._ensure_user(None, f"owner-{gid % 10000}")
            owner_id = owner.id
        guild = Guild(gid, name, owner_id, premium_tier, filesize_limit, locale)
        guild.roles[gid] = Role(gid, "@everyone", int(DEFAULT_EVERYONE_PERMISSIONS))
        bot_role = Role(self.ids.next(), self.bot_user.username, int(DEFAULT_BOT_PERMISSIONS),
                        position=1, managed=True, bot_id=self.bot_user.id)
        guild.roles[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        guild.members[self.bot_user.id] = Member(self.bot_user, gid, [bot_role.id])
        guild.members[owner_id] = Member(self._ensure_user(owner_id, "owner"), gid)
        self.guilds[gid] = guild
        for position, channel_name in enumerate(channels):
            self._new_channel(guild, channel_name, 0, position=position)
        return guild

    def _new_channel(self, guild: Guild | None, name: str, type_: int, *, position: int = 0,
                     parent_id: int | None = None, channel_id: int | None = None) -> Channel:
        channel = Channel(channel_id or self.ids.next(), guild.id if guild else None, name, type_,
                          position, parent_id)
        if guild is not None:
            guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def _ensure_user(self, user_id: int | None, name: str) -> User:
        if user_id is not None and user_id in self.users:
            return self.users[user_id]
        user = User(user_id or self.ids.next(), name)
        self.users[user.id] = user
        return user

    async def add_guild(
        self,
        guild_id: int | None = None,
        name: str = "Another Guild",
        *,
        owner_id: int | None = None,
        premium_tier: int = 0,
        filesize_limit: int | None = None,
        channels: Iterable[str] = ("general",),
        locale: str = "en-US",
    ) -> Guild:
        """Create a guild the bot is in (with @everyone, the bot's managed role, the bot member,
        an owner and text channels); connected sessions owning its shard get GUILD_CREATE."""
        guild = self._new_guild(guild_id, name, owner_id=owner_id, premium_tier=premium_tier,
                                filesize_limit=filesize_limit, channels=channels, locale=locale)
        for session in self._sessions_for(guild.id):
            await session.dispatch("GUILD_CREATE", self._guild_create_payload(guild, session))
        return guild

    def new_guild_id(self, shard_id: int = 0, shard_count: int = 1) -> int:
        """A fresh snowflake for a guild that Discord would route to ``shard_id``."""
        while True:
            candidate = self.ids.next()
            if (candidate >> 22) % shard_count == shard_id:
                return candidate

    async def add_channel(self, guild_id: int, name: str, type_: int = 0,
                          parent_id: int | None = None) -> Channel:
        """Create a guild channel and dispatch CHANNEL_CREATE."""
        guild = self.guilds[guild_id]
        channel = self._new_channel(guild, name, type_, position=len(guild.channels),
                                    parent_id=parent_id)
        await self._dispatch_guild("CHANNEL_CREATE", channel.payload(), guild_id)
        return channel

    async def add_role(self, guild_id: int, name: str, permissions: int = 0) -> Role:
        """Create a role and dispatch GUILD_ROLE_CREATE."""
        guild = self.guilds[guild_id]
        role = Role(self.ids.next(), name, int(permissions), position=len(guild.roles))
        guild.roles[role.id] = role
        await self._dispatch_guild("GUILD_ROLE_CREATE",
                                   {"guild_id": str(guild_id), "role": role.payload()}, guild_id)
        return role

    async def add_member(
        self,
        guild_id: int,
        user_id: int | None = None,
        name: str = "user",
        roles: Sequence[int] = (),
        permissions: int | None = None,
    ) -> Member:
        """Add a (human) member. ``permissions`` creates a personal role granting them;
        e.g. ``permissions=Permission.MANAGE_GUILD`` makes a moderator."""
        guild = self.guilds[guild_id]
        user = self._ensure_user(user_id, name)
        member_roles = list(roles)
        if permissions is not None:
            role = await self.add_role(guild_id, f"{name}-role", permissions)
            member_roles.append(role.id)
        member = Member(user, guild_id, member_roles)
        guild.members[user.id] = member
        data = {"guild_id": str(guild_id), **member.payload()}
        for session in self._sessions_for(guild_id):
            if session.intents & INTENT_GUILD_MEMBERS:
                await session.dispatch("GUILD_MEMBER_ADD", data)
        return member

    async def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions (e.g. the bot role) and dispatch GUILD_ROLE_UPDATE,
        as Discord does, so discord.py's permission cache agrees with the fake."""
        role = self.guilds[guild_id].roles[role_id]
        role.permissions = int(permissions)
        await self._dispatch_guild("GUILD_ROLE_UPDATE",
                                   {"guild_id": str(guild_id), "role": role.payload()}, guild_id)

    async def set_bot_permissions(self, guild_id: int, permissions: int) -> None:
        """Set the permissions of the bot's managed role (on top of @everyone's)."""
        role_id = self.guilds[guild_id].bot_role_id
        assert role_id is not None
        await self.set_role_permissions(guild_id, role_id, permissions)

    async def set_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0,
                            deny: int = 0) -> None:
        """Set a channel permission overwrite for a role or member; dispatch CHANNEL_UPDATE."""
        channel = self.channels[channel_id]
        assert channel.guild_id is not None
        guild = self.guilds[channel.guild_id]
        kind = 0 if target_id in guild.roles else 1
        channel.overwrites[target_id] = Overwrite(target_id, kind, int(allow), int(deny))
        await self._dispatch_guild("CHANNEL_UPDATE", channel.payload(), guild.id)

    async def open_dm(self, user_id: int) -> Channel:
        """The DM channel between a user and the bot (type 1, no guild)."""
        for channel in self.channels.values():
            if channel.type == 1 and channel.recipient_id == user_id:
                return channel
        channel = self._new_channel(None, "", 1)
        channel.recipient_id = user_id
        return channel

    async def add_user(self, name: str = "user") -> User:
        """A Discord user who shares no guild with the bot (e.g. someone who left)."""
        return self._ensure_user(None, name)

    def set_filesize_limit(self, guild_id: int, limit: int | None) -> None:
        """Override the enforced upload limit (None: back to the boost-tier table)."""
        self.guilds[guild_id].explicit_filesize_limit = limit

    def hold_response(self, predicate: Callable[[RecordedRequest], bool]) -> ResponseHold:
        """Answer the next request matching ``predicate`` only when the returned hold is
        released (see `ResponseHold`); closing the fake releases every hold."""
        hold = ResponseHold(predicate)
        self._holds.append(hold)
        return hold

    def fail_next(self, method: str, path_regex: str, status: int, body: Any = None,
                  times: int = 1, retry_after: float | None = None) -> None:
        """Make the next ``times`` requests matching method + ``re.search(path_regex, path)``
        fail. ``path`` excludes ``/api/v10``. 429s get Discord's rate-limit headers."""
        self._failures.append(_FailureRule(method.upper(), re.compile(path_regex), status, body,
                                           times, retry_after))

    # ---------------------------------------------------------------- permissions

    def base_permissions(self, guild_id: int, user_id: int) -> int:
        """Guild-level permissions: owner/admin get everything, else @everyone | roles."""
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        perms = guild.roles[guild_id].permissions
        for role_id in member.roles if member else []:
            if role_id in guild.roles:
                perms |= guild.roles[role_id].permissions
        if perms & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        """Discord's algorithm: base perms, then @everyone / role / member overwrites of the
        channel (a thread uses its parent's); no VIEW_CHANNEL means nothing at all."""
        channel = self.channels[channel_id]
        if channel.guild_id is None:
            return ALL_PERMISSIONS
        perms = self.base_permissions(channel.guild_id, user_id)
        if perms == ALL_PERMISSIONS:
            return perms
        source = self.channels[channel.parent_id] if channel.is_thread and channel.parent_id \
            else channel
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(user_id)
        everyone = source.overwrites.get(guild.id)
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.roles if member else []:
            ow = source.overwrites.get(role_id)
            if ow and ow.type == 0:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        own = source.overwrites.get(user_id)
        if own and own.type == 1:
            perms = (perms & ~own.deny) | own.allow
        if not perms & Permission.VIEW_CHANNEL:
            return 0
        return perms

    def _require(self, channel_id: int, perms: int, user_id: int | None = None) -> None:
        have = self.channel_permissions(channel_id, user_id or self.bot_user.id)
        if not have & Permission.VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if have & perms != perms:
            raise DiscordError(403, 50013, "Missing Permissions")



class _RestApi(_World):
    """REST plumbing (recording, auth, injected failures) and read routes."""

    # ---------------------------------------------------------------- REST plumbing

    def _route(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler))

    async def _parse_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        ctype = request.content_type
        if ctype == "multipart/form-data":
            payload: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                data = await part.read(decode=False)  # type: ignore[union-attr]
                name = part.name or ""  # type: ignore[union-attr]
                if name == "payload_json":
                    payload = json.loads(data)
                else:
                    files.append(UploadedFile(
                        name, part.filename or name,  # type: ignore[union-attr]
                        part.headers.get("Content-Type"), bytes(data)))
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        if ctype == "application/json":
            return json.loads(raw), []
        return raw.decode(errors="replace"), []

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        body, files = await self._parse_body(request)
        record = RecordedRequest(
            method=request.method,
            path=path[len(API_PREFIX):] if path.startswith(API_PREFIX) else path,
            query=dict(request.query),
            headers=dict(request.headers),
            json=body,
            files=files,
            received_at=time.monotonic(),
        )
        self.requests.append(record)
        try:
            response = await self._answer(request, record)
        except DiscordError as exc:
            response = json_response(exc.body(), exc.status)
        record.status = response.status
        body_bytes = getattr(response, "body", None)
        if isinstance(body_bytes, bytes) and body_bytes:
            record.response = json.loads(body_bytes)
        self._notify()
        hold = next((h for h in self._holds if h.record is None and h.predicate(record)), None)
        if hold is not None:
            hold.record = record
            self._notify()
            await hold._released.wait()
        return response

    async def _answer(self, request: web.Request, record: RecordedRequest) -> web.Response:
        if not request.path.startswith(API_PREFIX):
            self.unknown_requests.append(record)
            raise DiscordError(404, 0, "404: Not Found")
        failure = self._take_failure(record)
        if failure is not None:
            return failure
        found = self._match_route(record)
        if found is None:
            self.unknown_requests.append(record)
            raise DiscordError(404, 0, "404: Not Found")
        handler, match = found
        public = record.path.startswith(("/interactions/", "/webhooks/", "/gateway"))
        if not public and request.headers.get("Authorization") != f"Bot {self.bot_token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        req = Req(request, match.groupdict(), record.json, record.files, record)
        result = handler(req)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, web.Response):
            return result
        if result is None:
            return web.Response(status=204)
        return json_response(result)

    def _match_route(self, record: RecordedRequest) -> tuple[Handler, re.Match[str]] | None:
        for method, regex, handler in self._routes:
            match = regex.match(record.path)
            if match and method == record.method:
                return handler, match
        return None

    def _take_failure(self, record: RecordedRequest) -> web.Response | None:
        for rule in self._failures:
            if rule.remaining > 0 and rule.method == record.method and \
                    rule.pattern.search(record.path):
                rule.remaining -= 1
                headers: dict[str, str] = {}
                body = rule.body
                if rule.status == 429:
                    retry = rule.retry_after if rule.retry_after is not None else 0.05
                    headers = {
                        "Via": "1.1 google",
                        "Retry-After": str(max(1, int(retry + 0.999))),
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
                        "X-RateLimit-Reset-After": f"{retry:.3f}",
                        "X-RateLimit-Bucket": "fake" + secrets.token_hex(8),
                        "X-RateLimit-Scope": "user",
                    }
                    if body is None:
                        body = {"message": "You are being rate limited.", "retry_after": retry,
                                "global": False}
                elif body is None:
                    body = {"message": f"{rule.status}: fake failure", "code": 0}
                return json_response(body, rule.status, headers)
        return None

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        """CDN stand-in: serves stored attachments until their signed URL expires."""
        expires = request.query.get("ex")
        if expires and int(expires, 16) < time.time():
            return web.Response(status=404, text="This content is no longer available.")
        blob = self.attachment_blobs.get(int(request.match_info["attachment_id"]))
        if blob is None:
            return web.Response(status=404, text="Not Found")
        ctype = mimetypes.guess_type(request.match_info["filename"])[0]
        return web.Response(body=blob, content_type=ctype or "application/octet-stream")

    # ---------------------------------------------------------------- simple REST handlers

    def _get_gateway(self, req: Req) -> JSON:
        return {"url": self.gateway_url.rstrip("/")}

    def _get_gateway_bot(self, req: Req) -> JSON:
        return {
            "url": self.gateway_url.rstrip("/"),
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000,
                                    "max_concurrency": 1},
        }

    def _application_payload(self) -> JSON:
        owner = self.users[next(iter(self.guilds.values())).owner_id] if self.guilds \
            else self.bot_user
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "owner": owner.payload(),
            "team": None,
            "bot": self.bot_user.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}},
        }

    def _get_user(self, req: Req) -> JSON:
        user = self.users.get(req.int_param("user_id"))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return user.payload()

    def _guild(self, req: Req) -> Guild:
        guild = self.guilds.get(req.int_param("guild_id"))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    def _get_guild(self, req: Req) -> JSON:
        guild = self._guild(req)
        out = guild.base_payload()
        if req.record.query.get("with_counts") in ("true", "1"):
            out.update(approximate_member_count=len(guild.members),
                       approximate_presence_count=0)
        return out

    def _get_guild_channels(self, req: Req) -> list[JSON]:
        return [c.payload() for c in self._guild(req).channels.values() if not c.is_thread]

    def _get_guild_roles(self, req: Req) -> list[JSON]:
        return [r.payload() for r in self._guild(req).roles.values()]

    def _get_member(self, req: Req) -> JSON:
        member = self._guild(req).members.get(req.int_param("user_id"))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return member.payload()

    def _channel(self, req: Req, *, need: int = 0) -> Channel:
        channel = self.channels.get(req.int_param("channel_id"))
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        if channel.guild_id is not None:
            self._require(channel.id, need | Permission.VIEW_CHANNEL)
        return channel

    def _get_channel(self, req: Req) -> JSON:
        return self._channel(req).payload()

    def _message(self, req: Req, channel: Channel) -> JSON:
        msg = self.messages.get(req.int_param("message_id"))
        if msg is None or int(msg["channel_id"]) != channel.id or \
                msg["flags"] & MESSAGE_FLAG_EPHEMERAL:
            raise DiscordError(404, 10008, "Unknown Message")
        return msg

    def _get_messages(self, req: Req) -> list[JSON]:
        """GET /channels/{id}/messages as Discord answers it: newest first, `limit` 1..100
        (default 50), at most one of `before`, `after` (the oldest ones after it) and
        `around`. Ids are snowflakes, so id order is time order."""
        channel = self._channel(req, need=Permission.READ_MESSAGE_HISTORY)
        query = req.record.query
        limit = int(query.get("limit", 50))
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "NUMBER_TYPE_MAX", "int value should be 1 to 100.")
        newest_first = sorted(self.messages_in(channel.id), key=lambda m: -int(m["id"]))
        if "before" in query:
            return [m for m in newest_first if int(m["id"]) < int(query["before"])][:limit]
        if "after" in query:
            later = [m for m in newest_first if int(m["id"]) > int(query["after"])]
            return later[-limit:]
        if "around" in query:
            pivot, half = int(query["around"]), limit // 2
            newer = [m for m in newest_first if int(m["id"]) > pivot][-half:] if half else []
            older = [m for m in newest_first if int(m["id"]) <= pivot]
            return newer + older[:limit - len(newer)]
        return newest_first[:limit]

    def _get_message(self, req: Req) -> JSON:
        channel = self._channel(req, need=Permission.READ_MESSAGE_HISTORY)
        return self._message(req, channel)

    # ---------------------------------------------------------------- commands

    def _command_scope(self, req: Req) -> int | None:
        if int(req.params["app_id"]) != self.application_id:
            raise DiscordError(403, 20012,
                               "You are not authorized to perform this action on this application")
        if "guild_id" in req.params:
            return self._guild(req).id
        return None

    def _get_commands(self, req: Req) -> list[JSON]:
        return self.commands.get(self._command_scope(req), [])

    def _get_command(self, req: Req) -> JSON:
        for cmd in self._get_commands(req):
            if cmd["id"] == req.params["command_id"]:
                return cmd
        raise DiscordError(404, 10063, "Unknown application command")

    def _delete_command(self, req: Req) -> None:
        scope = self._command_scope(req)
        before = self.commands.get(scope, [])
        self.commands[scope] = [c for c in before if c["id"] != req.params["command_id"]]
        if len(before) == len(self.commands[scope]):
            raise DiscordError(404, 10063, "Unknown application command")

    def _put_commands(self, req: Req) -> list[JSON]:
        scope = self._command_scope(req)
        if not isinstance(req.json, list):
            raise invalid_form("_root", "LIST_TYPE_CONVERT", "Only iterables may be used in a "
                                                             "ListType")
        old = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
        stored = [self._store_command(scope, body, old, f"{i}")
                  for i, body in enumerate(req.json)]
        self.commands[scope] = stored
        return stored

    def _post_command(self, req: Req) -> web.Response:
        scope = self._command_scope(req)
        existing = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
        cmd = self._store_command(scope, req.json, existing, "")
        key = (cmd["name"], cmd["type"])
        cmds = [c for c in self.commands.get(scope, []) if (c["name"], c["type"]) != key]
        self.commands[scope] = [*cmds, cmd]
        return json_response(cmd, 200 if key in existing else 201)

    def _store_command(self, scope: int | None, body: JSON,
                       old: dict[tuple[str, int], JSON], where: str) -> JSON:
        """Validate like Discord (names, lengths, counts, required-first) and fill server
        fields (id kept across overwrites, version, application_id, guild_id)."""
        prefix = f"{where}." if where else ""
        type_ = int(body.get("type", 1))
        self._validate_command(body, type_, prefix)
        previous = old.get((body["name"], type_))
        cmd: JSON = {
            "id": previous["id"] if previous else str(self.ids.next()),
            "application_id": str(self.application_id),
            "version": str(self.ids.next()),
            "type": type_,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": body.get("nsfw", False),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types", [0]),
        }
        if type_ == 1:
            cmd["options"] = body.get("options", [])
        if scope is not None:
            cmd["guild_id"] = str(scope)
        return cmd

    def _validate_command(self, body: JSON, type_: int, prefix: str) -> None:
        name = body.get("name", "")
        if type_ == 1:
            if not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
                raise invalid_form(f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME",
                                   "Command name is invalid")
            if not 1 <= len(body.get("description", "")) <= 100:
                raise invalid_form(f"{prefix}description", "BASE_TYPE_BAD_LENGTH",
                                   "Must be between 1 and 100 in length.")
            self._validate_options(body.get("options", []), f"{prefix}options")
        elif not 1 <= len(name) <= 32:
            raise invalid_form(f"{prefix}name", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 32 in length.")

    def _validate_options(self, options: list[JSON], prefix: str) -> None:
        if len(options) > 25:
            raise invalid_form(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        seen_optional = False
        for i, opt in enumerate(options):
            where = f"{prefix}.{i}"
            if not re.fullmatch(r"[-_\w]{1,32}", opt.get("name", "")):
                raise invalid_form(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME",
                                   "Command name is invalid")
            if not 1 <= len(opt.get("description", "")) <= 100:
                raise invalid_form(f"{where}.description", "BASE_TYPE_BAD_LENGTH",
                                   "Must be between 1 and 100 in length.")
            if len(opt.get("choices") or []) > 25:
                raise invalid_form(f"{where}.choices", "BASE_TYPE_MAX_LENGTH",
                                   "Must be 25 or fewer in length.")
            for bound in ("min_length", "max_length"):
                if bound in opt and not 0 <= int(opt[bound]) <= 6000:
                    raise invalid_form(f"{where}.{bound}", "NUMBER_TYPE_MAX",
                                       "int value should be less than or equal to 6000.")
            if opt.get("type") in (1, 2):
                self._validate_options(opt.get("options", []), f"{where}.options")
            elif opt.get("required"):
                if seen_optional:
                    raise invalid_form(f"{where}", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                       "Required options must be placed before non-required "
                                       "options")
            else:
                seen_optional = True



class _Messages(_RestApi):
    """Channel messages, uploads, mentions, nonces and threads."""

    # ---------------------------------------------------------------- messages

    def _check_upload(self, files: list[UploadedFile], limit: int) -> None:
        if sum(f.size for f in files) > limit:
            raise DiscordError(413, 40005, "Request entity too large")

    def _validate_message_body(self, body: JSON, files: list[UploadedFile], *,
                               creating: bool) -> None:
        content = body.get("content")
        if content is not None and len(str(content)) > 2000:
            raise invalid_form("content", "BASE_TYPE_MAX_LENGTH",
                               "Must be 2000 or fewer in length.")
        if len(body.get("embeds") or []) > 10:
            raise invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        _validate_embeds(body.get("embeds") or [])
        components = body.get("components") or []
        v2 = int(body.get("flags") or 0) & (1 << 15)
        if not v2:
            if len(components) > 5:
                raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                                   "Must be 5 or fewer in length.")
            for i, row in enumerate(components):
                if len(row.get("components", [])) > 5:
                    raise invalid_form(f"components.{i}.components", "BASE_TYPE_MAX_LENGTH",
                                       "Must be 5 or fewer in length.")
        for comp in _walk_components(components):
            if len(comp.get("custom_id") or "") > 100:
                raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                                   "custom_id must be 100 or fewer in length.")
            if comp.get("type") == 2 and (len(comp.get("url") or "") > 512
                                          or len(comp.get("label") or "") > 80):
                raise invalid_form("components", "BASE_TYPE_MAX_LENGTH",
                                   "A button's url must be 512 and its label 80 or fewer "
                                   "in length.")
        if creating and not (content or body.get("embeds") or files or components
                             or body.get("sticker_ids") or body.get("poll")):
            raise DiscordError(400, 50006, "Cannot send an empty message")

    def _build_attachments(self, channel_id: int, body: JSON, files: list[UploadedFile],
                           keep: list[JSON]) -> list[JSON]:
        """Attachment objects for uploaded ``files[n]`` (metadata from ``attachments``)."""
        meta = {str(a.get("id")): a for a in body.get("attachments") or []}
        out = list(keep)
        for upload in files:
            index = upload.field_name.removeprefix("files[").removesuffix("]")
            info = meta.get(index, {})
            filename = info.get("filename") or upload.filename
            out.append(self._store_attachment(channel_id, filename, upload.data,
                                              upload.content_type, info.get("description")))
        return out

    def _store_attachment(self, channel_id: int, filename: str, data: bytes,
                          content_type: str | None, description: str | None = None,
                          width: int | None = None, height: int | None = None) -> JSON:
        att_id = self.ids.next()
        self.attachment_blobs[att_id] = data
        ctype = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        issued = int(time.time())
        sig = f"?ex={issued + int(self.attachment_url_lifetime):x}&is={issued:x}" \
              f"&hm={secrets.token_hex(16)}&"
        path = f"/attachments/{channel_id}/{att_id}/{filename}"
        out: JSON = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data),
            "url": f"{self.base_url}{path}{sig}",
            "proxy_url": f"{self.base_url}{path}{sig}",
            "content_type": ctype,
            "content_scan_version": 0,
        }
        if description:
            out["description"] = description
        if width is not None:
            out.update(width=width, height=height)
        return out

    def _mentions(self, guild: Guild | None, channel_id: int, author_id: int, content: str,
                  allowed: JSON | None) -> tuple[bool, list[JSON], list[str]]:
        """Discord's mention resolution: what may ping depends on ``allowed_mentions``
        (absent = parse everything) and, for @everyone/@here, on MENTION_EVERYONE."""
        parse = ["users", "roles", "everyone"] if allowed is None else \
            list(allowed.get("parse") or [])
        users_ok = {int(u) for u in (allowed or {}).get("users") or []}
        roles_ok = {int(r) for r in (allowed or {}).get("roles") or []}
        everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse and \
            bool(self.channel_permissions(channel_id, author_id) & Permission.MENTION_EVERYONE)
        mentions: list[JSON] = []
        seen: set[int] = set()
        for raw in MENTION_USER_RE.findall(content):
            uid = int(raw)
            if uid in seen or uid not in self.users or not ("users" in parse or uid in users_ok):
                continue
            seen.add(uid)
            user = self.users[uid].payload()
            if guild is not None and uid in guild.members:
                user["member"] = guild.members[uid].payload(with_user=False)
            mentions.append(user)
        roles: list[str] = []
        for raw in MENTION_ROLE_RE.findall(content):
            rid = int(raw)
            if guild is not None and rid in guild.roles and ("roles" in parse or rid in roles_ok) \
                    and raw not in roles:
                roles.append(raw)
        return everyone, mentions, roles

    def _create_message(
        self,
        channel: Channel,
        author: User,
        body: JSON,
        files: list[UploadedFile],
        *,
        msg_type: int = 0,
        flags: int = 0,
        interaction: Interaction | None = None,
        message_id: int | None = None,
    ) -> JSON:
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        content = str(body.get("content") or "")
        everyone, mentions, roles = self._mentions(guild, channel.id, author.id, content,
                                                   body.get("allowed_mentions"))
        mid = message_id or self.ids.next()
        msg: JSON = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": roles,
            "mention_channels": [],
            "attachments": self._build_attachments(channel.id, body, files, []),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": _number_components(body.get("components") or []),
            "reactions": [],
            "pinned": False,
            "flags": (int(body.get("flags") or 0) & SETTABLE_MESSAGE_FLAGS) | flags,
        }
        if guild is not None:
            msg["guild_id"] = str(guild.id)
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if channel.is_thread:
            msg["position"] = channel.message_count
        ref = body.get("message_reference")
        if ref:
            ref_id = int(ref["message_id"])
            msg["message_reference"] = {"type": 0, "message_id": str(ref_id),
                                        "channel_id": str(channel.id),
                                        **({"guild_id": str(guild.id)} if guild else {})}
            msg["referenced_message"] = self.messages.get(ref_id)
            msg["type"] = 19 if msg_type == 0 else msg_type
        if interaction is not None:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self.users[interaction.user_id].payload(),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}),
                **({"interacted_message_id": str(interaction.message_id)}
                   if interaction.message_id else {}),
            }
        self.messages[mid] = msg
        channel.last_message_id = mid
        if channel.is_thread:
            channel.message_count += 1
        return msg

    def _apply_edit(self, msg: JSON, body: JSON, files: list[UploadedFile]) -> JSON:
        """PATCH semantics: only fields present change; ``attachments`` lists the ones kept."""
        channel = self.channels[int(msg["channel_id"])]
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        if "content" in body:
            msg["content"] = str(body["content"] or "")
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = _number_components(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = msg["flags"] & ~SETTABLE_MESSAGE_FLAGS
            msg["flags"] = keep | (int(body["flags"]) & SETTABLE_MESSAGE_FLAGS & ~(1 << 6)) | \
                (msg["flags"] & MESSAGE_FLAG_EPHEMERAL)
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids] \
                if "attachments" in body else msg["attachments"]
            msg["attachments"] = self._build_attachments(channel.id, body, files, kept)
        if "content" in body or "allowed_mentions" in body:
            author_id = int(msg["author"]["id"])
            everyone, mentions, roles = self._mentions(guild, channel.id, author_id,
                                                       msg["content"],
                                                       body.get("allowed_mentions"))
            msg.update(mention_everyone=everyone, mentions=mentions, mention_roles=roles)
        msg["flags"] &= ~MESSAGE_FLAG_LOADING
        msg["edited_timestamp"] = iso_now()
        return msg

    async def _announce(self, event: str, msg: JSON) -> None:
        """MESSAGE_CREATE/UPDATE to sessions with GUILD_MESSAGES; content is blanked for
        other authors' messages unless the session has MESSAGE_CONTENT (like Discord)."""
        if msg["flags"] & MESSAGE_FLAG_EPHEMERAL:
            return
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        for session in self._sessions_for(guild_id):
            if not session.intents & INTENT_GUILD_MESSAGES:
                continue
            data = dict(msg)
            if guild_id is not None:
                member = self.guilds[guild_id].members.get(int(msg["author"]["id"]))
                if member is not None:
                    data["member"] = member.payload(with_user=False)
            own = int(msg["author"]["id"]) == self.bot_user.id
            mentioned = any(int(m["id"]) == self.bot_user.id for m in msg["mentions"])
            if not (own or mentioned or session.intents & INTENT_MESSAGE_CONTENT):
                data.update(content="", embeds=[], attachments=[], components=[])
            await session.dispatch(event, data)
        self._notify()

    def _send_permission(self, channel: Channel, files: list[UploadedFile]) -> int:
        if channel.type not in TEXT_LIKE_TYPES:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        need = Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread \
            else Permission.SEND_MESSAGES
        return need | (Permission.ATTACH_FILES if files else 0)

    def _filesize_limit_for(self, channel: Channel) -> int:
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        return guild.filesize_limit if guild else DEFAULT_FILESIZE_LIMIT

    async def _post_message(self, req: Req) -> JSON:
        channel = self._channel(req)
        body: JSON = req.json or {}
        self._require(channel.id, self._send_permission(channel, req.files))
        self._check_upload(req.files, self._filesize_limit_for(channel))
        nonce = body.get("nonce")
        key = (self.bot_user.id, channel.id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if seen and time.monotonic() - seen[0] < self.nonce_window and \
                    seen[1] in self.messages:
                return self.messages[seen[1]]
        self._validate_message_body(body, req.files, creating=True)
        msg = self._create_message(channel, self.bot_user, body, req.files)
        if nonce is not None:
            self._nonces[key] = (time.monotonic(), int(msg["id"]))
        await self._announce("MESSAGE_CREATE", msg)
        return msg

    async def _patch_message(self, req: Req) -> JSON:
        channel = self._channel(req)
        msg = self._message(req, channel)
        if int(msg["author"]["id"]) != self.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body: JSON = req.json or {}
        self._check_upload(req.files, self._filesize_limit_for(channel))
        self._validate_message_body(body, req.files, creating=False)
        self._apply_edit(msg, body, req.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return msg

    async def _delete_message(self, req: Req) -> None:
        channel = self._channel(req)
        msg = self._message(req, channel)
        if int(msg["author"]["id"]) != self.bot_user.id:
            self._require(channel.id, Permission.MANAGE_MESSAGES)
        await self._remove_message(msg)

    async def _remove_message(self, msg: JSON) -> None:
        del self.messages[int(msg["id"])]
        data = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if "guild_id" in msg:
            data["guild_id"] = msg["guild_id"]
        await self._dispatch_guild("MESSAGE_DELETE", data, int(msg.get("guild_id") or 0) or None,
                                   INTENT_GUILD_MESSAGES)
        self._notify()

    async def post_user_message(self, channel_id: int, user_id: int, content: str = "",
                                attachments: Sequence[AttachmentSpec] = ()) -> JSON:
        """A human posts in a channel (e.g. a target for a message context menu)."""
        channel = self.channels[channel_id]
        msg = self._create_message(channel, self.users[user_id], {"content": content}, [])
        # Discord reads an uploaded image's dimensions itself; the spec stands in for that.
        msg["attachments"] = [
            self._store_attachment(channel_id, a.filename, a.content(), a.content_type,
                                   width=a.width, height=a.height)
            for a in attachments]
        await self._announce("MESSAGE_CREATE", msg)
        return msg

    # ---------------------------------------------------------------- threads

    async def _thread_from_message(self, req: Req) -> web.Response:
        channel = self._channel(req)
        msg = self._message(req, channel)
        if channel.type not in (0, 5):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self._require(channel.id, Permission.CREATE_PUBLIC_THREADS)
        if int(msg["id"]) in self.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        body: JSON = req.json or {}
        thread = self._open_thread(channel, body, 10 if channel.type == 5 else 11,
                                   thread_id=int(msg["id"]))
        msg["flags"] |= MESSAGE_FLAG_HAS_THREAD
        msg["thread"] = thread.payload()
        await self._announce_thread(thread)
        return json_response(thread.payload(), 201)

    async def _thread_without_message(self, req: Req) -> web.Response:
        channel = self._channel(req)
        body: JSON = req.json or {}
        if channel.type == 15:  # forum: a post is a thread plus its first message
            self._require(channel.id, Permission.SEND_MESSAGES)
            thread = self._open_thread(channel, body, 11)
            first = self._create_message(thread, self.bot_user, body.get("message") or {},
                                         req.files, message_id=thread.id)
            await self._announce_thread(thread)
            await self._announce("MESSAGE_CREATE", first)
            return json_response({**thread.payload(), "message": first}, 201)
        if channel.type not in (0, 5):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        type_ = int(body.get("type") or 12)
        need = Permission.CREATE_PUBLIC_THREADS if type_ in (10, 11) \
            else Permission.CREATE_PRIVATE_THREADS
        self._require(channel.id, need)
        thread = self._open_thread(channel, body, type_)
        await self._announce_thread(thread)
        return json_response(thread.payload(), 201)

    def _open_thread(self, parent: Channel, body: JSON, type_: int,
                     thread_id: int | None = None) -> Channel:
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form("name", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        guild = self.guilds[parent.guild_id] if parent.guild_id else None
        thread = self._new_channel(guild, name, type_, parent_id=parent.id, channel_id=thread_id)
        thread.owner_id = self.bot_user.id
        thread.auto_archive_duration = int(body.get("auto_archive_duration") or 1440)
        return thread

    async def _announce_thread(self, thread: Channel) -> None:
        data = {**thread.payload(), "newly_created": True,
                "member": {"id": str(thread.id), "user_id": str(self.bot_user.id),
                           "join_timestamp": thread.created_at, "flags": 1}}
        await self._dispatch_guild("THREAD_CREATE", data, thread.guild_id)
        self._notify()



class _InteractionWebhooks(_Messages):
    """The bot's side of interactions: callback, followups, @original."""

    # ---------------------------------------------------------------- interactions: REST side

    def _interaction_by_token(self, app_id: str, token: str) -> Interaction:
        inter = next((i for i in self.interactions.values() if i.token == token), None)
        if inter is None or int(app_id) != self.application_id:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if time.monotonic() - inter.created_at > self.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return inter

    def _interaction_channel(self, inter: Interaction) -> Channel:
        return self.channels[inter.channel_id]

    def _interaction_message_type(self, inter: Interaction) -> int:
        if inter.type == 2:
            return 23 if inter.payload["data"].get("type", 1) in (2, 3) else 20
        return 19

    async def _interaction_callback(self, req: Req) -> web.Response:
        inter = self.interactions.get(req.int_param("interaction_id"))
        if inter is None or inter.token != req.params["token"] or \
                time.monotonic() - inter.created_at > self.callback_deadline:
            raise DiscordError(404, 10062, "Unknown interaction")
        if inter.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body: JSON = req.json or {}
        cb_type = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        channel = self._interaction_channel(inter)
        self._check_upload(req.files, self._filesize_limit_for(channel))
        resource: JSON = {"type": cb_type}
        info: JSON = {"id": str(inter.id), "type": inter.type,
                      "response_message_loading": False, "response_message_ephemeral": False}
        ephemeral = bool(int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)
        if cb_type == 4:
            self._validate_message_body(data, req.files, creating=True)
            msg = self._create_message(channel, self.bot_user, data, req.files,
                                       msg_type=self._interaction_message_type(inter),
                                       interaction=inter)
            inter.original_message_id = int(msg["id"])
        elif cb_type == 5:
            msg = self._create_message(channel, self.bot_user, {"flags": data.get("flags")}, [],
                                       msg_type=self._interaction_message_type(inter),
                                       flags=MESSAGE_FLAG_LOADING, interaction=inter)
            inter.original_message_id = int(msg["id"])
            info["response_message_loading"] = True
        elif cb_type in (6, 7):
            if inter.message_id is None or inter.message_id not in self.messages:
                raise DiscordError(400, 40004, "Interaction response type not allowed here")
            msg = self.messages[inter.message_id]
            inter.original_message_id = inter.message_id
            if cb_type == 7:
                self._validate_message_body(data, req.files, creating=False)
                self._apply_edit(msg, data, req.files)
        elif cb_type == 9:
            if inter.type == 5:
                raise DiscordError(400, 50035, "Invalid Form Body",
                                   {"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE",
                                                          "message": "A modal can't answer a "
                                                                     "modal submit"}]}})
            self._validate_modal(data)
            data = {**data, "components": _number_components(data.get("components") or [])}
            msg = None
        elif cb_type == 8 and inter.type == 4:
            msg = None
        else:
            raise invalid_form("type", "BASE_TYPE_CHOICES", f"Value {cb_type} is not valid")
        inter.responses.append(InteractionCallback(cb_type, data, req.files, time.monotonic()))
        if msg is not None:
            info["response_message_id"] = msg["id"]
            info["response_message_ephemeral"] = ephemeral or \
                bool(msg["flags"] & MESSAGE_FLAG_EPHEMERAL)
            resource["message"] = msg
            await self._announce("MESSAGE_UPDATE" if cb_type in (6, 7) else "MESSAGE_CREATE", msg)
        self._notify()
        if req.record.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return json_response({"interaction": info, "resource": resource})

    def _validate_modal(self, data: JSON) -> None:
        if not 1 <= len(str(data.get("title") or "")) <= 45:
            raise invalid_form("data.title", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 45 in length.")
        if not 1 <= len(data.get("components") or []) <= 5:
            raise invalid_form("data.components", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 5 in length.")
        for comp in _walk_components(data.get("components") or []):
            if comp.get("type") == 4 and int(comp.get("max_length") or 4000) > 4000:
                raise invalid_form("data.components", "BASE_TYPE_MAX", "Must be 4000 or less.")

    async def _webhook_execute(self, req: Req) -> web.Response:
        inter = self._interaction_by_token(req.params["app_id"], req.params["token"])
        if not inter.acknowledged:
            raise DiscordError(404, 10015, "Unknown Webhook")
        body: JSON = req.json or {}
        channel = self._interaction_channel(inter)
        self._check_upload(req.files, self._filesize_limit_for(channel))
        self._validate_message_body(body, req.files, creating=True)
        original = self.messages.get(inter.original_message_id or 0)
        if original is not None and original["flags"] & MESSAGE_FLAG_LOADING and \
                inter.responses[0].type == 5:
            # Discord: the first followup after a deferred reply replaces the "thinking" message.
            msg = self._apply_edit(original, body, req.files)
            msg["edited_timestamp"] = None
            event = "MESSAGE_UPDATE"
        else:
            msg = self._create_message(channel, self.bot_user, body, req.files,
                                       msg_type=self._interaction_message_type(inter),
                                       interaction=inter)
            inter.followup_message_ids.append(int(msg["id"]))
            event = "MESSAGE_CREATE"
        await self._announce(event, msg)
        if req.record.query.get("wait") in ("1", "true", "True"):
            return json_response(msg)
        return web.Response(status=204)

    async def _webhook_message(self, req: Req) -> Any:
        inter = self._interaction_by_token(req.params["app_id"], req.params["token"])
        raw_id = req.params["message_id"]
        mid = inter.original_message_id if raw_id == "@original" else int(raw_id)
        allowed = {inter.original_message_id, *inter.followup_message_ids}
        if mid is None or mid not in allowed or mid not in self.messages:
            raise DiscordError(404, 10008, "Unknown Message")
        msg = self.messages[mid]
        method = req.record.method
        if method == "GET":
            return msg
        if method == "DELETE":
            await self._remove_message(msg)
            return None
        body: JSON = req.json or {}
        self._check_upload(req.files, self._filesize_limit_for(self._interaction_channel(inter)))
        self._validate_message_body(body, req.files, creating=False)
        self._apply_edit(msg, body, req.files)
        await self._announce("MESSAGE_UPDATE", msg)
        return msg



class _InteractionDriver(_InteractionWebhooks):
    """The users' side: slash commands, context menus, clicks, modals."""

    # ---------------------------------------------------------------- interactions: driving

    def _member_context(self, guild_id: int, channel_id: int, user_id: int) -> JSON:
        guild = self.guilds[guild_id]
        member = guild.members.get(user_id)
        if member is None:
            raise LookupError(f"user {user_id} is not a member of guild {guild_id}")
        return {**member.payload(),
                "permissions": str(self.channel_permissions(channel_id, user_id))}

    async def _send_interaction(self, type_: int, guild_id: int | None, channel_id: int,
                                user_id: int, data: JSON,
                                message: JSON | None = None) -> Interaction:
        """Build a full INTERACTION_CREATE payload and dispatch it to one session."""
        channel = self.channels[channel_id]
        inter_id = self.ids.next()
        token = "fakeinteraction." + secrets.token_urlsafe(48)
        payload: JSON = {
            "id": str(inter_id),
            "application_id": str(self.application_id),
            "type": type_,
            "data": data,
            "channel": {**channel.payload(),
                        "permissions": str(self.channel_permissions(channel_id, user_id))},
            "channel_id": str(channel_id),
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": self._filesize_limit_for(channel),
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                member=self._member_context(guild_id, channel_id, user_id),
                app_permissions=str(self.channel_permissions(channel_id, self.bot_user.id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(user=self.users[user_id].payload(), app_permissions=str(ALL_PERMISSIONS),
                           authorizing_integration_owners={"1": str(user_id)}, context=1)
            if channel.type == 1:
                payload["channel"]["recipients"] = [self.users[user_id].payload()]
        if message is not None:
            payload["message"] = message
        inter = Interaction(inter_id, token, type_, guild_id, channel_id, user_id, payload,
                            time.monotonic(),
                            message_id=int(message["id"]) if message is not None else None)
        session = await self._interaction_session(guild_id)
        self.interactions[inter_id] = inter
        inter.created_at = time.monotonic()
        await session.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _find_command(self, guild_id: int | None, name: str, type_: int) -> tuple[JSON, bool]:
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd["type"] == type_:
                    return cmd, scope is not None
        raise LookupError(f"no synced command {name!r} (type {type_}) for guild {guild_id}")

    def can_use_command(self, guild_id: int, user_id: int, cmd: JSON) -> bool:
        """Discord's client hides commands whose default_member_permissions the user lacks."""
        needed = cmd.get("default_member_permissions")
        if needed is None:
            return True
        have = self.base_permissions(guild_id, user_id)
        return have == ALL_PERMISSIONS or (int(needed) != 0 and have & int(needed) == int(needed))

    def command_allowed_in(self, cmd: JSON, context: int) -> bool:
        """Discord's client offers a command only in the contexts it was synced with (guild 0,
        bot DM 1, private channel 2); without ``contexts`` the old ``dm_permission`` decides."""
        contexts = cmd.get("contexts")
        if contexts is None:
            contexts = [0, 1, 2] if cmd.get("dm_permission", True) else [0]
        return context in contexts

    def _command_data(self, guild_id: int | None, user_id: int, name: str,
                      type_: int) -> JSON:
        cmd, is_guild = self._find_command(guild_id, name, type_)
        if not self.command_allowed_in(cmd, 0 if guild_id is not None else 1):
            raise PermissionError(f"command {name!r} is not offered here (contexts "
                                  f"{cmd.get('contexts')})")
        if guild_id is not None and not self.can_use_command(guild_id, user_id, cmd):
            raise PermissionError(f"user {user_id} cannot see command {name!r}")
        data: JSON = {"id": cmd["id"], "name": name, "type": type_}
        if is_guild:
            data["guild_id"] = cmd["guild_id"]
        return data

    async def slash(
        self,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        path: Sequence[str] = (),
        options: Mapping[str, Any] | None = None,
        *,
        attachments: Mapping[str, AttachmentSpec] | None = None,
    ) -> Interaction:
        """A user runs ``/name path... options`` (types come from the synced definition)."""
        data = self._command_data(guild_id, user_id, name, 1)
        cmd, _ = self._find_command(guild_id, name, 1)
        defs: list[JSON] = cmd.get("options") or []
        chain: list[JSON] = []
        for part in path:
            sub = next((o for o in defs if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"/{name} has no subcommand (group) {part!r}")
            chain.append(sub)
            defs = sub.get("options") or []
        if defs and defs[0]["type"] in (1, 2):
            raise ValueError(f"/{name} {' '.join(path)} needs a subcommand")
        given = {**(options or {}), **(attachments or {})}
        resolved: JSON = {}
        built = self._build_options(guild_id, channel_id, defs, given, resolved)
        for sub in reversed(chain):
            built = [{"type": sub["type"], "name": sub["name"], "options": built}]
        data["options"] = built
        if resolved:
            data["resolved"] = resolved
        return await self._send_interaction(2, guild_id, channel_id, user_id, data)

    def _build_options(self, guild_id: int | None, channel_id: int, defs: list[JSON],
                       given: Mapping[str, Any], resolved: JSON) -> list[JSON]:
        by_name = {d["name"]: d for d in defs}
        unknown = set(given) - set(by_name)
        if unknown:
            raise LookupError(f"unknown options {sorted(unknown)}")
        missing = [d["name"] for d in defs if d.get("required") and d["name"] not in given]
        if missing:
            raise ValueError(f"Discord's client requires options {missing}")
        guild = self.guilds[guild_id] if guild_id is not None else Guild(0, "", 0)
        out: list[JSON] = []
        for opt_name, value in given.items():
            spec = by_name[opt_name]
            kind = spec["type"]
            if kind in (3, 4, 10):
                value = {3: str, 4: int, 10: float}[kind](value)
                _check_option_value(spec, value)
            elif kind == 5:
                value = bool(value)
            elif kind in (6, 9) and int(value) in self.users:
                uid = int(value)
                resolved.setdefault("users", {})[str(uid)] = self.users[uid].payload()
                if uid in guild.members:
                    resolved.setdefault("members", {})[str(uid)] = {
                        **guild.members[uid].payload(with_user=False),
                        "permissions": str(self.channel_permissions(channel_id, uid))}
                value = str(uid)
            elif kind in (8, 9):
                role = guild.roles[int(value)]
                resolved.setdefault("roles", {})[str(role.id)] = role.payload()
                value = str(role.id)
            elif kind == 7:
                ch = self.channels[int(value)]
                resolved.setdefault("channels", {})[str(ch.id)] = {
                    **ch.payload(),
                    "permissions": str(self.channel_permissions(ch.id, self.bot_user.id))}
                value = str(ch.id)
            elif kind == 11:
                if not isinstance(value, AttachmentSpec):
                    raise TypeError(f"option {opt_name!r} needs an AttachmentSpec")
                att = self._store_attachment(channel_id, value.filename, value.content(),
                                             value.content_type, width=value.width,
                                             height=value.height)
                att["ephemeral"] = True
                resolved.setdefault("attachments", {})[att["id"]] = att
                value = att["id"]
            out.append({"name": opt_name, "type": kind, "value": value})
        return out

    async def context_menu(self, guild_id: int | None, channel_id: int, user_id: int, name: str,
                           target_message_id: int | None = None,
                           target_user_id: int | None = None) -> Interaction:
        """A user picks a message (or user) context-menu command."""
        if target_message_id is not None:
            data = self._command_data(guild_id, user_id, name, 3)
            data["target_id"] = str(target_message_id)
            data["resolved"] = {"messages": {str(target_message_id):
                                             self.messages[target_message_id]}}
        else:
            assert target_user_id is not None, "give target_message_id or target_user_id"
            data = self._command_data(guild_id, user_id, name, 2)
            data["target_id"] = str(target_user_id)
            resolved: JSON = {"users": {str(target_user_id):
                                        self.users[target_user_id].payload()}}
            member = self.guilds[guild_id].members.get(target_user_id) \
                if guild_id is not None else None
            if member is not None:
                resolved["members"] = {str(target_user_id): {
                    **member.payload(with_user=False),
                    "permissions": str(self.channel_permissions(channel_id, target_user_id))}}
            data["resolved"] = resolved
        return await self._send_interaction(2, guild_id, channel_id, user_id, data)

    async def click(self, user_id: int, message_id: int, custom_id: str,
                    values: Sequence[str] | None = None) -> Interaction:
        """A user clicks a button (or picks ``values`` in a select) on a stored message.

        Raises LookupError if the message has no such component, since no real user could
        click it (and discord.py would not route it to a DynamicItem either)."""
        msg = self.messages.get(message_id)
        if msg is None:
            raise LookupError(f"unknown message {message_id}")
        comp = next((c for c in _walk_components(msg["components"])
                     if c.get("custom_id") == custom_id), None)
        if comp is None:
            raise LookupError(f"message {message_id} has no component {custom_id!r}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if "id" in comp:
            data["id"] = comp["id"]
        if comp["type"] != 2:
            data["values"] = list(values or [])
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        return await self._send_interaction(3, guild_id, int(msg["channel_id"]), user_id, data,
                                            message=msg)

    async def submit_modal(self, user_id: int, opened_by: Interaction, custom_id: str,
                           values: Mapping[str, Any]) -> Interaction:
        """Submit the modal the bot answered ``opened_by`` with (callback type 9)."""
        modal = next((r.data for r in opened_by.responses if r.type == 9), None)
        if modal is None:
            raise LookupError(f"interaction {opened_by.id} was not answered with a modal")
        if modal.get("custom_id") != custom_id:
            raise LookupError(f"modal custom_id is {modal.get('custom_id')!r}, not {custom_id!r}")
        if user_id != opened_by.user_id:
            raise ValueError("only the user who opened a modal can submit it")
        unknown = set(values) - {c.get("custom_id") for c in _walk_components(
            modal["components"])}
        if unknown:
            raise LookupError(f"modal has no inputs {sorted(unknown)}")
        data = {"custom_id": custom_id,
                "components": _modal_submit_components(modal["components"], values)}
        message = self.messages.get(opened_by.message_id or 0)
        return await self._send_interaction(5, opened_by.guild_id, opened_by.channel_id, user_id,
                                            data, message=message)




class FakeDiscord(_InteractionDriver):
    """In-process fake Discord server. See the module docstring for the big picture."""

    def __init__(
        self,
        *,
        application_id: int | None = None,
        bot_user_id: int | None = None,
        bot_token: str = "fake-bot-token",
        bot_name: str = "klingcord",
        default_guild: bool = True,
        token_lifetime: float = 15 * 60,
        callback_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41250,
        shards: int = 1,
        enabled_privileged_intents: int = 0,
    ) -> None:
        super().__init__(
            application_id=application_id,
            bot_user_id=bot_user_id,
            bot_token=bot_token,
            bot_name=bot_name,
            token_lifetime=token_lifetime,
            callback_deadline=callback_deadline,
            heartbeat_interval_ms=heartbeat_interval_ms,
            shards=shards,
            enabled_privileged_intents=enabled_privileged_intents,
        )
        self._register_routes()

        self.guild_id = 0
        self.channel_id = 0
        if default_guild:
            guild = self._new_guild(None, "Test Guild", owner_id=None, premium_tier=0,
                                    filesize_limit=None, channels=("general",), locale="en-US")
            self.guild_id = guild.id
            self.channel_id = next(iter(guild.channels))

    def _register_routes(self) -> None:
        r = self._route
        r("GET", "/gateway", self._get_gateway)
        r("GET", "/gateway/bot", self._get_gateway_bot)
        r("GET", "/users/@me", lambda q: self.bot_user.payload())
        r("GET", "/users/{user_id}", self._get_user)
        r("GET", "/oauth2/applications/@me", lambda q: self._application_payload())
        r("GET", "/applications/@me", lambda q: self._application_payload())
        for scope in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            r("GET", scope + "/commands", self._get_commands)
            r("PUT", scope + "/commands", self._put_commands)
            r("POST", scope + "/commands", self._post_command)
            r("GET", scope + "/commands/{command_id}", self._get_command)
            r("DELETE", scope + "/commands/{command_id}", self._delete_command)
        r("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback)
        r("POST", "/webhooks/{app_id}/{token}", self._webhook_execute)
        for verb in ("GET", "PATCH", "DELETE"):
            r(verb, "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_message)
        r("GET", "/channels/{channel_id}", self._get_channel)
        r("GET", "/channels/{channel_id}/messages", self._get_messages)
        r("POST", "/channels/{channel_id}/messages", self._post_message)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self._patch_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message)
        r("POST", "/channels/{channel_id}/messages/{message_id}/threads",
          self._thread_from_message)
        r("POST", "/channels/{channel_id}/threads", self._thread_without_message)
        r("POST", "/channels/{channel_id}/typing", lambda q: None)
        r("GET", "/guilds/{guild_id}", self._get_guild)
        r("GET", "/guilds/{guild_id}/channels", self._get_guild_channels)
        r("GET", "/guilds/{guild_id}/roles", self._get_guild_roles)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member)

    # ---------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (a yarl.URL there)."""
        return f"ws://127.0.0.1:{self.port}/"

    async def start(self) -> None:
        """Bind to a free port on 127.0.0.1 and serve."""
        app = web.Application(client_max_size=1024 * MIB)
        app.router.add_get("/", self._gateway_handler)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}",
                           self._attachment_handler)
        app.router.add_route("*", "/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        """Close every gateway socket (code 1001) and stop the server."""
        for hold in self._holds:
            hold.release()
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake discord closing")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def patch_discord(self, monkeypatch: Any) -> None:
        """Point the in-process discord.py at this fake (undone by monkeypatch at teardown)."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                            yarl.URL(self.gateway_url))



# ------------------------------------------------------------------------------------------
# Component helpers
# ------------------------------------------------------------------------------------------


def _walk_components(components: Iterable[JSON]) -> Iterable[JSON]:
    for comp in components:
        yield comp
        yield from _walk_components(comp.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(comp.get(key), dict):
                yield from _walk_components([comp[key]])


def _number_components(components: list[JSON]) -> list[JSON]:
    """Discord gives every component a numeric ``id`` (unique per message) if it lacks one."""
    copied = json.loads(json.dumps(components))
    used = {c["id"] for c in _walk_components(copied) if isinstance(c.get("id"), int)}
    counter = 0
    for comp in _walk_components(copied):
        if not isinstance(comp.get("id"), int):
            counter += 1
            while counter in used:
                counter += 1
            comp["id"] = counter
    return copied


# Discord's embed limits (characters): each part, and all embeds of a message together.
EMBED_LIMITS = {"title": 256, "description": 4096, "footer.text": 2048, "author.name": 256}
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000


def _validate_embeds(embeds: list[JSON]) -> None:
    """400/50035 for an embed part over its limit, more than 25 fields, or a total over 6000."""
    total = 0
    for i, embed in enumerate(embeds):
        for path, limit in EMBED_LIMITS.items():
            part, _, sub = path.partition(".")
            value = str((embed.get(part) or {}).get(sub) or "") if sub else \
                str(embed.get(part) or "")
            if len(value) > limit:
                raise invalid_form(f"embeds.{i}.{path}", "BASE_TYPE_MAX_LENGTH",
                                   f"Must be {limit} or fewer in length.")
            total += len(value)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise invalid_form(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH",
                               "Must be 25 or fewer in length.")
        for j, embed_field in enumerate(fields):
            name, value = str(embed_field.get("name") or ""), str(embed_field.get("value") or "")
            if len(name) > EMBED_FIELD_NAME_LIMIT or len(value) > EMBED_FIELD_VALUE_LIMIT:
                limit = EMBED_FIELD_NAME_LIMIT if len(name) > EMBED_FIELD_NAME_LIMIT \
                    else EMBED_FIELD_VALUE_LIMIT
                raise invalid_form(f"embeds.{i}.fields.{j}", "BASE_TYPE_MAX_LENGTH",
                                   f"Must be {limit} or fewer in length.")
            total += len(name) + len(value)
    if total > EMBED_TOTAL_LIMIT:
        raise invalid_form("embeds", "MAX_EMBED_SIZE_EXCEEDED",
                           "Embed size exceeds maximum size of 6000")


def _check_option_value(spec: JSON, value: Any) -> None:
    """What Discord's client enforces before an interaction is even sent."""
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{value!r} is not a choice of option {spec['name']!r}")
    if isinstance(value, str):
        if len(value) < int(spec.get("min_length", 0)) or \
                len(value) > int(spec.get("max_length", 6000)):
            raise ValueError(f"length of option {spec['name']!r} is out of range")
    else:
        if "min_value" in spec and value < spec["min_value"]:
            raise ValueError(f"option {spec['name']!r} below min_value")
        if "max_value" in spec and value > spec["max_value"]:
            raise ValueError(f"option {spec['name']!r} above max_value")


def _modal_submit_components(components: list[JSON], values: Mapping[str, Any]) -> list[JSON]:
    """Mirror the modal's layout as Discord does in a modal submit (rows, labels, inputs)."""
    out: list[JSON] = []
    for comp in components:
        kind = comp["type"]
        item: JSON = {"type": kind, "id": comp.get("id")}
        if kind == 1:
            item["components"] = _modal_submit_components(comp.get("components") or [], values)
        elif kind == 18:
            item["component"] = _modal_submit_components([comp["component"]], values)[0]
        elif kind == 4:
            cid = comp["custom_id"]
            value = str(values.get(cid, comp.get("value") or ""))
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {cid!r} is required")
            if len(value) > int(comp.get("max_length") or 4000) or \
                    len(value) < int(comp.get("min_length") or 0):
                raise ValueError(f"text input {cid!r} length out of range")
            item.update(custom_id=cid, value=value)
        elif kind in (3, 5, 6, 7, 8):
            item.update(custom_id=comp["custom_id"],
                        values=[str(v) for v in values.get(comp["custom_id"], [])])
        out.append(item)
    return out
