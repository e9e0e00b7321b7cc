"""/klingbot settings: a server's settings, one subcommand per topic staff think in.

    show       every setting as it is now
    channels   log_channel, allowed_channel
    access     moderator_role, extend_access
    defaults   default_model, default_mode, default_duration
    limits     forbid_model, allow_model, allow_4k, allow_audio, max_duration, confirm_above
    review     review, review_days, review_timeout, trusted_role
    credits    reset_hour, give_share
    language   language

Every topic but `show` takes a `reason` for the audit log, and answers with the settings as
the change left them (a topic given no option only shows them). Each hands its options, as
setting keys, to one core call (`Engine.settings_changes`) that checks, writes and audits them
together, or refuses them whole.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from bot.discord.access import moderator_only, staff_guild
from bot.discord.client import KlingBot
from bot.discord.feature_cog import KLINGBOT, FeatureCog
from bot.discord.i18n.command_texts import seconds_choice, verbatim
from bot.discord.i18n.languages import language_choices
from bot.discord.i18n.texts import text
from bot.discord.interactions import send_ephemeral
from bot.discord.services import Services
from bot.guild_settings import GuildSettings, load_guild_settings
from bot.moderation import REASON_LIMIT

log = logging.getLogger(__name__)

MODEL_NAME_LIMIT = 100  # model names are short; the bound keeps the echo in errors short too
MAX_DURATION_LIMIT = 60  # seconds; above any length Kling makes today, so any model may fit
CONFIRM_ABOVE_LIMIT = 1_000_000  # credits
REASON = "Why (kept in the audit log)"
ModelName = Range[str, 1, MODEL_NAME_LIMIT]
Reason = Range[str, 1, REASON_LIMIT]


def describe_settings(settings: GuildSettings, language: str) -> str:
    """The settings, one a line; `language` is what the server's posts are made in (under
    `auto`, the server's Discord language)."""
    shown: list[str] = []
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if field.name.endswith("channel_id") and value:
            value = f"<#{value}>"
        elif field.name == "allowed_channel_ids":
            value = ", ".join(f"<#{c}>" for c in value) or text("settings.all_channels")
        elif field.name.endswith("role_id") and value:
            value = f"<@&{value}>"
        elif field.name == "language" and value != language:
            value = f"{value} → {language}"
        elif field.name == "forbidden_models":
            value = ", ".join(f"`{m}`" for m in value)
        elif isinstance(value, bool):
            value = text("settings.allowed" if value else "settings.forbidden")
        shown.append(f"`{field.name}`: {value if value not in (None, '') else '—'}")
    return "\n".join(shown)


def toggled(values: tuple[Any, ...], value: Any) -> list[Any]:
    """`values` with `value` added, or taken out if it was there."""
    if value in values:
        return [v for v in values if v != value]
    return [*values, value]


