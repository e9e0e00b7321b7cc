"""/klingbot status: how the bot and its jobs are doing, for moderators (the same value
/healthz serves)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.discord.access import moderator_only
from bot.discord.client import KlingBot
from bot.discord.feature_cog import KLINGBOT, FeatureCog
from bot.discord.i18n.texts import text
from bot.discord.interactions import send_ephemeral
from bot.discord.services import Services

log = logging.getLogger(__name__)


class StatusCog(FeatureCog):
    """The bot's health at a glance."""

    group = KLINGBOT

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services

    @app_commands.command(name="status", description="How the bot and its jobs are doing")
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the job counts by state, whether Kling takes new jobs, and the poller's last tick;
        the same facts as the health endpoint."""
        status = await self.services.status()  # the same value /healthz serves
        shown = ", ".join(f"{state} {count}" for state, count in sorted(status.job_counts.items()))
        kling = text("status.kling_paused" if status.kling_paused else "status.kling_accepting")
        if self.services.simulated:  # KLING_API_BASE=simulated
            kling = f"{kling} ({text('status.simulated')})"
        tick = int(status.poller_last_tick or self.services.clock())
        await send_ephemeral(interaction, text("status.line", counts=shown or text("list.none"),
                                                kling=kling, tick=tick))


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(StatusCog(bot))
