"""A server's policy, applied to every request in one place: where videos may be made, and the
server's defaults for what a member left open.

Every entry point (/video text, /video image, the Animate menu, Extend, Extend with a new prompt)
becomes a request that the job service reserves, and the reservation applies this policy first,
with the server's settings it reads anyway for the member's limit (the Discord layer has
acknowledged the interaction by then). The rules:

- Allowed channels: when the server named some, a request is refused anywhere else, unless it
  was made in a thread of an allowed channel (`NotAllowedHere`).
- Defaults fill what the member did not choose (model, mode, duration), marked as such: what
  a default filled is never refused, only fallen back from (`VideoOptions.with_defaults`). A
  default model the operator has since removed from the model table falls back to the table's
  default, and the server's moderators hear about it once (`first_notice_of_removed_model`).
  Which model and length that makes is `bot.kling.resolution`'s to decide, the same for the
  steering here, for validation and for the duration list (`planned_model`, `offered_lengths`).
- An Extend continues its source: its model and mode are the source's and its length the
  member's (5 or 10 s where the model table lists them, else Kling's own), so no default
  applies to it; the channel rule does.
- Staff limits (`forbidden_models`, `allow_4k`, `allow_audio`, `max_duration`): what a member
  chose explicitly and the server forbids is refused in plain words (`NotAllowedByServer`,
  `check_allowed`, run on the validated request so the facts are the ones billed); what the
  member left open is steered to an allowed value quietly (`steer_to_allowed`), as a default
  the model lacks is. The server's own defaults can only be allowed values: a settings change
  that would make one forbidden is refused (`check_settings`).
- Limits (credits, blocks, the server's cap) are the quota book's, checked in the same
  reservation right after this.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from bot.errors import DomainError, Notice
from bot.guild_settings import GuildSettings, first_notice_of_removed_model
from bot.kling.capabilities import CapabilityTable, ModelCapabilities
from bot.kling.options import ValidatedRequest, VideoOptions
from bot.kling.resolution import chosen, model_of, natural_duration, offered_durations, suits
from bot.store import SettingsStore

log = logging.getLogger(__name__)


class NotAllowedHere(DomainError):
    """Videos are not made in this channel; `channel_ids` are the channels where they are."""

    def __init__(self, channel_ids: Iterable[int]) -> None:
        super().__init__("settings.not_allowed_here", {"channel_ids": list(channel_ids)})


class NotAllowedByServer(DomainError):
    """The server's staff do not allow what the member chose: `settings.forbidden_model`
    (with the models allowed here), `settings.forbidden_4k`, `settings.forbidden_audio`,
    `settings.forbidden_audio_model` (a model that always makes sound) or
    `settings.forbidden_duration` (with the longest length allowed)."""


class SettingsConflict(DomainError):
    """A settings change that would leave a server default forbidden:
    `settings.default_forbidden_model`, `settings.default_sound_model`,
    `settings.default_model_too_long` (it makes nothing as short as the limit),
    `settings.default_forbidden_4k`, `settings.default_over_max_duration`, or
    `settings.no_model_left` (no model left that members may use)."""


class Alerts(Protocol):
    """How the policy tells a server's moderators something (the job notifier's `alert`)."""

    async def alert(self, guild_id: int | None, notice: Notice) -> None:
        """Tell the moderators of `guild_id` in its log channel (only logged where it has none)."""


def check_channel(settings: GuildSettings, channel_id: int, parent_id: int | None) -> None:
    """Refuse a request made outside the server's allowed channels (a thread counts as its
    parent channel). Raises `NotAllowedHere`."""
    allowed = settings.allowed_channel_ids
    if allowed and not {channel_id, parent_id} & set(allowed):
        raise NotAllowedHere(allowed)


def takes_defaults(options: VideoOptions) -> bool:
    """Whether the server's defaults may fill this request (everything but an Extend)."""
    return options.action != "extend"


