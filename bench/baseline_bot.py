"""`python -m bench.baseline_bot`: the least a discord.py bot can do for `/video text`, as the
yardstick for klingcord's own figures: defer privately, then send one private
follow-up. No database, no Kling, no card. It registers the same `/video text prompt` command
in the dev guild and connects to the fake Discord as `bench.run_bot` does, with the same
environment (`DISCORD_TOKEN`, `DEV_GUILD_ID`, `KLINGCORD_BENCH_DISCORD_API`,
`KLINGCORD_BENCH_DISCORD_GATEWAY`).
"""

from __future__ import annotations

import logging
import os
import sys

import discord
from discord import app_commands

from bench.run_bot import _point_at_fakes

log = logging.getLogger("bench.baseline")


class BaselineBot(discord.Client):
    """The minimal bot itself: one `/video text` command that defers and sends one follow-up."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(intents=discord.Intents.default())
        self.guild = discord.Object(id=guild_id)
        self.tree = app_commands.CommandTree(self)
        video = app_commands.Group(name="video", description="Make a video")

        @video.command(name="text", description="Turn a prompt into a video")
        async def text(interaction: discord.Interaction, prompt: str) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("Your video is on its way.", ephemeral=True)

        self.tree.add_command(video, guild=self.guild)

    async def setup_hook(self) -> None:
        """Sync the one command to the dev guild, as klingcord does with DEV_GUILD_ID set."""
        await self.tree.sync(guild=self.guild)


def run() -> int:
    """Connect to the fake Discord and serve until stopped."""
    _point_at_fakes()
    bot = BaselineBot(int(os.environ["DEV_GUILD_ID"]))
    bot.run(os.environ["DISCORD_TOKEN"], log_level=logging.WARNING)
    return 0


if __name__ == "__main__":
    sys.exit(run())
