"""Guild reads: ``/guilds/{id}`` (with counts), its channels, roles and members."""

from __future__ import annotations

from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.rest.lookup import Lookup
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.wire import DiscordError


class GuildRoutes:
    """Read-only guild routes (the bot changes no guild)."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup

    def register(self, router: Router) -> None:
        """Add the guild routes to `router`."""
        router.add("GET", "/guilds/{guild_id}", self._get_guild)
        router.add("GET", "/guilds/{guild_id}/channels", self._get_guild_channels)
        router.add("GET", "/guilds/{guild_id}/roles", self._get_guild_roles)
        router.add("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member)

    def _get_guild(self, req: Req) -> JSON:
        guild = self._lookup.guild(req)
        out = guild.base_payload()
        if req.record.query.get("with_counts") in ("true", "1"):
            out.update(approximate_member_count=len(guild.members),
                       approximate_presence_count=0)
        return out

    def _get_guild_channels(self, req: Req) -> list[JSON]:
        return [c.payload() for c in self._lookup.guild(req).channels.values() if not c.is_thread]

    def _get_guild_roles(self, req: Req) -> list[JSON]:
        return [r.payload() for r in self._lookup.guild(req).roles.values()]

    def _get_member(self, req: Req) -> JSON:
        member = self._lookup.guild(req).members.get(req.int_param("user_id"))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return member.payload()
