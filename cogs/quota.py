"""/quota: members see their own credits; moderators manage everyone's.

Discord applies `default_permissions` to a whole top-level command, and `/quota me` must stay
visible to members, so the staff subcommands are hidden by a check on every call instead
(`require_moderator`), and the whole staff-only `/klingbot` command is hidden by permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from bot.cards import audit_line, fit_lines
from bot.guild_settings import load_guild_settings
from bot.moderation import REASON_LIMIT
from bot.quotas import MemberStatus
from bot.replies import kling_bot, role_ids, send_ephemeral
from bot.store import AuditEntry
from bot.texts import clip, text
from cogs.moderation_checks import require_moderator

if TYPE_CHECKING:
    from bot.discord_bot import KlingBot

CREDITS = Range[int, -1, 1_000_000]
# Reasons are echoed to the member, the log channel and /quota show: bounded at the source.
REASON = Range[str, 1, REASON_LIMIT]


async def _status(interaction: discord.Interaction, member: discord.abc.User) -> MemberStatus:
    engine = kling_bot(interaction).engine
    settings = await load_guild_settings(engine.store, interaction.guild_id)
    return await engine.jobs.quota.status(interaction.guild_id, member.id, role_ids(member),
                                          settings, engine.jobs.clock())


async def _done(interaction: discord.Interaction, entry: AuditEntry) -> None:
    bot = kling_bot(interaction)
    await send_ephemeral(interaction, text("mod.done", summary=audit_line(entry)))
    await bot.notifier.post_audit(entry)


def _limit(credits: int) -> int | None:
    """-1 removes the setting (the next rule in line applies)."""
    return None if credits < 0 else credits


class QuotaCommands(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="quota", description="Video credits", guild_only=True)

    @app_commands.command(name="me", description="Your credits, when they reset, your jobs")
    async def me(self, interaction: discord.Interaction) -> None:
        status = await _status(interaction, interaction.user)
        lines = [text("quota.me", remaining=status.remaining, limit=status.limit.credits,
                      source=text(f"quota.source.{status.limit.source}"),
                      reset=f"<t:{int(status.period.end)}:R>", running=status.running,
                      queued=status.queued)]
        if status.block is not None:
            lines.append(text("quota.me_blocked",
                              reason=clip(status.block.reason, REASON_LIMIT)))
        await send_ephemeral(interaction, "\n".join(lines))

    @app_commands.command(name="show", description="(Moderators) A member's credits and history")
    async def show(self, interaction: discord.Interaction, member: discord.Member) -> None:
        guild_id = await require_moderator(interaction)
        status = await _status(interaction, member)
        lines = [text("quota.show", user_id=member.id, remaining=status.remaining,
                      limit=status.limit.credits, spent=status.spent,
                      source=text(f"quota.source.{status.limit.source}"),
                      reset=f"<t:{int(status.period.end)}:R>", running=status.running,
                      queued=status.queued)]
        if status.block is not None:
            lines.append(text("quota.show_blocked", by=status.block.blocked_by,
                              at=int(status.block.blocked_at),
                              reason=clip(status.block.reason, REASON_LIMIT)))
        history = await kling_bot(interaction).engine.moderation.history(guild_id, member.id)
        if history:
            lines.append(text("quota.history_title"))
            lines.extend(f"<t:{int(e.created_at)}:f> {audit_line(e)}" for e in history)
        else:
            lines.append(text("quota.history_none"))
        await send_ephemeral(interaction, fit_lines(lines))

    @app_commands.command(name="set", description="(Moderators) A member's own limit")
    @app_commands.describe(credits="Credits per period; -1 removes the member's own limit")
    async def set_member(self, interaction: discord.Interaction, member: discord.Member,
                         credits: CREDITS, reason: REASON | None = None) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.set_member_limit(
            guild_id, interaction.user.id, member.id, _limit(credits), reason)
        await _done(interaction, entry)

    @app_commands.command(name="role", description="(Moderators) The limit for a role")
    @app_commands.describe(credits="Credits per period; -1 removes the role's limit")
    async def set_role(self, interaction: discord.Interaction, role: discord.Role,
                       credits: CREDITS, reason: REASON | None = None) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.set_role_limit(
            guild_id, interaction.user.id, role.id, _limit(credits), reason)
        await _done(interaction, entry)

    @app_commands.command(name="default", description="(Moderators) The server's default")
    @app_commands.describe(credits="Credits per period; -1 falls back to the bot's default")
    async def set_default(self, interaction: discord.Interaction, credits: CREDITS) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.set_server_default(
            guild_id, interaction.user.id, _limit(credits))
        await _done(interaction, entry)

    @app_commands.command(name="grant", description="(Moderators) One-off bonus credits")
    async def grant(self, interaction: discord.Interaction, member: discord.Member,
                    credits: Range[int, 1, 1_000_000], reason: REASON) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.grant(
            guild_id, interaction.user.id, member.id, credits, reason)
        await _done(interaction, entry)

    @app_commands.command(name="block", description="(Moderators) Stop a member making videos")
    @app_commands.describe(reason="Shown to the member")
    async def block(self, interaction: discord.Interaction, member: discord.Member,
                    reason: REASON) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.block(
            guild_id, interaction.user.id, member.id, reason)
        await _done(interaction, entry)

    @app_commands.command(name="unblock", description="(Moderators) Lift a block")
    async def unblock(self, interaction: discord.Interaction, member: discord.Member) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.unblock(
            guild_id, interaction.user.id, member.id)
        await _done(interaction, entry)

    @app_commands.command(name="server", description="(Moderators) Cap the whole server's spend")
    @app_commands.describe(credits="Credits per period for everyone together; -1 removes the cap")
    async def server(self, interaction: discord.Interaction, credits: CREDITS) -> None:
        guild_id = await require_moderator(interaction)
        entry = await kling_bot(interaction).engine.moderation.set_server_cap(
            guild_id, interaction.user.id, _limit(credits))
        await _done(interaction, entry)

    @app_commands.command(name="usage", description="(Moderators) Who spent the most")
    @app_commands.choices(period=[Choice(name="this period", value="current"),
                                  Choice(name="previous period", value="previous")])
    async def usage(self, interaction: discord.Interaction, period: str = "current") -> None:
        guild_id = await require_moderator(interaction)
        span, rows = await kling_bot(interaction).engine.moderation.usage(
            guild_id, previous=period == "previous")
        lines = [text("quota.usage_title", start=f"<t:{int(span.start)}:f>",
                      end=f"<t:{int(span.end)}:f>")]
        lines.extend(text("quota.usage_line", rank=i, user_id=r.user_id, credits=r.credits,
                          jobs=r.jobs) for i, r in enumerate(rows, 1))
        if not rows:
            lines.append(text("quota.usage_none"))
        await send_ephemeral(interaction, fit_lines(lines))


async def setup(bot: KlingBot) -> None:
    bot.tree.add_command(QuotaCommands())
