"""The fake Discord's world and its memory: configuration, guilds, channels, users, messages,
synced commands, interactions, gateway sessions and recorded requests, in one object that every
part is given.

It also holds what tests use to wait and look: ``wait_until`` wakes on every change (a request,
a message change, a gateway (dis)connect), so tests wait for outcomes without sleeping.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from testkit.fakes.discord.flags import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    MESSAGE_FLAG_EPHEMERAL,
)
from testkit.fakes.discord.models import (
    DEFAULT_FILESIZE_LIMIT,
    JSON,
    Channel,
    Guild,
    Member,
    Role,
    SnowflakeFactory,
    User,
)
from testkit.fakes.discord.records import Interaction, InteractionCallback, RecordedRequest
from testkit.fakes.discord.sessions import GatewaySession
from testkit.fakes.discord.strict import StrictProfile

API_PREFIX = "/api/v10"

# What a `wait_until` check finds: its first result that is neither None nor False.
T = TypeVar("T")


class FakeState:
    """Configuration and shared state of one fake Discord."""

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
        # Discord's unpublished limits, off unless a test asks (`FakeDiscord(profile="strict")`).
        self.strict = StrictProfile()
        self.attachment_url_lifetime = 24 * 3600.0
        self.port = 0

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
        # Who reacted with what: (message id, emoji) -> user ids.
        self.reactions: dict[tuple[int, str], set[int]] = {}
        self._waiters: list[asyncio.Future[None]] = []

    # ---------------------------------------------------------------- addresses

    @property
    def base_url(self) -> str:
        """The fake's HTTP address (REST, gateway and attachments share it)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (a yarl.URL there)."""
        return f"ws://127.0.0.1:{self.port}/"

    # ---------------------------------------------------------------- world building

    def new_guild(
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
        """A guild with @everyone, the bot's managed role, the bot member, an owner and text
        channels (no gateway event: see `WorldBuilder.add_guild`)."""
        gid = guild_id or self.ids.next()
        if owner_id is None:
            owner = self.ensure_user(None, f"owner-{gid % 10000}")
            owner_id = owner.id
        guild = Guild(gid, name, owner_id, premium_tier, filesize_limit, locale)
        guild.roles[gid] = Role(gid, "@everyone", int(DEFAULT_EVERYONE_PERMISSIONS))
        bot_role = Role(self.ids.next(), self.bot_user.username, int(DEFAULT_BOT_PERMISSIONS),
                        position=1, managed=True, bot_id=self.bot_user.id)
        guild.roles[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        guild.members[self.bot_user.id] = Member(self.bot_user, gid, [bot_role.id])
        guild.members[owner_id] = Member(self.ensure_user(owner_id, "owner"), gid)
        self.guilds[gid] = guild
        for position, channel_name in enumerate(channels):
            self.new_channel(guild, channel_name, 0, position=position)
        return guild

    def new_channel(self, guild: Guild | None, name: str, type_: int, *, position: int = 0,
                    parent_id: int | None = None, channel_id: int | None = None) -> Channel:
        """A channel of `type_` (in `guild`, or a DM when None), recorded; no gateway event."""
        channel = Channel(channel_id or self.ids.next(), guild.id if guild else None, name, type_,
                          position, parent_id)
        if guild is not None:
            guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def ensure_user(self, user_id: int | None, name: str) -> User:
        """The user with this id, made with `name` if unknown (a new id when None)."""
        if user_id is not None and user_id in self.users:
            return self.users[user_id]
        user = User(user_id or self.ids.next(), name)
        self.users[user.id] = user
        return user

    def filesize_limit_for(self, channel: Channel) -> int:
        """The upload limit Discord enforces in a channel (its guild's; DMs the default)."""
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        return guild.filesize_limit if guild else DEFAULT_FILESIZE_LIMIT

    # ---------------------------------------------------------------- waiting

    def changed(self) -> None:
        """Wake every waiter: something they may be waiting for happened."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(self, check: Callable[[], T | None], timeout: float = 10,
                         what: str = "a condition") -> T:
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
        inter = self.interaction(interaction)
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

    def interaction(self, interaction: Interaction | int) -> Interaction:
        """The interaction itself, given it or its id."""
        return interaction if isinstance(interaction, Interaction) else \
            self.interactions[int(interaction)]

    def interaction_responses(self, interaction: Interaction | int) -> list[InteractionCallback]:
        """The bot's callbacks to an interaction, oldest first (a copy)."""
        return list(self.interaction(interaction).responses)

    def messages_in(self, channel_id: int, include_ephemeral: bool = False) -> list[JSON]:
        """Current messages of a channel, oldest first (ephemeral ones only if asked)."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id
                and (include_ephemeral or not m["flags"] & MESSAGE_FLAG_EPHEMERAL)]

    def interaction_messages(self, interaction: Interaction | int) -> list[JSON]:
        """The original response (if any) then the followups, current state."""
        inter = self.interaction(interaction)
        ids = ([inter.original_message_id] if inter.original_message_id else [])
        ids += inter.followup_message_ids
        return [self.messages[i] for i in ids if i in self.messages]

    def attachment_bytes(self, attachment_id: int | str) -> bytes:
        """The bytes of a file the bot uploaded (or a test attached), by attachment id."""
        return self.attachment_blobs[int(attachment_id)]

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Every recorded request with this method whose path (without ``/api/v10``) matches
        `path_regex`, oldest first."""
        pattern = re.compile(path_regex)
        return [r for r in self.requests if r.method == method.upper() and pattern.search(r.path)]
