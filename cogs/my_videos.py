"""A member's own videos: `/video history` (their last 25, paged, privately) and `/video
notify` (a direct message when each is ready). Declared here, under the /video group the
video commands share (`bot.discord.feature_cog.VIDEO`)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.discord.client import KlingBot
from bot.discord.feature_cog import VIDEO, FeatureCog
from bot.discord.flows.preferences import set_notify
from bot.discord.services import Services
from bot.discord.ui.history import show_history

log = logging.getLogger(__name__)


class MyVideosCog(FeatureCog):
    """What a member sees of, and hears about, their own videos."""

    group = VIDEO

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services

    @app_commands.command(name="history", description="Your last 25 videos, newest first")
    async def history(self, interaction: discord.Interaction) -> None:
        """Show the member's own videos, paged, to them alone."""
        await show_history(self.services.store, interaction, interaction.user.id)

    @app_commands.command(name="notify", description="A direct message when your video is ready")
    @app_commands.describe(setting="on: send me a DM; off: no DMs")
    @app_commands.choices(setting=[Choice(name="on", value="on"),
                                   Choice(name="off", value="off")])
    async def notify(self, interaction: discord.Interaction, setting: str) -> None:
        """Turn the member's DM when a video is ready on or off, in this server."""
        await set_notify(self.services.store, interaction, setting == "on")


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(MyVideosCog(bot))
