"""/klingbot settings and /klingbot status: staff-only, hidden from members by permissions
and checked again on every call (`moderator_only()`)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice, Range
from discord.ext import commands

from bot.community.filters import PATTERN_LIMIT
from bot.discord.access import moderator_only, staff_guild
from bot.discord.client import KlingBot
from bot.discord.i18n.command_texts import seconds_choice, verbatim
from bot.discord.i18n.languages import language_choices
from bot.discord.i18n.texts import text
from bot.discord.interactions import send_ephemeral
from bot.discord.posting.cards import audit_line, fit_lines
from bot.discord.services import Services
from bot.guild_settings import GuildSettings, load_guild_settings
from bot.moderation import REASON_LIMIT
from bot.policy import check_settings

log = logging.getLogger(__name__)

MODEL_NAME_LIMIT = 100  # model names are short; the bound keeps the echo in errors short too
MAX_DURATION_LIMIT = 60  # seconds; above any length Kling makes today, so any model may fit
CONFIRM_ABOVE_LIMIT = 1_000_000  # credits


def _describe(settings: GuildSettings, language: str) -> str:
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


def _toggled(channels: tuple[int, ...], channel_id: int) -> list[int]:
    """The allowed channels with `channel_id` added, or removed if it was there."""
    if channel_id in channels:
        return [c for c in channels if c != channel_id]
    return [*channels, channel_id]


class AdminCog(commands.Cog):
    """The server's bot settings and the bot's health, for moderators."""

    klingbot = app_commands.Group(name="klingbot", description="Bot settings for this server",
                                  guild_only=True,
                                  default_permissions=discord.Permissions(manage_guild=True))

    def __init__(self, services: Services) -> None:
        self.services = services

    @klingbot.command(name="settings", description="Show or change this server's settings")
    @moderator_only()
    @app_commands.describe(
        log_channel="Where moderator actions and alerts are posted",
        moderator_role="Members with this role count as moderators",
        extend_access="Who may press Extend under someone else's video",
        allowed_channel="Add or remove a channel where videos may be made",
        default_model="The model used when a member does not pick one",
        default_mode="The mode used when a member does not pick one",
        default_duration="The length used when a member does not pick one",
        reset_hour="The UTC hour at which credits reset",
        language="The language of the bot's posts here (private replies follow each member's)",
        forbid_model="Forbid a model here (members who pick it are told it is not allowed)",
        allow_model="Allow a forbidden model again",
        allow_4k="Whether members may make 4K videos here",
        allow_audio="Whether members may make videos with sound here",
        max_duration="The longest video in seconds members may ask for; 0 removes the limit",
        confirm_above="Jobs costing more credits than this are confirmed first; 0 turns it off",
        reason="Why (kept in the audit log)",
        review="Hold jobs for a moderator's approval in the log channel",
        review_days="Review mode 'new members': members who joined fewer days ago than this",
        review_timeout="Minutes a held job waits for a moderator before it is refunded",
        trusted_role="Members with this role are never held for review",
        give_share="Percent of their allowance members may give to others (0: off)",
    )
    @app_commands.choices(review=[Choice(name="no review", value="off"),
                                  Choice(name="new members", value="new_members"),
                                  Choice(name="members without the trusted role",
                                         value="untrusted")])
    @app_commands.choices(
        extend_access=[Choice(name="the requester and moderators", value="requester"),
                       Choice(name="anyone", value="anyone")],
        default_mode=[Choice(name="Standard", value="std"),
                      Choice(name="Professional", value="pro")],
    )
    @app_commands.choices(default_duration=[seconds_choice(5), seconds_choice(10)])
    # Each language is named in itself ("한국어 (ko)"), so its name is the same everywhere.
    @app_commands.choices(language=[
        Choice(name=name if value == "auto" else verbatim(name), value=value)
        for name, value in language_choices()])
    async def settings(
        self,
        interaction: discord.Interaction,
        log_channel: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        extend_access: str | None = None,
        allowed_channel: discord.TextChannel | None = None,
        default_model: Range[str, 1, MODEL_NAME_LIMIT] | None = None,
        default_mode: str | None = None,
        default_duration: int | None = None,
        reset_hour: Range[int, 0, 23] | None = None,
        language: str | None = None,
        forbid_model: Range[str, 1, MODEL_NAME_LIMIT] | None = None,
        allow_model: Range[str, 1, MODEL_NAME_LIMIT] | None = None,
        allow_4k: bool | None = None,
        allow_audio: bool | None = None,
        max_duration: Range[int, 0, MAX_DURATION_LIMIT] | None = None,
        confirm_above: Range[int, 0, CONFIRM_ABOVE_LIMIT] | None = None,
        reason: Range[str, 1, REASON_LIMIT] | None = None,
        review: str | None = None,
        review_days: Range[int, 1, 365] | None = None,
        review_timeout: Range[int, 5, 10080] | None = None,
        trusted_role: discord.Role | None = None,
        give_share: Range[int, 0, 100] | None = None,
    ) -> None:
        guild_id = staff_guild(interaction)
        if default_model is not None:
            default_model = self._wire_name(default_model)
        current = await load_guild_settings(self.services.store, guild_id)
        changes: dict[str, Any] = {
            "log_channel_id": log_channel.id if log_channel is not None else None,
            "moderator_role_id": moderator_role.id if moderator_role is not None else None,
            "extend_access": extend_access,
            "allowed_channel_ids": (_toggled(current.allowed_channel_ids, allowed_channel.id)
                                    if allowed_channel is not None else None),
            "default_model": default_model,
            "default_mode": default_mode,
            "default_duration": default_duration,
            "reset_hour_utc": reset_hour,
            "language": language,
            # Community moderation (issue 14).
            "review": review,
            "review_new_member_days": review_days,
            "review_timeout_minutes": review_timeout,
            "trusted_role_id": trusted_role.id if trusted_role is not None else None,
            "give_share": give_share,
        }
        if review not in (None, "off") and (log_channel or current.log_channel_id) is None:
            # Held jobs are decided in the log channel: without one nobody could decide.
            raise app_commands.AppCommandError(text("settings.review_needs_log"))
        changes = {key: value for key, value in changes.items() if value is not None}
        changes.update(self._limit_changes(current, forbid_model, allow_model, allow_4k,
                                           allow_audio, max_duration, confirm_above))
        # The defaults can only be allowed values: a change that would leave one forbidden
        # (a default set to a forbidden model, or the default model forbidden) is refused
        # whole, before anything is stored.
        rows = {**await self.services.store.guild_settings(guild_id), **changes}
        check_settings(GuildSettings.from_rows({k: v for k, v in rows.items() if v is not None}),
                       self.services.capabilities)
        for key, value in changes.items():
            await self.services.moderation.set_setting(guild_id, interaction.user.id, key,
                                                       value, reason)
        updated = await load_guild_settings(self.services.store, guild_id)
        posts_in = await self.services.languages.of(guild_id, updated)
        await send_ephemeral(interaction, text("settings.current",
                                               lines=_describe(updated, posts_in)))

    # -- community moderation (issue 14): prompt filters and reaction rewards ---------------

    filter = app_commands.Group(name="filter", description="Words refused in prompts",
                                parent=klingbot)

    @filter.command(name="add", description="Refuse prompts with a word (or a pattern)")
    @app_commands.describe(word="A word or phrase; with regex, a regular expression",
                           regex="Treat the word as a regular expression")
    @moderator_only()
    async def filter_add(self, interaction: discord.Interaction,
                         word: Range[str, 1, PATTERN_LIMIT], regex: bool = False) -> None:
        guild_id = staff_guild(interaction)
        entry = await self.services.filters.add(guild_id, interaction.user.id, word, regex)
        await send_ephemeral(interaction, text("mod.done", summary=audit_line(entry)))

    @filter.command(name="remove", description="Stop refusing a word or pattern")
    @app_commands.describe(word="The word or pattern as it was added")
    @moderator_only()
    async def filter_remove(self, interaction: discord.Interaction,
                            word: Range[str, 1, PATTERN_LIMIT]) -> None:
        guild_id = staff_guild(interaction)
        entry = await self.services.filters.remove(guild_id, interaction.user.id, word)
        await send_ephemeral(interaction, text("mod.done", summary=audit_line(entry)))

    @filter.command(name="list", description="The words and patterns refused in prompts")
    @moderator_only()
    async def filter_list(self, interaction: discord.Interaction) -> None:
        rules = await self.services.filters.rules(staff_guild(interaction))
        if not rules:
            await send_ephemeral(interaction, text("filter.none"))
            return
        lines = [text("filter.list_title")] + [
            f"• `/{r.pattern}/`" if r.is_regex else f"• `{r.pattern}`" for r in rules]
        await send_ephemeral(interaction, fit_lines(lines))

    @klingbot.command(name="rewards", description="Bonus credits for well-liked videos")
    @app_commands.describe(
        emoji="The reaction that counts",
        credits="Credits the creator gets (0: off)",
        voters="Distinct members whose reaction it takes",
        max_per_period="Most rewards one member gets per period")
    @moderator_only()
    async def rewards(self, interaction: discord.Interaction,
                      emoji: Range[str, 1, 100] | None = None,
                      credits: Range[int, 0, 1000] | None = None,
                      voters: Range[int, 1, 1000] | None = None,
                      max_per_period: Range[int, 1, 100] | None = None) -> None:
        guild_id = staff_guild(interaction)
        changes: dict[str, Any] = {
            "reward_emoji": str(discord.PartialEmoji.from_str(emoji.strip()))
            if emoji is not None else None,
            "reward_credits": credits, "reward_voters": voters,
            "reward_max_per_period": max_per_period}
        for key, value in changes.items():
            if value is not None:
                await self.services.moderation.set_setting(guild_id, interaction.user.id,
                                                           key, value)
        settings = await load_guild_settings(self.services.store, guild_id)
        state = text("rewards.state", emoji=settings.reward_emoji or "—",
                     credits=settings.reward_credits, voters=settings.reward_voters,
                     max=settings.reward_max_per_period)
        await send_ephemeral(interaction, state)

    def _wire_name(self, model: str) -> str:
        """The table's name for `model` (an alias, the seed's kling-video-o1, is kept as the
        model it names), or a refusal naming the models there are."""
        wire_name = self.services.capabilities.resolve(model)
        if wire_name is None:
            names = ", ".join(self.services.capabilities.names())
            raise app_commands.AppCommandError(
                text("invalid.unknown_model", model=model, allowed=names))
        return wire_name

    def _limit_changes(self, current: GuildSettings, forbid_model: str | None,
                       allow_model: str | None, allow_4k: bool | None,
                       allow_audio: bool | None, max_duration: int | None,
                       confirm_above: int | None) -> dict[str, Any]:
        """The staff limits a moderator gave, as the settings to store (None clears one: a
        0 limit or threshold means none)."""
        changes: dict[str, Any] = {}
        forbidden = list(current.forbidden_models)
        if forbid_model is not None and (name := self._wire_name(forbid_model)) not in forbidden:
            forbidden.append(name)
        if allow_model is not None:
            name = self._wire_name(allow_model)
            forbidden = [m for m in forbidden if m != name]
        if forbidden != list(current.forbidden_models):
            changes["forbidden_models"] = forbidden or None
        if allow_4k is not None:
            changes["allow_4k"] = allow_4k
        if allow_audio is not None:
            changes["allow_audio"] = allow_audio
        if max_duration is not None:
            changes["max_duration"] = max_duration or None
        if confirm_above is not None:
            changes["confirm_above"] = confirm_above or None
        return changes

    @klingbot.command(name="status", description="How the bot and its jobs are doing")
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        status = await self.services.status()  # the same value /healthz serves
        shown = ", ".join(f"{state} {count}" for state, count in sorted(status.job_counts.items()))
        kling = text("status.kling_paused" if status.kling_paused else "status.kling_accepting")
        if self.services.simulated:  # KLING_API_BASE=simulated
            kling = f"{kling} ({text('status.simulated')})"
        tick = int(status.poller_last_tick or self.services.clock())
        await send_ephemeral(interaction, text("status.line", counts=shown or text("list.none"),
                                                kling=kling, tick=tick))


async def setup(bot: KlingBot) -> None:
    await bot.add_cog(AdminCog(bot.services))
