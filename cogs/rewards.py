"""Reaction rewards (community moderation): `/klingbot rewards` for moderators, and the
reactions that count, seen as they arrive.

Reactions arrive as MESSAGE_REACTION_ADD events (the GUILD_MESSAGE_REACTIONS intent, which is
not privileged and is part of discord.py's default intents). The raw event is used, so a
reaction on a result posted before a restart (not in the message cache) still counts. Only
additions count: a vote is kept once per member per result, so a removal changes nothing and
adding the reaction again is not counted twice.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Range
from discord.ext import commands

from bot.discord.access import moderator_only, staff_guild
from bot.discord.client import KlingBot
from bot.discord.feature_cog import KLINGBOT, FeatureCog
from bot.discord.i18n.texts import speaking, text
from bot.discord.interactions import send_ephemeral
from bot.discord.services import Services

log = logging.getLogger(__name__)


class RewardsCog(FeatureCog):
    """Bonus credits for well-liked videos: the settings, and the reactions counted."""

    group = KLINGBOT

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services

    @app_commands.command(name="rewards", description="Bonus credits for well-liked videos")
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
        """Change the reward settings given (the others are kept), checked and audited by the core,
        then show them."""
        guild_id = staff_guild(interaction)
        changes: dict[str, Any] = {
            "reward_emoji": str(discord.PartialEmoji.from_str(emoji.strip()))
            if emoji is not None else None,
            "reward_credits": credits, "reward_voters": voters,
            "reward_max_per_period": max_per_period}
        done = await self.services.settings_changes.change(
            guild_id, interaction.user.id,
            {key: value for key, value in changes.items() if value is not None})
        settings = done.settings
        state = text("rewards.state", emoji=settings.reward_emoji or "—",
                     credits=settings.reward_credits, voters=settings.reward_voters,
                     max=settings.reward_max_per_period)
        await send_ephemeral(interaction, state)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """Count a member's reaction on a result and announce a reward in the result's thread
        when one is paid; a failure is logged, never raised into the gateway."""
        me = self.bot.user
        if payload.guild_id is None or (me is not None and payload.user_id == me.id):
            return  # the bot's own reactions never count
        try:
            paid = await self.services.rewards.reaction_added(
                payload.guild_id, payload.message_id, payload.user_id, str(payload.emoji),
                by_bot=payload.member is not None and payload.member.bot)
            if paid is None:
                return
            with speaking(await self.services.languages.of(payload.guild_id)):
                line = text("reward.paid", user_id=paid.job.user_id, credits=paid.credits,
                            voters=paid.voters)
            await self.services.notifier.community.say_in_thread(paid.job, line)
        except Exception:
            log.exception("Could not count a reaction on message %s", payload.message_id)


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(RewardsCog(bot))
