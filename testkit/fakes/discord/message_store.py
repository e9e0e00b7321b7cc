"""How Discord makes, edits and removes a message: ids, mentions (and what may ping under
``allowed_mentions``), attachments, flags, replies and the interaction metadata of a reply.

The channel routes, interaction callbacks, webhook follow-ups and the driver's user messages
all build messages here, so a message looks the same whichever way it was posted.
"""

from __future__ import annotations

import copy
import re

from testkit.fakes.discord.attachments import Attachments
from testkit.fakes.discord.components import number_components
from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import (
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    SETTABLE_MESSAGE_FLAGS,
    Permission,
)
from testkit.fakes.discord.models import JSON, Channel, Guild, User, iso_now
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.records import Interaction, UploadedFile
from testkit.fakes.discord.state import FakeState

MENTION_USER_RE = re.compile(r"<@!?(\d{15,21})>")
MENTION_ROLE_RE = re.compile(r"<@&(\d{15,21})>")
FORWARD = 1  # message_reference type of a forwarded message (0 is a reply)


class MessageStore:
    """Creates, edits and removes messages in ``state.messages``."""

    def __init__(self, state: FakeState, permissions: Permissions, attachments: Attachments,
                 events: Events) -> None:
        self._state = state
        self._permissions = permissions
        self._attachments = attachments
        self._events = events

    def mentions(self, guild: Guild | None, channel_id: int, author_id: int, content: str,
                 allowed: JSON | None) -> tuple[bool, list[JSON], list[str]]:
        """Discord's mention resolution: what may ping depends on ``allowed_mentions``
        (absent = parse everything) and, for @everyone/@here, on MENTION_EVERYONE."""
        users = self._state.users
        parse = ["users", "roles", "everyone"] if allowed is None else \
            list(allowed.get("parse") or [])
        users_ok = {int(u) for u in (allowed or {}).get("users") or []}
        roles_ok = {int(r) for r in (allowed or {}).get("roles") or []}
        everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse and \
            bool(self._permissions.channel_permissions(channel_id, author_id)
                 & Permission.MENTION_EVERYONE)
        mentions: list[JSON] = []
        seen: set[int] = set()
        for raw in MENTION_USER_RE.findall(content):
            uid = int(raw)
            if uid in seen or uid not in users or not ("users" in parse or uid in users_ok):
                continue
            seen.add(uid)
            user = users[uid].payload()
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

    def create(
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
        """Store a new message (no gateway event: the caller announces it)."""
        state = self._state
        guild = state.guilds.get(channel.guild_id) if channel.guild_id else None
        content = str(body.get("content") or "")
        everyone, mentions, roles = self.mentions(guild, channel.id, author.id, content,
                                                  body.get("allowed_mentions"))
        mid = message_id or state.ids.next()
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
            "attachments": self._attachments.from_uploads(channel.id, body, files, []),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": number_components(body.get("components") or []),
            "reactions": [],
            "pinned": False,
            "flags": (int(body.get("flags") or 0) & SETTABLE_MESSAGE_FLAGS) | flags,
        }
        self._add_context(msg, body, channel, guild)
        if body.get("message_reference"):
            self._add_reference(msg, body["message_reference"], channel, guild, msg_type)
        if interaction is not None:
            self._add_interaction_metadata(msg, interaction)
        state.messages[mid] = msg
        channel.last_message_id = mid
        if channel.is_thread:
            channel.message_count += 1
        return msg

    @staticmethod
    def _add_context(msg: JSON, body: JSON, channel: Channel, guild: Guild | None) -> None:
        """The guild, the sender's nonce, and a thread message's position."""
        if guild is not None:
            msg["guild_id"] = str(guild.id)
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if channel.is_thread:
            msg["position"] = channel.message_count

    def _add_reference(self, msg: JSON, ref: JSON, channel: Channel, guild: Guild | None,
                       msg_type: int) -> None:
        """A reply: the reference, the message replied to, and type 19 (REPLY); or a forward
        (reference type 1): the reference and a snapshot of the forwarded message."""
        ref_id = int(ref["message_id"])
        if int(ref.get("type") or 0) == FORWARD:
            self._add_forward(msg, self._state.messages[ref_id])
            return
        msg["message_reference"] = {"type": 0, "message_id": str(ref_id),
                                    "channel_id": str(channel.id),
                                    **({"guild_id": str(guild.id)} if guild else {})}
        msg["referenced_message"] = self._state.messages.get(ref_id)
        msg["type"] = 19 if msg_type == 0 else msg_type

    @staticmethod
    def _add_forward(msg: JSON, source: JSON) -> None:
        """A forward, as Discord stores one: the message itself has no content or
        attachments; `message_snapshots` holds a copy of the forwarded message's content,
        attachments and embeds, and the reference points at the source's channel."""
        msg["message_reference"] = {"type": FORWARD, "message_id": source["id"],
                                    "channel_id": source["channel_id"],
                                    **({"guild_id": source["guild_id"]}
                                       if source.get("guild_id") else {})}
        msg["content"] = ""
        msg["attachments"] = []
        msg["embeds"] = []
        msg["message_snapshots"] = [{"message": {
            key: copy.deepcopy(source.get(key, default)) for key, default in (
                ("type", 0), ("content", ""), ("embeds", []), ("attachments", []),
                ("timestamp", None), ("edited_timestamp", None), ("flags", 0),
                ("mentions", []), ("mention_roles", []), ("components", []),
                ("sticker_items", []))}}]

    def _add_interaction_metadata(self, msg: JSON, interaction: Interaction) -> None:
        """A reply to an interaction comes from the application's webhook."""
        state = self._state
        msg["webhook_id"] = str(state.application_id)
        msg["application_id"] = str(state.application_id)
        msg["interaction_metadata"] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": state.users[interaction.user_id].payload(),
            "authorizing_integration_owners": interaction.payload.get(
                "authorizing_integration_owners", {}),
            **({"interacted_message_id": str(interaction.message_id)}
               if interaction.message_id else {}),
        }

    def apply_edit(self, msg: JSON, body: JSON, files: list[UploadedFile]) -> JSON:
        """PATCH semantics: only fields present change; ``attachments`` lists the ones kept."""
        state = self._state
        channel = state.channels[int(msg["channel_id"])]
        guild = state.guilds.get(channel.guild_id) if channel.guild_id else None
        if "content" in body:
            msg["content"] = str(body["content"] or "")
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = number_components(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = msg["flags"] & ~SETTABLE_MESSAGE_FLAGS
            msg["flags"] = keep | (int(body["flags"]) & SETTABLE_MESSAGE_FLAGS & ~(1 << 6)) | \
                (msg["flags"] & MESSAGE_FLAG_EPHEMERAL)
        if "attachments" in body or files:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids] \
                if "attachments" in body else msg["attachments"]
            msg["attachments"] = self._attachments.from_uploads(channel.id, body, files, kept)
        if "content" in body or "allowed_mentions" in body:
            author_id = int(msg["author"]["id"])
            everyone, mentions, roles = self.mentions(guild, channel.id, author_id,
                                                      msg["content"],
                                                      body.get("allowed_mentions"))
            msg.update(mention_everyone=everyone, mentions=mentions, mention_roles=roles)
        msg["flags"] &= ~MESSAGE_FLAG_LOADING
        msg["edited_timestamp"] = iso_now()
        return msg

    async def remove(self, msg: JSON) -> None:
        """Delete the message and dispatch MESSAGE_DELETE."""
        del self._state.messages[int(msg["id"])]
        await self._events.message_deleted(msg)
