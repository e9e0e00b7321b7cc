"""The path lookups several resources share, each answered as Discord answers a miss (Unknown
Guild, Unknown Channel, Unknown Message) or a channel the bot may not see (403)."""

from __future__ import annotations

from testkit.fakes.discord.flags import MESSAGE_FLAG_EPHEMERAL, Permission
from testkit.fakes.discord.models import JSON, Channel, Guild
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.rest.router import Req
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError


class Lookup:
    """Finds the guild, channel or message a request's path names."""

    def __init__(self, state: FakeState, permissions: Permissions) -> None:
        self._state = state
        self._permissions = permissions

    def guild(self, req: Req) -> Guild:
        """The guild the path names; 404 Unknown Guild when there is none."""
        guild = self._state.guilds.get(req.int_param("guild_id"))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    def channel(self, req: Req, *, need: int = 0) -> Channel:
        """The channel, if the bot may see it (and has ``need`` there)."""
        channel = self._state.channels.get(req.int_param("channel_id"))
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        if channel.guild_id is not None:
            self._permissions.require(channel.id, need | Permission.VIEW_CHANNEL)
        return channel

    def message(self, req: Req, channel: Channel) -> JSON:
        """A non-ephemeral message of that channel."""
        msg = self._state.messages.get(req.int_param("message_id"))
        if msg is None or int(msg["channel_id"]) != channel.id or \
                msg["flags"] & MESSAGE_FLAG_EPHEMERAL:
            raise DiscordError(404, 10008, "Unknown Message")
        return msg
