"""``POST /interactions/{id}/{token}/callback``: the bot's one answer to an interaction (a
message, a deferral, a message update, a modal, autocomplete choices), within Discord's
3-second deadline and only once. Follow-ups and later edits are `webhooks`' business."""

from __future__ import annotations

import time

from aiohttp import web

from testkit.fakes.discord.components import number_components
from testkit.fakes.discord.events import Events
from testkit.fakes.discord.flags import MESSAGE_FLAG_EPHEMERAL, MESSAGE_FLAG_LOADING
from testkit.fakes.discord.limits import (
    check_upload,
    validate_autocomplete,
    validate_message,
    validate_modal,
)
from testkit.fakes.discord.message_store import MessageStore
from testkit.fakes.discord.models import JSON, Channel
from testkit.fakes.discord.records import Interaction, InteractionCallback, UploadedFile
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError, invalid_form, json_response


def interaction_message_type(inter: Interaction) -> int:
    """The type of a message answering an interaction: 20 slash command, 23 context menu,
    19 reply (components, modals)."""
    if inter.type == 2:
        return 23 if inter.payload["data"].get("type", 1) in (2, 3) else 20
    return 19


def _focused_type(data: JSON) -> int:
    """The type of the option an autocomplete interaction is for (the one marked focused)."""
    options: list[JSON] = data.get("options") or []
    while options:
        focused = next((o for o in options if o.get("focused")), None)
        if focused is not None:
            return int(focused["type"])
        options = next((o.get("options") or [] for o in options if o["type"] in (1, 2)), [])
    raise ValueError("an autocomplete interaction without a focused option")


# Interaction type -> the callback types it may be answered with: a command: a message, a
# deferral or a modal; a component: those and (deferred) updates of its message; autocomplete:
# choices only; a modal submit: no modal.
ALLOWED_CALLBACKS: dict[int, set[int]] = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8},
                                          5: {4, 5, 6, 7}}
KNOWN_CALLBACKS = {4, 5, 6, 7, 8, 9}


class InteractionRoutes:
    """The interaction callback; its messages are made by the message store."""

    def __init__(self, state: FakeState, store: MessageStore, events: Events) -> None:
        self._state = state
        self._store = store
        self._events = events

    def register(self, router: Router) -> None:
        """Add the interaction callback route to `router`."""
        router.add("POST", "/interactions/{interaction_id}/{token}/callback", self._callback)

    async def _callback(self, req: Req) -> web.Response:
        state = self._state
        inter = state.interactions.get(req.int_param("interaction_id"))
        if inter is None or inter.token != req.params["token"] or \
                time.monotonic() - inter.created_at > state.callback_deadline:
            raise DiscordError(404, 10062, "Unknown interaction")
        if inter.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body: JSON = req.json or {}
        cb_type = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        channel = state.channels[inter.channel_id]
        check_upload(req.files, state.filesize_limit_for(channel))
        ephemeral = bool(int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)
        msg, data = self._respond(inter, cb_type, data, req.files, channel)
        inter.responses.append(InteractionCallback(cb_type, data, req.files, time.monotonic()))
        resource: JSON = {"type": cb_type}
        info: JSON = {"id": str(inter.id), "type": inter.type,
                      "response_message_loading": cb_type == 5,
                      "response_message_ephemeral": False}
        if msg is not None:
            info["response_message_id"] = msg["id"]
            info["response_message_ephemeral"] = ephemeral or \
                bool(msg["flags"] & MESSAGE_FLAG_EPHEMERAL)
            resource["message"] = msg
            await self._events.message("MESSAGE_UPDATE" if cb_type in (6, 7)
                                       else "MESSAGE_CREATE", msg)
        state.changed()
        if req.record.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return json_response({"interaction": info, "resource": resource})

    def _respond(self, inter: Interaction, cb_type: int, data: JSON,
                 files: list[UploadedFile], channel: Channel) -> tuple[JSON | None, JSON]:
        """Carry out one callback type: the message it made or changed (if any), and the
        callback data as recorded."""
        store, bot_user = self._store, self._state.bot_user
        allowed = ALLOWED_CALLBACKS.get(inter.type, set())
        if cb_type not in allowed and cb_type in KNOWN_CALLBACKS:
            # Discord answers a type the interaction cannot take as an invalid form field
            # (40004 would be "Send messages has been temporarily disabled").
            choices = ", ".join(str(t) for t in sorted(allowed))
            raise invalid_form("type", "BASE_TYPE_CHOICES", f"Value must be one of {{{choices}}}.")
        if cb_type == 4:
            validate_message(data, files, creating=True)
            msg = store.create(channel, bot_user, data, files,
                               msg_type=interaction_message_type(inter), interaction=inter)
            inter.original_message_id = int(msg["id"])
            return msg, data
        if cb_type == 5:
            msg = store.create(channel, bot_user, {"flags": data.get("flags")}, [],
                               msg_type=interaction_message_type(inter),
                               flags=MESSAGE_FLAG_LOADING, interaction=inter)
            inter.original_message_id = int(msg["id"])
            return msg, data
        if cb_type in (6, 7):
            return self._update_message(inter, cb_type, data, files), data
        if cb_type == 9:
            validate_modal(data)
            return None, {**data, "components": number_components(data.get("components") or [])}
        if cb_type == 8 and inter.type == 4:
            validate_autocomplete(data, _focused_type(inter.payload["data"]))
            return None, data
        raise invalid_form("type", "BASE_TYPE_CHOICES", f"Value {cb_type} is not valid")

    def _update_message(self, inter: Interaction, cb_type: int, data: JSON,
                        files: list[UploadedFile]) -> JSON:
        """Types 6 (deferred update) and 7 (update): the message the component was on."""
        messages = self._state.messages
        if inter.message_id is None or inter.message_id not in messages:
            raise invalid_form("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 9}.")
        msg = messages[inter.message_id]
        inter.original_message_id = inter.message_id
        if cb_type == 7:
            validate_message(data, files, creating=False)
            self._store.apply_edit(msg, data, files)
        return msg
