"""Per-server settings: defaults for new jobs, the moderator role, the log channel, limits.

Stored as key/value rows so a new setting needs no migration; read into a typed dataclass so
the rest of the code never sees raw keys. The rules that read them: where videos may be made and
what the defaults fill in are the core's policy (`bot.policy`); who may press whose buttons is
the Discord layer's (`bot.discord.access`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from bot.store import SettingsStore

ExtendAccess = Literal["requester", "anyone"]
# Review mode: who must wait for a moderator's approval (community moderation).
ReviewMode = Literal["off", "new_members", "untrusted"]
# The server's language setting that follows the server's own Discord language.
AUTO_LANGUAGE = "auto"
# Bookkeeping row (not a setting): the removed default model the log channel was told about.
REMOVED_MODEL_NOTED = "removed_default_model_noted"


@dataclass(frozen=True)
class GuildSettings:
    """A server's settings, with the defaults for those it never set."""

    default_model: str | None = None
    default_mode: str | None = None
    default_duration: int | None = None
    extend_access: ExtendAccess = "requester"
    moderator_role_id: int | None = None
    log_channel_id: int | None = None
    allowed_channel_ids: tuple[int, ...] = ()
    default_credits: int | None = None
    server_cap: int | None = None
    reset_hour_utc: int | None = None
    # The language of the server's public posts (cards, results, the log channel): a catalogue
    # language (`en`, `ko`), or `auto` for the server's Discord language. Private replies are
    # in each member's own language whatever this says.
    language: str = AUTO_LANGUAGE
    # -- community moderation --
    # Review mode: off; members who joined less than `review_new_member_days` ago; or everyone
    # without the trusted role. Unreviewed jobs are refunded after `review_timeout_minutes`.
    review: ReviewMode = "off"
    review_new_member_days: int = 7
    review_timeout_minutes: int = 60
    trusted_role_id: int | None = None
    # The share of their allowance (percent) members may give to others per period; 0: off.
    give_share: int = 0
    # Reaction rewards: off while `reward_emoji` is unset or `reward_credits` is 0.
    reward_emoji: str | None = None
    reward_credits: int = 0
    reward_voters: int = 3
    reward_max_per_period: int = 1
    # -- staff limits --
    # What members may ask for here (`bot.policy`): models forbidden (wire names), whether 4K
    # and sound are allowed, the longest video in seconds (None: no limit), and the price in
    # credits above which a member confirms a job before it is reserved (None: never asked).
    forbidden_models: tuple[str, ...] = ()
    allow_4k: bool = True
    allow_audio: bool = True
    max_duration: int | None = None
    confirm_above: int | None = None

    @classmethod
    def from_rows(cls, rows: dict[str, Any]) -> GuildSettings:
        """Read the stored rows, ignoring keys that are not settings (bookkeeping rows, settings
        that were removed)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in rows.items() if k in known}
        if "allowed_channel_ids" in values:
            values["allowed_channel_ids"] = tuple(values["allowed_channel_ids"])
        if "forbidden_models" in values:
            values["forbidden_models"] = tuple(values["forbidden_models"])
        return cls(**values)


async def load_guild_settings(store: SettingsStore, guild_id: int | None) -> GuildSettings:
    """The server's settings; the defaults outside a server (in DMs)."""
    if guild_id is None:
        return GuildSettings()
    return GuildSettings.from_rows(await store.guild_settings(guild_id))


async def first_notice_of_removed_model(store: SettingsStore, guild_id: int, model: str) -> bool:
    """True the first time a server's default `model` is found missing from the model table.

    Kept in the store, so moderators hear about it once per removed model, not on every
    command and not again after a restart.
    """
    rows = await store.guild_settings(guild_id)
    if rows.get(REMOVED_MODEL_NOTED) == model:
        return False
    await store.set_guild_setting(guild_id, REMOVED_MODEL_NOTED, model)
    return True
