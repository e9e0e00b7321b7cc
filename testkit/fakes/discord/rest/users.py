"""Users and the bot's own identity: ``/users/@me``, ``/users/{id}`` and the application
(``/applications/@me``, ``/oauth2/applications/@me``), which discord.py reads at login."""

from __future__ import annotations

import secrets

from testkit.fakes.discord.models import JSON, Channel
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError


class UserRoutes:
    """Users by id, the bot user, and the application discord.py reads at login."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    def register(self, router: Router) -> None:
        """Add the user, DM and application routes to `router`."""
        router.add("GET", "/users/@me", lambda q: self._state.bot_user.payload())
        router.add("GET", "/users/{user_id}", self._get_user)
        router.add("POST", "/users/@me/channels", self._open_dm)
        router.add("GET", "/oauth2/applications/@me", lambda q: self._application_payload())
        router.add("GET", "/applications/@me", lambda q: self._application_payload())

    def _get_user(self, req: Req) -> JSON:
        user = self._state.users.get(req.int_param("user_id"))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return user.payload()

    def _open_dm(self, req: Req) -> JSON:
        """POST /users/@me/channels ``{"recipient_id"}``: the bot's DM channel with a user,
        made on first use. Discord opens it whatever the user's privacy settings (a message
        into it is what they refuse: see `messages`)."""
        body: JSON = req.json or {}
        try:
            user = self._state.users.get(int(body.get("recipient_id", "")))
        except ValueError:
            user = None
        if user is None:
            raise DiscordError(400, 50035, "Invalid Form Body",
                               {"recipient_id": {"_errors": [{"code": "NUMBER_TYPE_COERCE",
                                                              "message": "Unknown user"}]}})
        channel = dm_channel(self._state, user.id)
        return {**channel.payload(), "recipients": [user.payload()]}

    def _application_payload(self) -> JSON:
        state = self._state
        owner = state.users[next(iter(state.guilds.values())).owner_id] if state.guilds \
            else state.bot_user
        return {
            "id": str(state.application_id),
            "name": state.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "owner": owner.payload(),
            "team": None,
            "bot": state.bot_user.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "integration_types_config": {"0": {}},
        }


def dm_channel(state: FakeState, user_id: int) -> Channel:
    """The DM channel (type 1) between the bot and `user_id`, made on first use."""
    for channel in state.channels.values():
        if channel.type == 1 and channel.recipient_id == user_id:
            return channel
    channel = state.new_channel(None, "", 1)
    channel.recipient_id = user_id
    return channel
