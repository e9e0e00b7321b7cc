"""A change of a server's settings, made in one call whatever command asked for it.

Staff change settings from several commands (`/klingbot settings <topic>`, the reward and
credit commands); each gives this one call the keys it changes. It refuses the whole change
before anything is stored when a key is not a setting (`settings.unknown_key`), a value has
the wrong type or is not one of a setting's choices (`settings.bad_value`), a model is not in
the table, or the settings as the change would leave them break a rule (review mode without a
log channel; a default the same settings forbid, `bot.policy.check_settings`). Otherwise the
values and one audit entry per key are written in one store transaction.
"""

from __future__ import annotations

import time
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from bot.clock import Clock
from bot.errors import DomainError
from bot.guild_settings import GuildSettings
from bot.kling.capabilities import CapabilityTable
from bot.kling.invalid import InvalidOptions
from bot.moderation import AuditSink, StoredOnly
from bot.policy import check_settings
from bot.store import AuditEntry, SettingsStore

SETTING_KEYS = tuple(f.name for f in fields(GuildSettings))
_TYPES = typing.get_type_hints(GuildSettings)
# Settings that name models: stored by the table's name for them (an alias is resolved).
_MODEL_KEYS = ("default_model",)
_MODEL_LIST_KEYS = ("forbidden_models",)


class SettingsRefused(DomainError):
    """A settings change refused whole: `settings.unknown_key` (`keys`, and the `allowed`
    ones), `settings.bad_value` (`setting`, `value`) or `settings.review_needs_log`."""


@dataclass(frozen=True)
class SettingsChange:
    """What a change left: the server's settings now, and the audit entries it recorded."""

    settings: GuildSettings
    entries: tuple[AuditEntry, ...]


def _fits(value: Any, kind: Any) -> bool:
    """Whether `value` is of the settings type `kind` (a `GuildSettings` annotation)."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        return any(_fits(value, option) for option in typing.get_args(kind))
    if origin is typing.Literal:
        return value in typing.get_args(kind)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return isinstance(value, (list, tuple)) and all(_fits(v, item) for v in value)
    if kind is type(None):
        return value is None
    if kind is int:  # a bool is an int to Python, not to a setting
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)


class SettingsChanges:
    """Checks, writes and audits a server's settings changes (see the module's docstring)."""

    def __init__(self, store: SettingsStore, capabilities: CapabilityTable,
                 clock: Clock = time.time, *, audit: AuditSink | None = None) -> None:
        self.store = store
        self.capabilities = capabilities
        self.clock = clock
        # Where the entries go once stored (the log channel), as every moderator action's do.
        self.audit: AuditSink = audit or StoredOnly()

    async def change(self, guild_id: int, actor_id: int, changes: Mapping[str, Any],
                     reason: str | None = None) -> SettingsChange:
        """Apply `changes` (setting key -> new value; None clears a setting back to its
        default) for `actor_id`, all or nothing."""
        unknown = sorted(key for key in changes if key not in SETTING_KEYS)
        if unknown:
            raise SettingsRefused("settings.unknown_key",
                                  {"keys": ", ".join(unknown), "allowed": SETTING_KEYS})
        for key, value in changes.items():
            if value is not None and not _fits(value, _TYPES[key]):
                raise SettingsRefused("settings.bad_value", {"setting": key, "value": str(value)})
        resolved = {key: self._wire_names(key, value) for key, value in changes.items()}
        current = await self.store.guild_settings(guild_id)
        if not resolved:
            return SettingsChange(GuildSettings.from_rows(current), ())
        rows = {k: v for k, v in {**current, **resolved}.items() if v is not None}
        settings = GuildSettings.from_rows(rows)
        if resolved.get("review") not in (None, "off") and settings.log_channel_id is None:
            # Held jobs are decided in the log channel: without one nobody could decide.
            raise SettingsRefused("settings.review_needs_log")
        # The defaults can only be allowed values: a change that would leave one forbidden is
        # refused whole, before anything is stored.
        check_settings(settings, self.capabilities)
        now = self.clock()
        entries = tuple(
            AuditEntry(guild_id=guild_id, actor_id=actor_id, action=f"set_{key}",
                       target_id=None, old_value=_shown(current.get(key)),
                       new_value=_shown(value), reason=reason, created_at=now)
            for key, value in resolved.items())
        await self.store.change_guild_settings(guild_id, resolved, entries)
        for entry in entries:
            self.audit.recorded(entry)
        return SettingsChange(settings, entries)

    def _wire_names(self, key: str, value: Any) -> Any:
        """A model setting's value by the table's names (an alias, the seed's
        kling-video-o1, is kept as the model it names); other values as they are."""
        if value is None:
            return None
        if key in _MODEL_KEYS:
            return self.wire_name(value)
        if key in _MODEL_LIST_KEYS:
            names = list(dict.fromkeys(self.wire_name(m) for m in value))
            return names or None  # no model forbidden: the setting's default
        return list(value) if isinstance(value, tuple) else value

    def wire_name(self, model: str) -> str:
        """The table's name for `model`, or a refusal naming the models there are."""
        wire_name = self.capabilities.resolve(model)
        if wire_name is None:
            raise InvalidOptions("invalid.unknown_model",
                                 {"model": model, "allowed": self.capabilities.names()},
                                 option="model")
        return wire_name