class SettingsCog(FeatureCog):
    """Shows and changes the server's settings, for moderators."""

    group = KLINGBOT

    settings = app_commands.Group(name="settings", description="Show or change this server's "
                                                               "settings")

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services

    async def apply(self, interaction: discord.Interaction, changes: dict[str, Any],
                    reason: str | None = None, *, cleared: Iterable[str] = ()) -> None:
        """Change what the member gave (an option left empty is no change; a key in
        `cleared` is set back to its default), then show the settings as they are now."""
        guild_id = staff_guild(interaction)
        given = {key: value for key, value in changes.items() if value is not None}
        given.update(dict.fromkeys(cleared))
        done = await self.services.settings_changes.change(guild_id, interaction.user.id,
                                                         given, reason)
        posts_in = await self.services.languages.of(guild_id, done.settings)
        await send_ephemeral(interaction, text("settings.current", lines=describe_settings(
            done.settings, posts_in)))

    async def current(self, interaction: discord.Interaction) -> GuildSettings:
        """The server's settings as stored now (moderators only)."""
        return await load_guild_settings(self.services.store, staff_guild(interaction))

    @settings.command(name="show", description="This server's settings as they are now")
    @moderator_only()
    async def show(self, interaction: discord.Interaction) -> None:
        """Show every setting; an empty change, so it reads like the other topics' answers."""
        await self.apply(interaction, {})

    @settings.command(name="channels", description="Where the bot posts and where videos "
                                                   "may be made")
    @app_commands.describe(
        log_channel="Where moderator actions and alerts are posted",
        allowed_channel="Add or remove a channel where videos may be made", reason=REASON)
    @moderator_only()
    async def channels(self, interaction: discord.Interaction,
                       log_channel: discord.TextChannel | None = None,
                       allowed_channel: discord.TextChannel | None = None,
                       reason: Reason | None = None) -> None:
        """Set the log channel, or add or remove one allowed channel (given again, it is
        removed)."""
        allowed = None
        if allowed_channel is not None:
            current = await self.current(interaction)
            allowed = toggled(current.allowed_channel_ids, allowed_channel.id)
        await self.apply(interaction, {
            "log_channel_id": log_channel.id if log_channel is not None else None,
            "allowed_channel_ids": allowed}, reason)

    @settings.command(name="access", description="Who counts as a moderator, and who may "
                                                 "press Extend")
    @app_commands.describe(
        moderator_role="Members with this role count as moderators",
        extend_access="Who may press Extend under someone else's video", reason=REASON)
    @app_commands.choices(extend_access=[
        Choice(name="the requester and moderators", value="requester"),
        Choice(name="anyone", value="anyone")])
    @moderator_only()
    async def access(self, interaction: discord.Interaction,
                     moderator_role: discord.Role | None = None,
                     extend_access: str | None = None, reason: Reason | None = None) -> None:
        """Set the moderator role, and whether anyone (not only the requester) may press a job's
        buttons other than Cancel."""
        await self.apply(interaction, {
            "moderator_role_id": moderator_role.id if moderator_role is not None else None,
            "extend_access": extend_access}, reason)

    @settings.command(name="defaults", description="What a video is made with when a member "
                                                   "does not pick")
    @app_commands.describe(
        default_model="The model used when a member does not pick one",
        default_mode="The mode used when a member does not pick one",
        default_duration="The length used when a member does not pick one", reason=REASON)
    @app_commands.choices(default_mode=[Choice(name="Standard", value="std"),
                                        Choice(name="Professional", value="pro")])
    @app_commands.choices(default_duration=[seconds_choice(5), seconds_choice(10)])
    @moderator_only()
    async def defaults(self, interaction: discord.Interaction,
                       default_model: ModelName | None = None,
                       default_mode: str | None = None, default_duration: int | None = None,
                       reason: Reason | None = None) -> None:
        """Set the model, mode and length a member's job gets when they choose none."""
        await self.apply(interaction, {"default_model": default_model,
                                       "default_mode": default_mode,
                                       "default_duration": default_duration}, reason)

    @settings.command(name="limits", description="What members may ask for here")
    @app_commands.describe(
        forbid_model="Forbid a model here (members who pick it are told it is not allowed)",
        allow_model="Allow a forbidden model again",
        allow_4k="Whether members may make 4K videos here",
        allow_audio="Whether members may make videos with sound here",
        max_duration="The longest video in seconds members may ask for; 0 removes the limit",
        confirm_above="Jobs costing more credits than this are confirmed first; 0 turns it off",
        reason=REASON)
    @moderator_only()
    async def limits(self, interaction: discord.Interaction,
                     forbid_model: ModelName | None = None,
                     allow_model: ModelName | None = None, allow_4k: bool | None = None,
                     allow_audio: bool | None = None,
                     max_duration: Range[int, 0, MAX_DURATION_LIMIT] | None = None,
                     confirm_above: Range[int, 0, CONFIRM_ABOVE_LIMIT] | None = None,
                     reason: Reason | None = None) -> None:
        """Forbid or allow a model, 4K and sound, and set the longest video and the price that
        needs a member's confirmation (0 clears either)."""
        changes: dict[str, Any] = {"allow_4k": allow_4k, "allow_audio": allow_audio,
                                   "max_duration": max_duration,
                                   "confirm_above": confirm_above}
        if forbid_model is not None or allow_model is not None:
            # An empty list clears the setting: no model is forbidden any more.
            changes["forbidden_models"] = await self.forbidden_after(interaction, forbid_model,
                                                                     allow_model)
        # A 0 limit or threshold means none: the setting is cleared.
        cleared = [key for key in ("max_duration", "confirm_above") if changes[key] == 0]
        await self.apply(interaction, changes, reason, cleared=cleared)

    async def forbidden_after(self, interaction: discord.Interaction, forbid: str | None,
                              allow: str | None) -> list[str] | None:
        """The forbidden models after forbidding `forbid` and allowing `allow` again (by the
        table's names: an unknown name is refused), or None when that changes nothing."""
        wire_name = self.services.settings_changes.wire_name
        current = list((await self.current(interaction)).forbidden_models)
        forbidden = list(current)
        if forbid is not None and (name := wire_name(forbid)) not in forbidden:
            forbidden.append(name)
        if allow is not None:
            name = wire_name(allow)
            forbidden = [m for m in forbidden if m != name]
        return forbidden if forbidden != current else None

    @settings.command(name="review", description="Hold some members' jobs for a moderator's "
                                                 "approval")
    @app_commands.describe(
        review="Hold jobs for a moderator's approval in the log channel",
        review_days="Review mode 'new members': members who joined fewer days ago than this",
        review_timeout="Minutes a held job waits for a moderator before it is refunded",
        trusted_role="Members with this role are never held for review", reason=REASON)
    @app_commands.choices(review=[
        Choice(name="no review", value="off"), Choice(name="new members", value="new_members"),
        Choice(name="members without the trusted role", value="untrusted")])
    @moderator_only()
    async def review(self, interaction: discord.Interaction, review: str | None = None,
                     review_days: Range[int, 1, 365] | None = None,
                     review_timeout: Range[int, 5, 10080] | None = None,
                     trusted_role: discord.Role | None = None,
                     reason: Reason | None = None) -> None:
        """Set who waits for a moderator's approval, how new a member counts as new, how long a held
        job waits before it is refunded, and the trusted role."""
        await self.apply(interaction, {
            "review": review, "review_new_member_days": review_days,
            "review_timeout_minutes": review_timeout,
            "trusted_role_id": trusted_role.id if trusted_role is not None else None}, reason)

    @settings.command(name="credits", description="When credits reset, and how much members "
                                                  "may give")
    @app_commands.describe(
        reset_hour="The UTC hour at which credits reset",
        give_share="Percent of their allowance members may give to others (0: off)",
        reason=REASON)
    @moderator_only()
    async def credits(self, interaction: discord.Interaction,
                      reset_hour: Range[int, 0, 23] | None = None,
                      give_share: Range[int, 0, 100] | None = None,
                      reason: Reason | None = None) -> None:
        """Set the hour (UTC) the credit period starts and the share members may give away."""
        await self.apply(interaction, {"reset_hour_utc": reset_hour, "give_share": give_share},
                         reason)

    @settings.command(name="language", description="The language of the bot's posts here")
    @app_commands.describe(
        language="The language of the bot's posts here (private replies follow each member's)",
        reason=REASON)
    # Each language is named in itself ("한국어 (ko)"), so its name is the same everywhere.
    @app_commands.choices(language=[
        Choice(name=name if value == "auto" else verbatim(name), value=value)
        for name, value in language_choices()])
    @moderator_only()
    async def language(self, interaction: discord.Interaction, language: str | None = None,
                       reason: Reason | None = None) -> None:
        """Set the language the bot posts in here (auto: the server's own Discord language)."""
        await self.apply(interaction, {"language": language}, reason)


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(SettingsCog(bot))

