"""The interaction webhook: follow-ups (``POST /webhooks/{app}/{token}``) and the original
response or a follow-up by id (``GET/PATCH/DELETE .../messages/{id|@original}``), valid for the
token's lifetime (15 minutes on Discord; a knob here)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import MESSAGE_FLAG_LOADING
from testkit.fakes.discord.limits import check_upload, validate_message
from testkit.fakes.discord.message_store import MessageStore
from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.records import Interaction
from testkit.fakes.discord.rest.interactions import interaction_message_type
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError, json_response


class WebhookRoutes:
    """Follow-ups and edits through an interaction's token, while the token lives."""

    def __init__(self, state: FakeState, store: MessageStore, events: Events) -> None:
        self._state = state
        self._store = store
        self._events = events

    def register(self, router: Router) -> None:
        """Add the interaction webhook routes to `router`."""
        router.add("POST", "/webhooks/{app_id}/{token}", self._execute)
        for verb in ("GET", "PATCH", "DELETE"):
            router.add(verb, "/webhooks/{app_id}/{token}/messages/{message_id}", self._message)

    def _interaction_by_token(self, app_id: str, token: str) -> Interaction:
        state = self._state
        inter = next((i for i in state.interactions.values() if i.token == token), None)
        if inter is None or int(app_id) != state.application_id:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if time.monotonic() - inter.created_at > state.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return inter

    async def _execute(self, req: Req) -> web.Response:
        state = self._state
        inter = self._interaction_by_token(req.params["app_id"], req.params["token"])
        if not inter.acknowledged:
            raise DiscordError(404, 10015, "Unknown Webhook")
        body: JSON = req.json or {}
        channel = state.channels[inter.channel_id]
        check_upload(req.files, state.filesize_limit_for(channel))
        validate_message(body, req.files, creating=True)
        refusal = state.strict.followup(channel.id)
        if refusal is not None:
            return refusal
        original = state.messages.get(inter.original_message_id or 0)
        if original is not None and original["flags"] & MESSAGE_FLAG_LOADING and \
                inter.responses[0].type == 5:
            # Discord: the first followup after a deferred reply replaces the "thinking" message.
            msg = self._store.apply_edit(original, body, req.files)
            msg["edited_timestamp"] = None
            event = "MESSAGE_UPDATE"
        else:
            msg = self._store.create(channel, state.bot_user, body, req.files,
                                     msg_type=interaction_message_type(inter), interaction=inter)
            inter.followup_message_ids.append(int(msg["id"]))
            event = "MESSAGE_CREATE"
        await self._events.message(event, msg)
        if req.record.query.get("wait") in ("1", "true", "True"):
            return json_response(msg)
        return web.Response(status=204)

    async def _message(self, req: Req) -> Any:
        state = self._state
        inter = self._interaction_by_token(req.params["app_id"], req.params["token"])
        raw_id = req.params["message_id"]
        mid = inter.original_message_id if raw_id == "@original" else int(raw_id)
        allowed = {inter.original_message_id, *inter.followup_message_ids}
        if mid is None or mid not in allowed or mid not in state.messages:
            raise DiscordError(404, 10008, "Unknown Message")
        msg = state.messages[mid]
        method = req.record.method
        if method == "GET":
            return msg
        if method == "DELETE":
            await self._store.remove(msg)
            return None
        body: JSON = req.json or {}
        check_upload(req.files, state.filesize_limit_for(state.channels[inter.channel_id]))
        validate_message(body, req.files, creating=False)
        self._store.apply_edit(msg, body, req.files)
        await self._events.message("MESSAGE_UPDATE", msg)
        return msg
