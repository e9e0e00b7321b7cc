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
- An Extend continues its source: its model and mode are the source's and its length the
  member's (5 or 10 s where the model table lists them, else Kling's own), so no default
  applies to it; the channel rule does.
- Limits (credits, blocks, the server's cap) are the quota book's, checked in the same
  reservation right after this.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from bot.errors import DomainError, Notice
from bot.guild_settings import GuildSettings, first_notice_of_removed_model
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import VideoOptions
from bot.store import Store

log = logging.getLogger(__name__)


class NotAllowedHere(DomainError):
    """Videos are not made in this channel; `channel_ids` are the channels where they are."""

    def __init__(self, channel_ids: Iterable[int]) -> None:
        super().__init__("settings.not_allowed_here", {"channel_ids": list(channel_ids)})


class Alerts(Protocol):
    """How the policy tells a server's moderators something (the job notifier's `alert`)."""

    async def alert(self, guild_id: int | None, notice: Notice) -> None: ...


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


class ServerPolicy:
    """Applies a server's policy to a request; given the store (the once-only note) and the
    alerts it sends."""

    def __init__(self, *, store: Store, capabilities: CapabilityTable, alerts: Alerts) -> None:
        self.store = store
        self.capabilities = capabilities
        self.alerts = alerts

    async def apply(self, guild_id: int | None, channel_id: int, parent_id: int | None,
                    options: VideoOptions, settings: GuildSettings) -> VideoOptions:
        """The options to run with, or a refusal (`NotAllowedHere`). Only what the member
        chose explicitly can be refused later, by validation."""
        check_channel(settings, channel_id, parent_id)
        if takes_defaults(options) and options.model is None:
            await self.note_removed_default(guild_id, settings.default_model)
        return with_server_defaults(options, settings)

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
