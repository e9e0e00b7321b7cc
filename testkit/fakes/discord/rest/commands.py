"""Application commands, global and per guild: list, bulk overwrite (PUT), upsert (POST), get
and delete, validated like Discord (see `limits.validate_command`). Ids survive an overwrite
of the same name and type, as they do on Discord, so the bot's sync can be checked."""

from __future__ import annotations

from aiohttp import web

from testkit.fakes.discord.limits import validate_command
from testkit.fakes.discord.models import JSON
from testkit.fakes.discord.rest.lookup import Lookup
from testkit.fakes.discord.rest.router import Req, Router
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import DiscordError, invalid_form, json_response

SCOPES = ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}")


class CommandRoutes:
    """Keeps synced commands in ``state.commands`` (key: guild id, or None for global)."""

    def __init__(self, state: FakeState, lookup: Lookup) -> None:
        self._state = state
        self._lookup = lookup

    def register(self, router: Router) -> None:
        """Add the command routes, global and per guild, to `router`."""
        for scope in SCOPES:
            router.add("GET", scope + "/commands", self._get_commands)
            router.add("PUT", scope + "/commands", self._put_commands)
            router.add("POST", scope + "/commands", self._post_command)
            router.add("GET", scope + "/commands/{command_id}", self._get_command)
            router.add("DELETE", scope + "/commands/{command_id}", self._delete_command)

    def _scope(self, req: Req) -> int | None:
        if int(req.params["app_id"]) != self._state.application_id:
            raise DiscordError(403, 20012,
                               "You are not authorized to perform this action on this application")
        if "guild_id" in req.params:
            return self._lookup.guild(req).id
        return None

    def _get_commands(self, req: Req) -> list[JSON]:
        return self._state.commands.get(self._scope(req), [])

    def _get_command(self, req: Req) -> JSON:
        for cmd in self._get_commands(req):
            if cmd["id"] == req.params["command_id"]:
                return cmd
        raise DiscordError(404, 10063, "Unknown application command")

    def _delete_command(self, req: Req) -> None:
        commands = self._state.commands
        scope = self._scope(req)
        before = commands.get(scope, [])
        commands[scope] = [c for c in before if c["id"] != req.params["command_id"]]
        if len(before) == len(commands[scope]):
            raise DiscordError(404, 10063, "Unknown application command")

    def _put_commands(self, req: Req) -> list[JSON]:
        scope = self._scope(req)
        if not isinstance(req.json, list):
            raise invalid_form("_root", "LIST_TYPE_CONVERT", "Only iterables may be used in a "
                                                             "ListType")
        old = {(c["name"], c["type"]): c for c in self._state.commands.get(scope, [])}
        stored = [self._store_command(scope, body, old, f"{i}")
                  for i, body in enumerate(req.json)]
        self._state.commands[scope] = stored
        return stored

    def _post_command(self, req: Req) -> web.Response:
        commands = self._state.commands
        scope = self._scope(req)
        existing = {(c["name"], c["type"]): c for c in commands.get(scope, [])}
        cmd = self._store_command(scope, req.json, existing, "")
        key = (cmd["name"], cmd["type"])
        cmds = [c for c in commands.get(scope, []) if (c["name"], c["type"]) != key]
        commands[scope] = [*cmds, cmd]
        return json_response(cmd, 200 if key in existing else 201)

    def _store_command(self, scope: int | None, body: JSON,
                       old: dict[tuple[str, int], JSON], where: str) -> JSON:
        """Validate like Discord (names, lengths, counts, required-first) and fill server
        fields (id kept across overwrites, version, application_id, guild_id)."""
        state = self._state
        prefix = f"{where}." if where else ""
        type_ = int(body.get("type", 1))
        validate_command(body, type_, prefix)
        state.strict.check_command_size(body, where)
        previous = old.get((body["name"], type_))
        cmd: JSON = {
            "id": previous["id"] if previous else str(state.ids.next()),
            "application_id": str(state.application_id),
            "version": str(state.ids.next()),
            "type": type_,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": body.get("nsfw", False),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types", [0]),
        }
        if type_ == 1:
            cmd["options"] = body.get("options", [])
        if scope is not None:
            cmd["guild_id"] = str(scope)
        return cmd
