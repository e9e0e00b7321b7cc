"""/klingbot settings and /klingbot status: staff-only, hidden from members by permissions
and checked again on every call."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from bot.guild_settings import GuildSettings, load_guild_settings
from bot.moderation import REASON_LIMIT
from bot.replies import kling_bot, send_ephemeral
from bot.store import AuditEntry
from bot.texts import text
from cogs.moderation_checks import require_moderator

if TYPE_CHECKING:
    from bot.discord_bot import KlingBot

MODEL_NAME_LIMIT = 100  # model names are short; the bound keeps the echo in errors short too


def _describe(settings: GuildSettings) -> str:
    shown: list[str] = []
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if field.name.endswith("channel_id") and value:
            value = f"<#{value}>"
        elif field.name == "allowed_channel_ids":
            value = ", ".join(f"<#{c}>" for c in value) or "all channels"
        elif field.name.endswith("role_id") and value:
            value = f"<@&{value}>"
        shown.append(f"`{field.name}`: {value if value not in (None, '') else '—'}")
    return "\n".join(shown)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KlingbotCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="klingbot", description="Bot settings for this server")

    @app_commands.command(name="settings", description="Show or change this server's settings")
    @app_commands.describe(
        log_channel="Where moderator actions and alerts are posted",
        moderator_role="Members with this role count as moderators",
        extend_access="Who may press Extend under someone else's video",
        allowed_channel="Add or remove a channel where videos may be made",
        default_model="The model used when a member does not pick one",
        default_mode="The mode used when a member does not pick one",
        default_duration="The length used when a member does not pick one",
        reset_hour="The UTC hour at which credits reset",
        reason="Why (kept in the audit log)",
    )
    @app_commands.choices(
        extend_access=[Choice(name="the requester and moderators", value="requester"),
                       Choice(name="anyone", value="anyone")],
        default_mode=[Choice(name="Standard", value="std"),
                      Choice(name="Professional", value="pro")],
    )
    @app_commands.choices(default_duration=[Choice(name="5 seconds", value=5),
                                            Choice(name="10 seconds", value=10)])
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
        reason: Range[str, 1, REASON_LIMIT] | None = None,
    ) -> None:
        guild_id = await require_moderator(interaction)
        bot = kling_bot(interaction)
        current = await load_guild_settings(bot.engine.store, guild_id)
        changes: dict[str, Any] = {}
        if log_channel is not None:
            changes["log_channel_id"] = log_channel.id
        if moderator_role is not None:
            changes["moderator_role_id"] = moderator_role.id
        if extend_access is not None:
            changes["extend_access"] = extend_access
        if allowed_channel is not None:
            channels = list(current.allowed_channel_ids)
            if allowed_channel.id in channels:
                channels.remove(allowed_channel.id)
            else:
                channels.append(allowed_channel.id)
            changes["allowed_channel_ids"] = channels
        if default_model is not None:
            if bot.engine.capabilities.get(default_model) is None:
                names = ", ".join(bot.engine.capabilities.names())
                raise app_commands.AppCommandError(
                    text("invalid.unknown_model", model=default_model, allowed=names))
            changes["default_model"] = default_model
        if default_mode is not None:
            changes["default_mode"] = default_mode
        if default_duration is not None:
            changes["default_duration"] = default_duration
        if reset_hour is not None:
            changes["reset_hour_utc"] = reset_hour
        entries: list[AuditEntry] = []
        for key, value in changes.items():
            entries.append(await bot.engine.moderation.set_setting(
                guild_id, interaction.user.id, key, value, reason))
        updated = await load_guild_settings(bot.engine.store, guild_id)
        await send_ephemeral(interaction, text("settings.current", lines=_describe(updated)))
        for entry in entries:
            await bot.notifier.post_audit(entry)

    @app_commands.command(name="status", description="How the bot and its jobs are doing")
    async def status(self, interaction: discord.Interaction) -> None:
        await require_moderator(interaction)
        engine = kling_bot(interaction).engine
        counts = await engine.store.count_by_state()
        shown = ", ".join(f"{state} {count}" for state, count in sorted(counts.items()))
        kling = "paused (balance used up)" if engine.jobs.paused_reason else "accepting jobs"
        tick = int(engine.poller.stats.last_tick_at or engine.jobs.clock())
        await send_ephemeral(interaction, text("status.line", counts=shown or "none",
                                                kling=kling, tick=tick))


async def setup(bot: KlingBot) -> None:
    bot.tree.add_command(KlingbotCommands())