def with_server_defaults(options: VideoOptions, settings: GuildSettings) -> VideoOptions:
    """`options` with what the member left open filled from the server's defaults."""
    if not takes_defaults(options):
        return options
    return options.with_defaults(settings.default_model, settings.default_mode,
                                 settings.default_duration)


def model_allowed(caps: ModelCapabilities, settings: GuildSettings) -> bool:
    """Whether the server lets members use `caps` (a model that always makes sound counts as
    forbidden where sound is)."""
    if caps.name in settings.forbidden_models:
        return False
    return settings.allow_audio or caps.audio != "always"


def short_enough(caps: ModelCapabilities, settings: GuildSettings) -> bool:
    """Whether `caps` makes a video no longer than the server's longest length."""
    return settings.max_duration is None or min(caps.durations) <= settings.max_duration


def allowed_models(table: CapabilityTable, settings: GuildSettings) -> list[str]:
    """The table's models the server lets members use, in the table's order."""
    return [name for name, caps in table.models.items() if model_allowed(caps, settings)]


def steer_to_allowed(options: VideoOptions, settings: GuildSettings, table: CapabilityTable
                     ) -> VideoOptions:
    """`options` with what the member left open moved off what the server forbids: a
    forbidden default model (or one that makes no length short enough) becomes the first
    allowed model that can do the request, a 4K
    default mode the model's first mode, and a default or natural length over the limit the
    longest length under it (unchosen sound is off already). What the member
    chose is left for `check_allowed` to refuse. An Extend takes no default, so none of this."""
    if not takes_defaults(options):
        return options
    caps = None if chosen(options, "model") else model_of(options, table)
    if caps is not None and not (model_allowed(caps, settings) and short_enough(caps, settings)):
        usable = [c for c in table.models.values() if model_allowed(c, settings)
                  and short_enough(c, settings) and suits(c, options)]
        if usable:
            caps = usable[0]
            options = replace(options, model=caps.name,
                              defaulted=options.defaulted | {"model"})
    caps = caps or table.get(options.model or table.default_model)
    if not settings.allow_4k and options.mode == "4k" and "mode" in options.defaulted:
        options = replace(options, mode=None)
    limit = settings.max_duration
    if caps is not None and limit is not None and not chosen(options, "duration") \
            and natural_duration(options, caps) > limit:
        shorter = [d for d in caps.durations if d <= limit]
        if shorter:
            options = replace(options, duration=max(shorter),
                              defaulted=options.defaulted | {"duration"})
    return options


def planned_model(options: VideoOptions, settings: GuildSettings, table: CapabilityTable
                  ) -> ModelCapabilities:
    """The model a request as filled in so far would run on under the server's policy (its
    defaults, steered off what it forbids): the one whose lengths the duration list offers. A
    model name the table does not know counts as none picked (validation refuses it when the
    command is sent)."""
    if options.model is not None and table.get(options.model) is None:
        options = replace(options, model=None)
    planned = steer_to_allowed(with_server_defaults(options, settings), settings, table)
    return model_of(planned, table) or table.models[table.default_model]


def offered_lengths(options: VideoOptions, settings: GuildSettings, table: CapabilityTable
                    ) -> tuple[int, ...]:
    """The lengths the duration list offers for a request as filled in so far: the planned
    model's (only 5 where an end frame, a loop or a camera move needs it), those the server
    allows (all of them where it allows none, so the refusal names the limit)."""
    lengths = offered_durations(planned_model(options, settings, table),
                                end_frame=bool(options.end_image_url or options.loop),
                                camera=bool(options.camera))
    limit = settings.max_duration
    if limit:
        lengths = tuple(d for d in lengths if d <= limit) or lengths
    return lengths


