"""How tests set the scene: guilds, channels, roles, members, permission overwrites, DMs.

Each change is made in the state and announced on the gateway as Discord would (GUILD_CREATE,
CHANNEL_CREATE, GUILD_ROLE_UPDATE...), so discord.py's caches agree with the fake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import INTENT_GUILD_MEMBERS
from testkit.fakes.discord.models import JSON, Channel, Guild, Member, Overwrite, Role, User
from testkit.fakes.discord.rest.users import dm_channel
from testkit.fakes.discord.state import FakeState


class WorldBuilder:
    """The test-facing scene builder (``fake.add_guild``, ``fake.add_member``...)."""

    def __init__(self, state: FakeState, events: Events) -> None:
        self._state = state
        self._events = events

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
        guild = self._state.new_guild(guild_id, name, owner_id=owner_id,
                                      premium_tier=premium_tier, filesize_limit=filesize_limit,
                                      channels=channels, locale=locale)
        await self._events.guild_created(guild)
        return guild

    def new_guild_id(self, shard_id: int = 0, shard_count: int = 1) -> int:
        """A fresh snowflake for a guild that Discord would route to ``shard_id``."""
        while True:
            candidate = self._state.ids.next()
            if (candidate >> 22) % shard_count == shard_id:
                return candidate

    async def add_channel(self, guild_id: int, name: str, type_: int = 0,
                          parent_id: int | None = None) -> Channel:
        """Create a guild channel and dispatch CHANNEL_CREATE."""
        guild = self._state.guilds[guild_id]
        channel = self._state.new_channel(guild, name, type_, position=len(guild.channels),
                                          parent_id=parent_id)
        await self._events.to_guild("CHANNEL_CREATE", channel.payload(), guild_id)
        return channel

    async def add_role(self, guild_id: int, name: str, permissions: int = 0) -> Role:
        """Create a role and dispatch GUILD_ROLE_CREATE."""
        guild = self._state.guilds[guild_id]
        role = Role(self._state.ids.next(), name, int(permissions), position=len(guild.roles))
        guild.roles[role.id] = role
        await self._events.to_guild("GUILD_ROLE_CREATE",
                                    {"guild_id": str(guild_id), "role": role.payload()}, guild_id)
        return role

    async def add_member(
        self,
        guild_id: int,
        user_id: int | None = None,
        name: str = "user",
        roles: Sequence[int] = (),
        permissions: int | None = None,
        locale: str | None = None,
        bot: bool = False,
    ) -> Member:
        """Add a member: a person, or a bot account (``bot=True``: its user object says
        ``"bot": true``, as Discord's do). ``permissions`` creates a personal role granting
        them; e.g. ``permissions=Permission.MANAGE_GUILD`` makes a moderator. ``locale`` is
        their Discord client's language (``member.locale`` changes it later; default
        "en-US")."""
        guild = self._state.guilds[guild_id]
        user = self._state.ensure_user(user_id, name)
        user.bot = user.bot or bot
        if locale is not None:
            user.locale = locale
        member_roles = list(roles)
        if permissions is not None:
            role = await self.add_role(guild_id, f"{name}-role", permissions)
            member_roles.append(role.id)
        member = Member(user, guild_id, member_roles)
        guild.members[user.id] = member
        data = {"guild_id": str(guild_id), **member.payload()}
        await self._events.to_guild("GUILD_MEMBER_ADD", data, guild_id, INTENT_GUILD_MEMBERS)
        return member

    async def set_guild_locale(self, guild_id: int, locale: str) -> None:
        """Change the server's language (Server Settings > Community > Overview) and dispatch
        GUILD_UPDATE, as Discord does: later interactions carry it as ``guild_locale``."""
        guild = self._state.guilds[guild_id]
        guild.preferred_locale = locale
        await self._events.to_guild("GUILD_UPDATE", guild.base_payload(), guild_id)

    async def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions (e.g. the bot role) and dispatch GUILD_ROLE_UPDATE,
        as Discord does, so discord.py's permission cache agrees with the fake."""
        role = self._state.guilds[guild_id].roles[role_id]
        role.permissions = int(permissions)
        await self._events.to_guild("GUILD_ROLE_UPDATE",
                                    {"guild_id": str(guild_id), "role": role.payload()}, guild_id)

    async def set_bot_permissions(self, guild_id: int, permissions: int) -> None:
        """Set the permissions of the bot's managed role (on top of @everyone's)."""
        role_id = self._state.guilds[guild_id].bot_role_id
        assert role_id is not None
        await self.set_role_permissions(guild_id, role_id, permissions)

    async def archive_thread(self, thread_id: int, *, archived: bool = True,
                             locked: bool = False) -> None:
        """A moderator (or Discord's auto-archive) archives or locks a thread; THREAD_UPDATE."""
        thread = self._state.channels[thread_id]
        thread.archived, thread.locked = archived, locked
        await self._events.to_guild("THREAD_UPDATE", thread.payload(), thread.guild_id)
        self._state.changed()

    async def set_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0,
                            deny: int = 0) -> None:
        """Set a channel permission overwrite for a role or member; dispatch CHANNEL_UPDATE."""
        channel = self._state.channels[channel_id]
        assert channel.guild_id is not None
        guild = self._state.guilds[channel.guild_id]
        kind = 0 if target_id in guild.roles else 1
        channel.overwrites[target_id] = Overwrite(target_id, kind, int(allow), int(deny))
        await self._events.to_guild("CHANNEL_UPDATE", channel.payload(), guild.id)

    async def open_dm(self, user_id: int) -> Channel:
        """The DM channel between a user and the bot (type 1, no guild)."""
        return dm_channel(self._state, user_id)

    def close_dms(self, user_id: int, closed: bool = True) -> None:
        """The user turns off direct messages from server members (the bot's DMs to them are
        then refused with 403 50007)."""
        self._state.users[user_id].dms_open = not closed

    def dm_messages(self, user_id: int) -> list[JSON]:
        """What the bot sent the user by direct message, oldest first."""
        return [m for c in self._state.channels.values()
                if c.type == 1 and c.recipient_id == user_id
                for m in self._state.messages_in(c.id)]

    async def add_user(self, name: str = "user") -> User:
        """A Discord user who shares no guild with the bot (e.g. someone who left)."""
        return self._state.ensure_user(None, name)

    async def set_premium_tier(self, guild_id: int, tier: int) -> None:
        """The server's boost tier changes (and with it the upload limit Discord enforces);
        connected sessions get GUILD_UPDATE, as from Discord."""
        guild = self._state.guilds[guild_id]
        guild.premium_tier = tier
        await self._events.to_guild("GUILD_UPDATE", guild.base_payload(), guild_id)

    def set_filesize_limit(self, guild_id: int, limit: int | None) -> None:
        """Override the enforced upload limit (None: back to the boost-tier table)."""
        self._state.guilds[guild_id].explicit_filesize_limit = limit
