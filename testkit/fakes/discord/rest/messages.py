"""Channel messages: read (history with before/after/around), post (permissions, upload limit,
validation, ``enforce_nonce`` deduplication), edit and delete, each announced on the gateway."""

from __future__ import annotations

import time

from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import Permission
from testkit.fakes.discord.limits import check_upload, validate_message
from testkit.fakes.discord.message_store import MessageStore
from testkit.fakes.discord.models import JSON, TEXT_LIKE_TYPES, Channel
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.records import UploadedFile
from testkit.fakes.discord.rest.lookup import Lookup
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError, invalid_form

MESSAGE = "/channels/{channel_id}/messages/{message_id}"


class MessageRoutes:
    """``/channels/{id}/messages[/{id}]``, as the bot's own token uses them."""

    def __init__(self, state: FakeState, lookup: Lookup, permissions: Permissions,
                 store: MessageStore, events: Events) -> None:
        self._state = state
        self._lookup = lookup
        self._permissions = permissions
        self._store = store
        self._events = events
        # (author, channel, nonce) -> (when, message id): what enforce_nonce deduplicates by.
        self._nonces: dict[tuple[int, int, str], tuple[float, int]] = {}

    def register(self, router: Router) -> None:
        """Add the channel message routes to `router`."""
        router.add("GET", "/channels/{channel_id}/messages", self._get_messages)
        router.add("POST", "/channels/{channel_id}/messages", self._post_message)
        router.add("GET", MESSAGE, self._get_message)
        router.add("PATCH", MESSAGE, self._patch_message)
        router.add("DELETE", MESSAGE, self._delete_message)

    def _get_messages(self, req: Req) -> list[JSON]:
        """GET /channels/{id}/messages as Discord answers it: newest first, `limit` 1..100
        (default 50), at most one of `before`, `after` (the oldest ones after it) and
        `around`. Ids are snowflakes, so id order is time order."""
        channel = self._lookup.channel(req, need=Permission.READ_MESSAGE_HISTORY)
        query = req.record.query
        limit = int(query.get("limit", 50))
        if not 1 <= limit <= 100:
            raise invalid_form("limit", "NUMBER_TYPE_MAX", "int value should be 1 to 100.")
        newest_first = sorted(self._state.messages_in(channel.id), key=lambda m: -int(m["id"]))
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
        channel = self._lookup.channel(req, need=Permission.READ_MESSAGE_HISTORY)
        return self._lookup.message(req, channel)

    async def _post_message(self, req: Req) -> JSON:
        state = self._state
        channel = self._lookup.channel(req)
        body: JSON = req.json or {}
        self._permissions.require(channel.id, _send_permission(channel, req.files))
        if channel.type == 1:
            self._check_dm_allowed(channel)
        check_upload(req.files, state.filesize_limit_for(channel))
        nonce = body.get("nonce")
        key = (state.bot_user.id, channel.id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if seen and time.monotonic() - seen[0] < state.nonce_window and \
                    seen[1] in state.messages:
                return state.messages[seen[1]]
        validate_message(body, req.files, creating=True)
        body = state.strict.embeds_allowed(body, may_embed=self._may_embed(channel),
                                           creating=True, has_files=bool(req.files))
        if state.strict.open_thread_for(channel, editing=False):
            await self._events.to_guild("THREAD_UPDATE", channel.payload(), channel.guild_id)
        msg = self._store.create(channel, state.bot_user, body, req.files)
        if nonce is not None:
            self._nonces[key] = (time.monotonic(), int(msg["id"]))
        await self._events.message("MESSAGE_CREATE", msg)
        return msg

    def _check_dm_allowed(self, channel: Channel) -> None:
        """A DM reaches a user who shares a server with the bot and takes DMs from its
        members; else Discord answers 403 50007."""
        state = self._state
        user = state.users.get(channel.recipient_id or 0)
        shares_guild = user is not None and any(user.id in g.members
                                                for g in state.guilds.values())
        if user is None or not user.dms_open or not shares_guild:
            raise DiscordError(403, 50007, "Cannot send messages to this user")

    async def _patch_message(self, req: Req) -> JSON:
        channel = self._lookup.channel(req)
        msg = self._lookup.message(req, channel)
        if int(msg["author"]["id"]) != self._state.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body: JSON = req.json or {}
        check_upload(req.files, self._state.filesize_limit_for(channel))
        validate_message(body, req.files, creating=False)
        strict = self._state.strict
        strict.open_thread_for(channel, editing=True)
        body = strict.embeds_allowed(body, may_embed=self._may_embed(channel), creating=False,
                                     has_files=bool(req.files))
        self._store.apply_edit(msg, body, req.files)
        await self._events.message("MESSAGE_UPDATE", msg)
        return msg

    def _may_embed(self, channel: Channel) -> bool:
        perms = self._permissions.channel_permissions(channel.id, self._state.bot_user.id)
        return bool(perms & Permission.EMBED_LINKS)

    async def _delete_message(self, req: Req) -> None:
        channel = self._lookup.channel(req)
        msg = self._lookup.message(req, channel)
        if int(msg["author"]["id"]) != self._state.bot_user.id:
            self._permissions.require(channel.id, Permission.MANAGE_MESSAGES)
        await self._store.remove(msg)


def _send_permission(channel: Channel, files: list[UploadedFile]) -> int:
    """What posting here needs: SEND_MESSAGES (in threads: ..._IN_THREADS), files ATTACH_FILES."""
    if channel.type not in TEXT_LIKE_TYPES:
        raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
    need = Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread \
        else Permission.SEND_MESSAGES
    return need | (Permission.ATTACH_FILES if files else 0)
