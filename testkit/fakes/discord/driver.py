"""The users' side: a member runs a slash command or a context menu, clicks a button, submits
a modal, or posts a message. The driver builds the full INTERACTION_CREATE payload (member,
channel, permissions, locale, size limit) around what the composer made, and dispatches it to
the one session Discord would pick.

A new kind of user action goes here (its ``data`` in `composer`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from testkit.fakes.discord.attachments import Attachments
from testkit.fakes.discord.composer import InteractionComposer
from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import ALL_PERMISSIONS, Permission
from testkit.fakes.discord.gateway import Gateway
from testkit.fakes.discord.message_store import MessageStore
from testkit.fakes.discord.models import JSON, AttachmentSpec
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.records import Interaction
from testkit.fakes.discord.state import FakeState


class InteractionDriver:
    """What tests call to act as a Discord user (``fake.slash``, ``fake.click``...)."""

    def __init__(self, state: FakeState, permissions: Permissions, composer: InteractionComposer,
                 gateway: Gateway, store: MessageStore, attachments: Attachments,
                 events: Events) -> None:
        self._state = state
        self._permissions = permissions
        self._composer = composer
        self._gateway = gateway
        self._store = store
        self._attachments = attachments
        self._events = events

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
        given = {**(options or {}), **(attachments or {})}
        data = self._composer.slash_data(guild_id, channel_id, user_id, name, path, given)
        return await self._send(2, guild_id, channel_id, user_id, data)

    async def autocomplete(self, guild_id: int | None, channel_id: int, user_id: int,
                           name: str, path: Sequence[str] = (),
                           options: Mapping[str, Any] | None = None, *, focused: str,
                           typed: str = "") -> Interaction:
        """A member types `typed` into the autocomplete option `focused` of ``/name path...``
        with `options` filled so far (interaction type 4; the bot answers with type 8)."""
        data = self._composer.autocomplete_data(guild_id, user_id, name, path, options or {},
                                                focused, typed)
        return await self._send(4, guild_id, channel_id, user_id, data)

    async def context_menu(self, guild_id: int | None, channel_id: int, user_id: int, name: str,
                           target_message_id: int | None = None,
                           target_user_id: int | None = None) -> Interaction:
        """A user picks a message (or user) context-menu command."""
        data = self._composer.context_menu_data(guild_id, channel_id, user_id, name,
                                                target_message_id, target_user_id)
        return await self._send(2, guild_id, channel_id, user_id, data)

    async def click(self, user_id: int, message_id: int, custom_id: str,
                    values: Sequence[str] | None = None) -> Interaction:
        """A user clicks a button (or picks ``values`` in a select) on a stored message.

        Raises LookupError if the message has no such component, since no real user could
        click it (and discord.py would not route it to a DynamicItem either)."""
        msg = self._state.messages.get(message_id)
        if msg is None:
            raise LookupError(f"unknown message {message_id}")
        data = self._composer.click_data(msg, custom_id, values)
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        return await self._send(3, guild_id, int(msg["channel_id"]), user_id, data, message=msg)

    async def submit_modal(self, user_id: int, opened_by: Interaction, custom_id: str,
                           values: Mapping[str, Any]) -> Interaction:
        """Submit the modal the bot answered ``opened_by`` with (callback type 9)."""
        data = self._composer.modal_submit_data(user_id, opened_by, custom_id, values)
        message = self._state.messages.get(opened_by.message_id or 0)
        return await self._send(5, opened_by.guild_id, opened_by.channel_id, user_id, data,
                                message=message)

    async def post_user_message(self, channel_id: int, user_id: int, content: str = "",
                                attachments: Sequence[AttachmentSpec] = (),
                                embeds: Sequence[JSON] = ()) -> JSON:
        """A human posts in a channel (e.g. a target for a message context menu). `embeds`
        stand for what Discord unfurled from links in it (see `image_link_embed`)."""
        state = self._state
        channel = state.channels[channel_id]
        msg = self._store.create(channel, state.users[user_id], {"content": content}, [])
        msg["embeds"] = [dict(e) for e in embeds]
        # Discord reads an uploaded image's dimensions itself; the spec stands in for that.
        msg["attachments"] = [
            self._attachments.store(channel_id, a.filename, a.content(), a.content_type,
                                    width=a.width, height=a.height)
            for a in attachments]
        await self._events.message("MESSAGE_CREATE", msg)
        return msg

    async def forward_message(self, channel_id: int, user_id: int, message_id: int) -> JSON:
        """A human forwards a stored message into a channel: a message with a type 1
        (FORWARD) reference and a snapshot of the original in `message_snapshots`."""
        state = self._state
        source = state.messages[message_id]
        msg = self._store.create(
            state.channels[channel_id], state.users[user_id],
            {"message_reference": {"type": 1, "message_id": str(message_id),
                                   "channel_id": source["channel_id"]}}, [])
        await self._events.message("MESSAGE_CREATE", msg)
        return msg

    async def add_reaction(self, user_id: int, message_id: int, emoji: str) -> bool:
        """A member reacts to a stored message with `emoji` (a unicode emoji, or a custom
        one as `<:name:id>`). Like Discord, a reaction the member already has changes
        nothing and sends no event; returns whether it was new. The member must be in the
        message's guild and able to see and react in its channel."""
        msg, channel, guild_id = self._reactable(user_id, message_id)
        reactors = self._state.reactions.setdefault((message_id, emoji), set())
        if user_id in reactors:
            return False
        reactors.add(user_id)
        self._store_reaction_counts(msg)
        data: JSON = {"user_id": str(user_id), "channel_id": str(channel.id),
                      "message_id": str(message_id), "emoji": _emoji_payload(emoji),
                      "burst": False, "burst_colors": [], "type": 0,
                      "message_author_id": msg["author"]["id"]}
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
            data["member"] = self._state.guilds[guild_id].members[user_id].payload()
        await self._events.reaction("MESSAGE_REACTION_ADD", data, guild_id)
        return True

    async def remove_reaction(self, user_id: int, message_id: int, emoji: str) -> bool:
        """A member takes a reaction away (MESSAGE_REACTION_REMOVE); False if they had none."""
        msg, channel, guild_id = self._reactable(user_id, message_id)
        reactors = self._state.reactions.get((message_id, emoji), set())
        if user_id not in reactors:
            return False
        reactors.discard(user_id)
        self._store_reaction_counts(msg)
        data: JSON = {"user_id": str(user_id), "channel_id": str(channel.id),
                      "message_id": str(message_id), "emoji": _emoji_payload(emoji),
                      "burst": False, "type": 0}
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        await self._events.reaction("MESSAGE_REACTION_REMOVE", data, guild_id)
        return True

    def _reactable(self, user_id: int, message_id: int) -> tuple[JSON, Any, int | None]:
        msg = self._state.messages.get(message_id)
        if msg is None:
            raise LookupError(f"unknown message {message_id}")
        channel = self._state.channels[int(msg["channel_id"])]
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        if guild_id is not None:
            if user_id not in self._state.guilds[guild_id].members:
                raise LookupError(f"user {user_id} is not a member of guild {guild_id}")
            perms = self._permissions.channel_permissions(channel.id, user_id)
            needed = Permission.VIEW_CHANNEL | Permission.ADD_REACTIONS | (
                Permission.READ_MESSAGE_HISTORY)
            if perms & needed != needed:
                raise PermissionError("Missing Permissions (50013)")
        return msg, channel, guild_id

    def _store_reaction_counts(self, msg: JSON) -> None:
        """The message's `reactions` as Discord shows them (count per emoji)."""
        message_id = int(msg["id"])
        shown = []
        for (mid, emoji), users in self._state.reactions.items():
            if mid == message_id and users:
                shown.append({"count": len(users),
                              "count_details": {"burst": 0, "normal": len(users)},
                              "me": self._state.bot_user.id in users, "me_burst": False,
                              "burst_colors": [], "emoji": _emoji_payload(emoji)})
        msg["reactions"] = shown

    # ---------------------------------------------------------------- sending

    async def _send(self, type_: int, guild_id: int | None, channel_id: int, user_id: int,
                    data: JSON, message: JSON | None = None) -> Interaction:
        """Build a full INTERACTION_CREATE payload and dispatch it to one session."""
        state = self._state
        inter_id = state.ids.next()
        token = "fakeinteraction." + secrets.token_urlsafe(48)
        payload = self._payload(inter_id, token, type_, guild_id, channel_id, user_id, data)
        if message is not None:
            payload["message"] = message
        inter = Interaction(inter_id, token, type_, guild_id, channel_id, user_id, payload,
                            time.monotonic(),
                            message_id=int(message["id"]) if message is not None else None)
        session = await self._gateway.interaction_session(guild_id)
        state.interactions[inter_id] = inter
        inter.created_at = time.monotonic()
        await session.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _payload(self, inter_id: int, token: str, type_: int, guild_id: int | None,
                 channel_id: int, user_id: int, data: JSON) -> JSON:
        state, perms = self._state, self._permissions
        channel = state.channels[channel_id]
        payload: JSON = {
            "id": str(inter_id),
            "application_id": str(state.application_id),
            "type": type_,
            "data": data,
            "channel": {**channel.payload(),
                        "permissions": str(perms.channel_permissions(channel_id, user_id))},
            "channel_id": str(channel_id),
            "token": token,
            "version": 1,
            "locale": state.users[user_id].locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": state.filesize_limit_for(channel),
        }
        if guild_id is not None:
            guild = state.guilds[guild_id]
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                member=self._member_context(guild_id, channel_id, user_id),
                app_permissions=str(perms.channel_permissions(channel_id, state.bot_user.id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            user = state.users[user_id].payload()
            payload.update(user=user, app_permissions=str(ALL_PERMISSIONS),
                           authorizing_integration_owners={"1": str(user_id)}, context=1)
            if channel.type == 1:
                payload["channel"]["recipients"] = [state.users[user_id].payload()]
        return payload

    def _member_context(self, guild_id: int, channel_id: int, user_id: int) -> JSON:
        member = self._state.guilds[guild_id].members.get(user_id)
        if member is None:
            raise LookupError(f"user {user_id} is not a member of guild {guild_id}")
        return {**member.payload(),
                "permissions": str(self._permissions.channel_permissions(channel_id, user_id))}


def _emoji_payload(emoji: str) -> JSON:
    """A reaction's partial emoji: `{"id": null, "name": "🔥"}` for a unicode emoji,
    `{"id": "123", "name": "kling", "animated": false}` for a custom `<:kling:123>`."""
    if emoji.startswith("<") and emoji.endswith(">"):
        animated, name, emoji_id = emoji[1:-1].split(":")
        return {"id": emoji_id, "name": name, "animated": animated == "a"}
    return {"id": None, "name": emoji}
