"""/quota: members see their own credits; moderators manage everyone's.

Discord applies `default_permissions` to a whole top-level command, and `/quota me` must stay
visible to members, so the staff subcommands are guarded by a check on every call instead
(`moderator_only()`), and the whole staff-only `/klingbot` command is hidden by permissions.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import Choice, Range
from discord.ext import commands

from bot.discord.access import moderator_only, staff_guild
from bot.discord.client import KlingBot
from bot.discord.i18n.texts import clip, text
from bot.discord.interactions import role_ids, send_ephemeral
from bot.discord.posting.cards import audit_line, fit_lines
from bot.discord.services import Services
from bot.discord.ui.history import show_history
from bot.guild_settings import load_guild_settings
from bot.moderation import REASON_LIMIT
from bot.quotas import MemberStatus
from bot.store import AuditEntry

log = logging.getLogger(__name__)

CREDITS = Range[int, -1, 1_000_000]
# Reasons are echoed to the member, the log channel and /quota show: bounded at the source.
REASON = Range[str, 1, REASON_LIMIT]


def _limit(credits: int) -> int | None:
    """-1 removes the setting (the next rule in line applies)."""
    return None if credits < 0 else credits


class QuotaCog(commands.Cog):
    """/quota me for every member; the other subcommands for moderators."""

    quota = app_commands.Group(name="quota", description="Video credits", guild_only=True)

    def __init__(self, services: Services) -> None:
        self.services = services

    async def _status(self, interaction: discord.Interaction, member: discord.abc.User
                      ) -> MemberStatus:
        settings = await load_guild_settings(self.services.store, interaction.guild_id)
        return await self.services.quota.status(interaction.guild_id, member.id,
                                                role_ids(member), settings,
                                                self.services.clock())

    async def _done(self, interaction: discord.Interaction, entry: AuditEntry) -> None:
        await send_ephemeral(interaction, text("mod.done", summary=audit_line(entry)))

    @quota.command(name="me", description="Your credits, when they reset, your jobs")
    async def me(self, interaction: discord.Interaction) -> None:
        """Show the member their credits, when they reset, their running and queued jobs, and their
        block if any."""
        status = await self._status(interaction, interaction.user)
        lines = [text("quota.me", remaining=status.remaining, limit=status.limit.credits,
                      source=text(f"quota.source.{status.limit.source}"),
                      reset=f"<t:{int(status.period.end)}:R>", running=status.running,
                      queued=status.queued)]
        if status.block is not None:
            lines.append(text("quota.me_blocked",
                              reason=clip(status.block.reason, REASON_LIMIT)))
        await send_ephemeral(interaction, "\n".join(lines))

    @quota.command(name="show", description="(Moderators) A member's credits and history")
    @moderator_only()
    async def show(self, interaction: discord.Interaction, member: discord.Member) -> None:
        """Show a moderator a member's credits and spend, block, audit history and recent videos."""
        guild_id = staff_guild(interaction)
        status = await self._status(interaction, member)
        lines = [text("quota.show", user_id=member.id, remaining=status.remaining,
                      limit=status.limit.credits, spent=status.spent,
                      source=text(f"quota.source.{status.limit.source}"),
                      reset=f"<t:{int(status.period.end)}:R>", running=status.running,
                      queued=status.queued)]
        if status.block is not None:
            lines.append(text("quota.show_blocked", by=status.block.blocked_by,
                              at=int(status.block.blocked_at),
                              reason=clip(status.block.reason, REASON_LIMIT)))
        history = await self.services.moderation.history(guild_id, member.id)
        if history:
            lines.append(text("quota.history_title"))
            lines.extend(f"<t:{int(e.created_at)}:f> {audit_line(e)}" for e in history)
        else:
            lines.append(text("quota.history_none"))
        # The member's recent videos, paged, under the credits.
        lines.append(text("quota.jobs_title"))
        await show_history(self.services.store, interaction, member.id, content=fit_lines(lines))

    @quota.command(name="set", description="(Moderators) A member's own limit")
    @app_commands.describe(credits="Credits per period; -1 removes the member's own limit")
    @moderator_only()
    async def set_member(self, interaction: discord.Interaction, member: discord.Member,
                         credits: CREDITS, reason: REASON | None = None) -> None:
        """Set a member's own limit (-1 removes it, so role limits and the server default apply)."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.set_member_limit(
            guild_id, interaction.user.id, member.id, _limit(credits), reason)
        await self._done(interaction, entry)

    @quota.command(name="role", description="(Moderators) The limit for a role")
    @app_commands.describe(credits="Credits per period; -1 removes the role's limit")
    @moderator_only()
    async def set_role(self, interaction: discord.Interaction, role: discord.Role,
                       credits: CREDITS, reason: REASON | None = None) -> None:
        """Set a role's limit (-1 removes it)."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.set_role_limit(
            guild_id, interaction.user.id, role.id, _limit(credits), reason)
        await self._done(interaction, entry)

    @quota.command(name="default", description="(Moderators) The server's default")
    @app_commands.describe(credits="Credits per period; -1 falls back to the bot's default")
    @moderator_only()
    async def set_default(self, interaction: discord.Interaction, credits: CREDITS) -> None:
        """Set the limit of members with no limit of their own or from a role (-1 removes it)."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.set_server_default(
            guild_id, interaction.user.id, _limit(credits))
        await self._done(interaction, entry)

    @quota.command(name="grant", description="(Moderators) One-off bonus credits")
    @moderator_only()
    async def grant(self, interaction: discord.Interaction, member: discord.Member,
                    credits: Range[int, 1, 1_000_000], reason: REASON) -> None:
        """Give a member bonus credits for the current period, with a reason for the audit log."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.grant(
            guild_id, interaction.user.id, member.id, credits, reason)
        await self._done(interaction, entry)

    @quota.command(name="block", description="(Moderators) Stop a member making videos")
    @app_commands.describe(reason="Shown to the member")
    @moderator_only()
    async def block(self, interaction: discord.Interaction, member: discord.Member,
                    reason: REASON) -> None:
        """Stop a member from making videos here; the reason is shown to them in /quota me."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.block(
            guild_id, interaction.user.id, member.id, reason)
        await self._done(interaction, entry)

    @quota.command(name="unblock", description="(Moderators) Lift a block")
    @moderator_only()
    async def unblock(self, interaction: discord.Interaction, member: discord.Member) -> None:
        """Let a blocked member make videos again."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.unblock(
            guild_id, interaction.user.id, member.id)
        await self._done(interaction, entry)

    @quota.command(name="server", description="(Moderators) Cap the whole server's spend")
    @app_commands.describe(credits="Credits per period for everyone together; -1 removes the cap")
    @moderator_only()
    async def server(self, interaction: discord.Interaction, credits: CREDITS) -> None:
        """Cap what the whole server spends per period (-1 removes the cap)."""
        guild_id = staff_guild(interaction)
        entry = await self.services.moderation.set_server_cap(
            guild_id, interaction.user.id, _limit(credits))
        await self._done(interaction, entry)

    @quota.command(name="give", description="Give some of your credits to another member")
    @app_commands.describe(member="Who gets them", credits="How many of your credits")
    async def give(self, interaction: discord.Interaction, member: discord.Member,
                   credits: Range[int, 1, 1_000_000]) -> None:
        """Give some of the member's own credits to another member; the core enforces the server's
        share and what the giver has left."""
        guild_id = staff_guild(interaction)
        await self.services.gifts.give(guild_id, interaction.user.id,
                                       role_ids(interaction.user), member.id, credits,
                                       receiver_is_bot=member.bot)
        await send_ephemeral(interaction, text("gift.done", credits=credits,
                                               user_id=member.id))

    @quota.command(name="usage", description="(Moderators) Who spent the most")
    @app_commands.choices(period=[Choice(name="this period", value="current"),
                                  Choice(name="previous period", value="previous")])
    @moderator_only()
    async def usage(self, interaction: discord.Interaction, period: str = "current") -> None:
        """The usage leaderboard of the current or the previous period."""
        guild_id = staff_guild(interaction)
        span, rows = await self.services.moderation.usage(
            guild_id, previous=period == "previous")
        lines = [text("quota.usage_title", start=f"<t:{int(span.start)}:f>",
                      end=f"<t:{int(span.end)}:f>")]
        lines.extend(text("quota.usage_line", rank=i, user_id=r.user_id, credits=r.credits,
                          jobs=r.jobs) for i, r in enumerate(rows, 1))
        if not rows:
            lines.append(text("quota.usage_none"))
        await send_ephemeral(interaction, fit_lines(lines))


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(QuotaCog(bot.services))
