"""Channels: ``GET /channels/{id}``, typing, and threads (from a message, without one, and forum
posts, which are a thread plus its first message)."""

from __future__ import annotations

from aiohttp import web

from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import MESSAGE_FLAG_HAS_THREAD, Permission
from testkit.fakes.discord.message_store import MessageStore
from testkit.fakes.discord.models import JSON, Channel
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.rest.lookup import Lookup
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError, invalid_form, json_response


class ChannelRoutes:
    """Channel reads, typing, and thread creation (announced as THREAD_CREATE)."""

    def __init__(self, state: FakeState, lookup: Lookup, permissions: Permissions,
                 store: MessageStore, events: Events) -> None:
        self._state = state
        self._lookup = lookup
        self._permissions = permissions
        self._store = store
        self._events = events

    def register(self, router: Router) -> None:
        """Add the channel and thread routes to `router`."""
        router.add("GET", "/channels/{channel_id}", self._get_channel)
        router.add("POST", "/channels/{channel_id}/messages/{message_id}/threads",
                   self._thread_from_message)
        router.add("POST", "/channels/{channel_id}/threads", self._thread_without_message)
        router.add("POST", "/channels/{channel_id}/typing", lambda q: None)

    def _get_channel(self, req: Req) -> JSON:
        return self._lookup.channel(req).payload()

    async def _thread_from_message(self, req: Req) -> web.Response:
        channel = self._lookup.channel(req)
        msg = self._lookup.message(req, channel)
        if channel.type not in (0, 5):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self._permissions.require(channel.id, Permission.CREATE_PUBLIC_THREADS)
        if int(msg["id"]) in self._state.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        refusal = self._state.strict.thread_creation(channel.id, channel.guild_id)
        if refusal is not None:
            return refusal
        body: JSON = req.json or {}
        newest = max(int(m["id"]) for m in self._state.messages_in(channel.id))
        thread = self._open_thread(channel, body, 10 if channel.type == 5 else 11,
                                   thread_id=int(msg["id"]))
        msg["flags"] |= MESSAGE_FLAG_HAS_THREAD
        msg["thread"] = thread.payload()
        await self._events.thread_created(thread)
        if self._state.strict.enabled and int(msg["id"]) != newest:
            await self._announce_thread(channel, thread)
        return json_response(thread.payload(), 201)

    async def _announce_thread(self, channel: Channel, thread: Channel) -> None:
        """Discord's type-18 "started a thread" message, left in the channel when the
        thread's message is no longer the newest one there (members would not see it start)."""
        state = self._state
        notice = self._store.create(channel, state.bot_user, {"content": thread.name}, [],
                                    msg_type=18)
        notice["message_reference"] = {"type": 0, "channel_id": str(thread.id),
                                       "guild_id": str(channel.guild_id)}
        await self._events.message("MESSAGE_CREATE", notice)

    async def _thread_without_message(self, req: Req) -> web.Response:
        channel = self._lookup.channel(req)
        body: JSON = req.json or {}
        if channel.type == 15:
            return await self._forum_post(channel, req)
        if channel.type not in (0, 5):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        type_ = int(body.get("type") or 12)
        need = Permission.CREATE_PUBLIC_THREADS if type_ in (10, 11) \
            else Permission.CREATE_PRIVATE_THREADS
        self._permissions.require(channel.id, need)
        refusal = self._state.strict.thread_creation(channel.id, channel.guild_id)
        if refusal is not None:
            return refusal
        thread = self._open_thread(channel, body, type_)
        await self._events.thread_created(thread)
        return json_response(thread.payload(), 201)

    async def _forum_post(self, forum: Channel, req: Req) -> web.Response:
        """A forum post is a thread plus its first message (which has the thread's id)."""
        body: JSON = req.json or {}
        self._permissions.require(forum.id, Permission.SEND_MESSAGES)
        refusal = self._state.strict.thread_creation(forum.id, forum.guild_id)
        if refusal is not None:
            return refusal
        thread = self._open_thread(forum, body, 11)
        first = self._store.create(thread, self._state.bot_user, body.get("message") or {},
                                   req.files, message_id=thread.id)
        await self._events.thread_created(thread)
        await self._events.message("MESSAGE_CREATE", first)
        return json_response({**thread.payload(), "message": first}, 201)

    def _open_thread(self, parent: Channel, body: JSON, type_: int,
                     thread_id: int | None = None) -> Channel:
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form("name", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length.")
        state = self._state
        guild = state.guilds[parent.guild_id] if parent.guild_id else None
        if state.strict.enabled and guild is not None:
            active = sum(1 for c in state.channels.values()
                         if c.is_thread and c.guild_id == guild.id and not c.archived)
            if active >= state.strict.limits.active_threads_per_guild:
                raise DiscordError(400, 160006, "Maximum number of active threads reached")
        thread = state.new_channel(guild, name, type_, parent_id=parent.id, channel_id=thread_id)
        thread.owner_id = state.bot_user.id
        thread.auto_archive_duration = int(body.get("auto_archive_duration") or 1440)
        return thread