def check_allowed(request: ValidatedRequest, settings: GuildSettings,
                  table: CapabilityTable) -> None:
    """Refuse a validated request the server's staff do not allow (`NotAllowedByServer`).

    Run on what will be sent and billed, after the defaults were steered to allowed values,
    so what is left to refuse is what the member chose (a model, 4K, sound, a length) or what
    continuing a video needs (an Extend of a model or mode since forbidden)."""
    caps = table.get(request.model)
    if request.model in settings.forbidden_models:
        raise NotAllowedByServer("settings.forbidden_model", {
            "model": request.model, "allowed": allowed_models(table, settings)})
    if request.mode == "4k" and not settings.allow_4k:
        raise NotAllowedByServer("settings.forbidden_4k")
    if not settings.allow_audio and request.action != "extend":
        if caps is not None and caps.audio == "always":
            raise NotAllowedByServer("settings.forbidden_audio_model", {"model": request.model})
        if request.audio:
            raise NotAllowedByServer("settings.forbidden_audio")
    limit = settings.max_duration
    if limit is not None and request.duration > limit:
        raise NotAllowedByServer("settings.forbidden_duration",
                                 {"duration": request.duration, "max": limit})


def check_settings(settings: GuildSettings, table: CapabilityTable) -> None:
    """Refuse settings whose defaults the same settings forbid (`SettingsConflict`), checked on
    the settings as a change would leave them, before anything is stored: the defaults can
    only be allowed values, whichever of the two a moderator changes."""
    if not any(model_allowed(c, settings) and short_enough(c, settings)
               for c in table.models.values()):
        raise SettingsConflict("settings.no_model_left")
    default = table.get(settings.default_model) if settings.default_model else None
    if default is not None and default.name in settings.forbidden_models:
        raise SettingsConflict("settings.default_forbidden_model", {"model": default.name})
    if default is not None and not model_allowed(default, settings):
        raise SettingsConflict("settings.default_sound_model", {"model": default.name})
    if default is not None and not short_enough(default, settings):
        raise SettingsConflict("settings.default_model_too_long", {
            "model": default.name, "shortest": min(default.durations),
            "max": settings.max_duration})
    if settings.default_mode == "4k" and not settings.allow_4k:
        raise SettingsConflict("settings.default_forbidden_4k")
    limit = settings.max_duration
    if limit is not None and settings.default_duration is not None \
            and settings.default_duration > limit:
        raise SettingsConflict("settings.default_over_max_duration",
                               {"duration": settings.default_duration, "max": limit})


class ServerPolicy:
    """Applies a server's policy to a request; given the store (the once-only note) and the
    alerts it sends."""

    def __init__(self, *, store: SettingsStore, capabilities: CapabilityTable, alerts: Alerts
                 ) -> None:
        self.store = store
        self.capabilities = capabilities
        self.alerts = alerts

    async def apply(self, guild_id: int | None, channel_id: int, parent_id: int | None,
                    options: VideoOptions, settings: GuildSettings) -> VideoOptions:
        """The options to run with, or a refusal (`NotAllowedHere`). Only what the member
        chose explicitly can be refused later, by validation and by `check_allowed`."""
        check_channel(settings, channel_id, parent_id)
        if takes_defaults(options) and options.model is None:
            await self.note_removed_default(guild_id, settings.default_model)
        return steer_to_allowed(with_server_defaults(options, settings), settings,
                                self.capabilities)

    def check_allowed(self, request: ValidatedRequest, settings: GuildSettings) -> None:
        """Refuse what the server's staff do not allow (see `check_allowed`)."""
        check_allowed(request, settings, self.capabilities)

    async def note_removed_default(self, guild_id: int | None, model: str | None) -> None:
        """Tell the server's log channel, once, that its default model is no longer in the
        model table (the operator removed it); jobs meanwhile run on the table's default."""
        table = self.capabilities
        if guild_id is None or model is None or table.get(model) is not None:
            return
        if not await first_notice_of_removed_model(self.store, guild_id, model):
            return
        log.warning("Guild %s: default model %s is not in the model table; using %s",
                    guild_id, model, table.default_model)
        notice = Notice("alert.default_model_removed",
                        {"model": model, "fallback": table.default_model})
        try:
            await self.alerts.alert(guild_id, notice)
        except Exception:
            log.exception("Could not tell guild %s's moderators that its default model is gone",
                          guild_id)
