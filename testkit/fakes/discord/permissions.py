"""Discord's permission algorithm, as the fake enforces it.

One place for "may this user do this here", so the REST routes (what the bot may do) and the
interaction driver (what a member may see, the ``permissions`` fields of a payload) agree.
"""

from __future__ import annotations

from testkit.fakes.discord.flags import ALL_PERMISSIONS, Permission
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError


class Permissions:
    """Base and channel permissions of a user, computed from the fake's guilds and channels."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    def base_permissions(self, guild_id: int, user_id: int) -> int:
        """Guild-level permissions: owner/admin get everything, else @everyone | roles."""
        guild = self._state.guilds[guild_id]
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
        channels = self._state.channels
        channel = channels[channel_id]
        if channel.guild_id is None:
            return ALL_PERMISSIONS
        perms = self.base_permissions(channel.guild_id, user_id)
        if perms == ALL_PERMISSIONS:
            return perms
        source = channels[channel.parent_id] if channel.is_thread and channel.parent_id \
            else channel
        guild = self._state.guilds[channel.guild_id]
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

    def require(self, channel_id: int, perms: int, user_id: int | None = None) -> None:
        """Raise Discord's 403 (50001 no access, 50013 missing permissions) unless the user
        (the bot by default) has ``perms`` in the channel."""
        have = self.channel_permissions(channel_id, user_id or self._state.bot_user.id)
        if not have & Permission.VIEW_CHANNEL:
            raise DiscordError(403, 50001, "Missing Access")
        if have & perms != perms:
            raise DiscordError(403, 50013, "Missing Permissions")
