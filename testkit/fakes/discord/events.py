"""What the gateway pushes when the world changes.

Each event goes to the live sessions that own the guild's shard and asked for its intent, in
the shape Discord sends: message content blanked without MESSAGE_CONTENT, GUILD_CREATE with the
member list only with GUILD_MEMBERS. The world builder, the REST routes and the gateway's own
IDENTIFY all announce through here, so they cannot disagree on who hears what.
"""

from __future__ import annotations

from testkit.fakes.discord.flags import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    MESSAGE_FLAG_EPHEMERAL,
)
from testkit.fakes.discord.models import JSON, Channel, Guild
from testkit.fakes.discord.sessions import GatewaySession
from testkit.fakes.discord.state import FakeState


class Events:
    """Dispatches gateway events to the sessions that should hear them."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    def sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        """Live sessions owning the guild's shard (shard 0 for DMs)."""
        return [s for s in self._state.sessions if s.live and s.owns(guild_id)]

    async def to_guild(self, event: str, data: JSON, guild_id: int | None,
                       intent: int = INTENT_GUILDS) -> None:
        """``event`` to every session of the guild's shard that has ``intent``."""
        for session in self.sessions_for(guild_id):
            if session.intents & intent:
                await session.dispatch(event, data)

    def guild_create_payload(self, guild: Guild, session: GatewaySession) -> JSON:
        """GUILD_CREATE as this session sees it (only the bot member without GUILD_MEMBERS)."""
        members = list(guild.members.values())
        if not session.intents & INTENT_GUILD_MEMBERS:
            members = [guild.members[self._state.bot_user.id]]
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

    async def guild_created(self, guild: Guild) -> None:
        """GUILD_CREATE to each live session of the guild's shard, shaped by its intents: how the
        bot learns of a guild added while it runs."""
        for session in self.sessions_for(guild.id):
            await session.dispatch("GUILD_CREATE", self.guild_create_payload(guild, session))

    async def message(self, event: str, msg: JSON) -> None:
        """MESSAGE_CREATE/UPDATE to sessions with GUILD_MESSAGES; content is blanked for
        other authors' messages unless the session has MESSAGE_CONTENT (like Discord)."""
        if msg["flags"] & MESSAGE_FLAG_EPHEMERAL:
            return
        bot_id = self._state.bot_user.id
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        for session in self.sessions_for(guild_id):
            if not session.intents & INTENT_GUILD_MESSAGES:
                continue
            data = dict(msg)
            if guild_id is not None:
                member = self._state.guilds[guild_id].members.get(int(msg["author"]["id"]))
                if member is not None:
                    data["member"] = member.payload(with_user=False)
            own = int(msg["author"]["id"]) == bot_id
            mentioned = any(int(m["id"]) == bot_id for m in msg["mentions"])
            if not (own or mentioned or session.intents & INTENT_MESSAGE_CONTENT):
                data.update(content="", embeds=[], attachments=[], components=[])
            await session.dispatch(event, data)
        self._state.changed()

    async def message_deleted(self, msg: JSON) -> None:
        """MESSAGE_DELETE to sessions with GUILD_MESSAGES, so the bot's cache forgets the
        message."""
        data = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if "guild_id" in msg:
            data["guild_id"] = msg["guild_id"]
        await self.to_guild("MESSAGE_DELETE", data, int(msg.get("guild_id") or 0) or None,
                            INTENT_GUILD_MESSAGES)
        self._state.changed()

    async def reaction(self, event: str, data: JSON, guild_id: int | None) -> None:
        """MESSAGE_REACTION_ADD/REMOVE to sessions with GUILD_MESSAGE_REACTIONS."""
        await self.to_guild(event, data, guild_id, INTENT_GUILD_MESSAGE_REACTIONS)
        self._state.changed()

    async def thread_created(self, thread: Channel) -> None:
        """THREAD_CREATE for a thread the bot just started, with the bot as its member, as Discord
        sends it to the thread's creator."""
        data = {**thread.payload(), "newly_created": True,
                "member": {"id": str(thread.id), "user_id": str(self._state.bot_user.id),
                           "join_timestamp": thread.created_at, "flags": 1}}
        await self.to_guild("THREAD_CREATE", data, thread.guild_id)
        self._state.changed()
