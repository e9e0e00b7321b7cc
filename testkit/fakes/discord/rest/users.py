"""Users and the bot's own identity: ``/users/@me``, ``/users/{id}`` and the application
(``/applications/@me``, ``/oauth2/applications/@me``), which discord.py reads at login."""

from __future__ import annotations

import secrets

from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError


class UserRoutes:
    """Users by id, the bot user, and the application discord.py reads at login."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    def register(self, router: Router) -> None:
        router.add("GET", "/users/@me", lambda q: self._state.bot_user.payload())
        router.add("GET", "/users/{user_id}", self._get_user)
        router.add("GET", "/oauth2/applications/@me", lambda q: self._application_payload())
        router.add("GET", "/applications/@me", lambda q: self._application_payload())

    def _get_user(self, req: Req) -> JSON:
        user = self._state.users.get(req.int_param("user_id"))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return user.payload()

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
