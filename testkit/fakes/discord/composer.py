"""What Discord's client does before an interaction is sent: it offers only the synced commands
a member may see in this context, converts and checks option values (choices, lengths, ranges),
resolves users, roles, channels and attachments, and refuses clicks on components a message
does not have. A test that asks for something no real user could do gets an exception here,
not a payload the bot would never receive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from testkit.fakes.discord.attachments import Attachments
from testkit.fakes.discord.components import modal_submit_components, walk_components
from testkit.fakes.discord.flags import ALL_PERMISSIONS
from testkit.fakes.discord.models import JSON, AttachmentSpec, Guild
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.records import Interaction
from testkit.fakes.discord.state import FakeState


class InteractionComposer:
    """Builds the ``data`` of application-command, component and modal interactions."""

    def __init__(self, state: FakeState, permissions: Permissions,
                 attachments: Attachments) -> None:
        self._state = state
        self._permissions = permissions
        self._attachments = attachments

    # ---------------------------------------------------------------- commands

    def find_command(self, guild_id: int | None, name: str, type_: int) -> tuple[JSON, bool]:
        """The synced command (guild ones first) and whether it is a guild command."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for cmd in self._state.commands.get(scope, []):
                if cmd["name"] == name and cmd["type"] == type_:
                    return cmd, scope is not None
        raise LookupError(f"no synced command {name!r} (type {type_}) for guild {guild_id}")

    def can_use_command(self, guild_id: int, user_id: int, cmd: JSON) -> bool:
        """Discord's client hides commands whose default_member_permissions the user lacks."""
        needed = cmd.get("default_member_permissions")
        if needed is None:
            return True
        have = self._permissions.base_permissions(guild_id, user_id)
        return have == ALL_PERMISSIONS or (int(needed) != 0 and have & int(needed) == int(needed))

    def command_allowed_in(self, cmd: JSON, context: int) -> bool:
        """Discord's client offers a command only in the contexts it was synced with (guild 0,
        bot DM 1, private channel 2); without ``contexts`` the old ``dm_permission`` decides."""
        contexts = cmd.get("contexts")
        if contexts is None:
            contexts = [0, 1, 2] if cmd.get("dm_permission", True) else [0]
        return context in contexts

    def command_data(self, guild_id: int | None, user_id: int, name: str, type_: int) -> JSON:
        """The ``data`` head of a command interaction, if the user is offered the command."""
        cmd, is_guild = self.find_command(guild_id, name, type_)
        if not self.command_allowed_in(cmd, 0 if guild_id is not None else 1):
            raise PermissionError(f"command {name!r} is not offered here (contexts "
                                  f"{cmd.get('contexts')})")
        if guild_id is not None and not self.can_use_command(guild_id, user_id, cmd):
            raise PermissionError(f"user {user_id} cannot see command {name!r}")
        data: JSON = {"id": cmd["id"], "name": name, "type": type_}
        if is_guild:
            data["guild_id"] = cmd["guild_id"]
        return data

    def _subcommand_chain(self, guild_id: int | None, name: str, path: Sequence[str]
                          ) -> tuple[list[JSON], list[JSON]]:
        """The subcommand (group) definitions along ``path`` and the options of the last."""
        cmd, _ = self.find_command(guild_id, name, 1)
        defs: list[JSON] = cmd.get("options") or []
        chain: list[JSON] = []
        for part in path:
            sub = next((o for o in defs if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"/{name} has no subcommand (group) {part!r}")
            chain.append(sub)
            defs = sub.get("options") or []
        return chain, defs

    def slash_data(self, guild_id: int | None, channel_id: int, user_id: int, name: str,
                   path: Sequence[str], given: Mapping[str, Any]) -> JSON:
        """``/name path... options``: the subcommand chain and typed, resolved options."""
        data = self.command_data(guild_id, user_id, name, 1)
        chain, defs = self._subcommand_chain(guild_id, name, path)
        if defs and defs[0]["type"] in (1, 2):
            raise ValueError(f"/{name} {' '.join(path)} needs a subcommand")
        resolved: JSON = {}
        built = self._build_options(guild_id, channel_id, defs, given, resolved)
        for sub in reversed(chain):
            built = [{"type": sub["type"], "name": sub["name"], "options": built}]
        data["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    def autocomplete_data(self, guild_id: int | None, user_id: int, name: str,
                          path: Sequence[str], given: Mapping[str, Any], focused: str,
                          typed: str) -> JSON:
        """What the client sends while a member types into an autocomplete option: the
        options filled so far, and the `focused` one with what was typed (always a string,
        whatever the option's type). No ``resolved``: Discord sends none with autocomplete,
        so a filled attachment, user or channel option is its id only."""
        data = self.command_data(guild_id, user_id, name, 1)
        chain, defs = self._subcommand_chain(guild_id, name, path)
        by_name = {d["name"]: d for d in defs}
        if focused not in by_name or not by_name[focused].get("autocomplete"):
            raise LookupError(f"option {focused!r} of /{name} {' '.join(path)} has no "
                              "autocomplete")
        unknown = set(given) - set(by_name)
        if unknown:
            raise LookupError(f"unknown options {sorted(unknown)}")
        built: list[JSON] = []
        for opt_name, value in given.items():
            spec = by_name[opt_name]
            kind = spec["type"]
            if kind in (3, 4, 10):
                value = {3: str, 4: int, 10: float}[kind](value)
                _check_option_value(spec, value)
            elif kind == 5:
                value = bool(value)
            elif kind == 11:
                value = str(self._state.ids.next())  # an upload's id, never resolved here
            else:
                value = str(int(value))
            built.append({"name": opt_name, "type": kind, "value": value})
        built.append({"name": focused, "type": by_name[focused]["type"], "value": typed,
                      "focused": True})
        for sub in reversed(chain):
            built = [{"type": sub["type"], "name": sub["name"], "options": built}]
        data["options"] = built
        return data

    def _build_options(self, guild_id: int | None, channel_id: int, defs: list[JSON],
                       given: Mapping[str, Any], resolved: JSON) -> list[JSON]:
        by_name = {d["name"]: d for d in defs}
        unknown = set(given) - set(by_name)
        if unknown:
            raise LookupError(f"unknown options {sorted(unknown)}")
        missing = [d["name"] for d in defs if d.get("required") and d["name"] not in given]
        if missing:
            raise ValueError(f"Discord's client requires options {missing}")
        guild = self._state.guilds[guild_id] if guild_id is not None else Guild(0, "", 0)
        out: list[JSON] = []
        for opt_name, value in given.items():
            spec = by_name[opt_name]
            kind = spec["type"]
            if kind in (3, 4, 10):
                value = {3: str, 4: int, 10: float}[kind](value)
                _check_option_value(spec, value)
            elif kind == 5:
                value = bool(value)
            else:
                value = self._resolve(guild, channel_id, opt_name, kind, value, resolved)
            out.append({"name": opt_name, "type": kind, "value": value})
        return out

    def _resolve(self, guild: Guild, channel_id: int, opt_name: str, kind: int, value: Any,
                 resolved: JSON) -> Any:
        """A user, role, mentionable, channel or attachment option: its id, and its object in
        ``resolved`` as Discord sends it."""
        state, permissions = self._state, self._permissions
        if kind in (6, 9) and int(value) in state.users:
            uid = int(value)
            resolved.setdefault("users", {})[str(uid)] = state.users[uid].payload()
            if uid in guild.members:
                resolved.setdefault("members", {})[str(uid)] = {
                    **guild.members[uid].payload(with_user=False),
                    "permissions": str(permissions.channel_permissions(channel_id, uid))}
            return str(uid)
        if kind in (8, 9):
            role = guild.roles[int(value)]
            resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        if kind == 7:
            ch = state.channels[int(value)]
            resolved.setdefault("channels", {})[str(ch.id)] = {
                **ch.payload(),
                "permissions": str(permissions.channel_permissions(ch.id, state.bot_user.id))}
            return str(ch.id)
        if kind == 11:
            if not isinstance(value, AttachmentSpec):
                raise TypeError(f"option {opt_name!r} needs an AttachmentSpec")
            att = self._attachments.store(channel_id, value.filename, value.content(),
                                          value.content_type, width=value.width,
                                          height=value.height)
            att["ephemeral"] = True
            resolved.setdefault("attachments", {})[att["id"]] = att
            return str(att["id"])
        return value

    def context_menu_data(self, guild_id: int | None, channel_id: int, user_id: int, name: str,
                          target_message_id: int | None,
                          target_user_id: int | None) -> JSON:
        """A message (or user) context-menu command, with its target resolved."""
        state = self._state
        if target_message_id is not None:
            data = self.command_data(guild_id, user_id, name, 3)
            data["target_id"] = str(target_message_id)
            data["resolved"] = {"messages": {str(target_message_id):
                                             state.messages[target_message_id]}}
            return data
        assert target_user_id is not None, "give target_message_id or target_user_id"
        data = self.command_data(guild_id, user_id, name, 2)
        data["target_id"] = str(target_user_id)
        resolved: JSON = {"users": {str(target_user_id):
                                    state.users[target_user_id].payload()}}
        member = state.guilds[guild_id].members.get(target_user_id) \
            if guild_id is not None else None
        if member is not None:
            perms = self._permissions.channel_permissions(channel_id, target_user_id)
            resolved["members"] = {str(target_user_id): {
                **member.payload(with_user=False), "permissions": str(perms)}}
        data["resolved"] = resolved
        return data

    # ---------------------------------------------------------------- components and modals

    def click_data(self, msg: JSON, custom_id: str, values: Sequence[str] | None) -> JSON:
        """A click on (or a pick in) a component the message really has, and is enabled."""
        comp = next((c for c in walk_components(msg["components"])
                     if c.get("custom_id") == custom_id), None)
        if comp is None:
            raise LookupError(f"message {msg['id']} has no component {custom_id!r}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if "id" in comp:
            data["id"] = comp["id"]
        if comp["type"] != 2:
            data["values"] = list(values or [])
        return data

    def modal_submit_data(self, user_id: int, opened_by: Interaction, custom_id: str,
                          values: Mapping[str, Any]) -> JSON:
        """The submit of the modal the bot answered ``opened_by`` with, by its opener."""
        modal = next((r.data for r in opened_by.responses if r.type == 9), None)
        if modal is None:
            raise LookupError(f"interaction {opened_by.id} was not answered with a modal")
        if modal.get("custom_id") != custom_id:
            raise LookupError(f"modal custom_id is {modal.get('custom_id')!r}, not {custom_id!r}")
        if user_id != opened_by.user_id:
            raise ValueError("only the user who opened a modal can submit it")
        unknown = set(values) - {c.get("custom_id") for c in walk_components(
            modal["components"])}
        if unknown:
            raise LookupError(f"modal has no inputs {sorted(unknown)}")
        return {"custom_id": custom_id,
                "components": modal_submit_components(modal["components"], values)}


def _check_option_value(spec: JSON, value: Any) -> None:
    """What Discord's client enforces before an interaction is even sent."""
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{value!r} is not a choice of option {spec['name']!r}")
    if isinstance(value, str):
        if len(value) < int(spec.get("min_length", 0)) or \
                len(value) > int(spec.get("max_length", 6000)):
            raise ValueError(f"length of option {spec['name']!r} is out of range")
    else:
        if "min_value" in spec and value < spec["min_value"]:
            raise ValueError(f"option {spec['name']!r} below min_value")
        if "max_value" in spec and value > spec["max_value"]:
            raise ValueError(f"option {spec['name']!r} above max_value")
