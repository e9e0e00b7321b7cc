"""/klingbot filter: the words and patterns refused in this server's prompts (community
moderation), for moderators."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import Range

from bot.community.filters import PATTERN_LIMIT
from bot.discord.access import moderator_only, staff_guild
from bot.discord.client import KlingBot
from bot.discord.feature_cog import KLINGBOT, FeatureCog
from bot.discord.i18n.texts import text
from bot.discord.interactions import send_ephemeral
from bot.discord.posting.cards import audit_line, fit_lines
from bot.discord.services import Services

log = logging.getLogger(__name__)


class FiltersCog(FeatureCog):
    """Adds, removes and lists the prompt filters."""

    group = KLINGBOT

    filter = app_commands.Group(name="filter", description="Words refused in prompts")

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services

    @filter.command(name="add", description="Refuse prompts with a word (or a pattern)")
    @app_commands.describe(word="A word or phrase; with regex, a regular expression",
                           regex="Treat the word as a regular expression")
    @moderator_only()
    async def filter_add(self, interaction: discord.Interaction,
                         word: Range[str, 1, PATTERN_LIMIT], regex: bool = False) -> None:
        """Add a rule; the core refuses a rule the server has already and records the change."""
        guild_id = staff_guild(interaction)
        entry = await self.services.filters.add(guild_id, interaction.user.id, word, regex)
        await send_ephemeral(interaction, text("mod.done", summary=audit_line(entry)))

    @filter.command(name="remove", description="Stop refusing a word or pattern")
    @app_commands.describe(word="The word or pattern as it was added")
    @moderator_only()
    async def filter_remove(self, interaction: discord.Interaction,
                            word: Range[str, 1, PATTERN_LIMIT]) -> None:
        """Remove a rule by the text it was added with, and record the change."""
        guild_id = staff_guild(interaction)
        entry = await self.services.filters.remove(guild_id, interaction.user.id, word)
        await send_ephemeral(interaction, text("mod.done", summary=audit_line(entry)))

    @filter.command(name="list", description="The words and patterns refused in prompts")
    @moderator_only()
    async def filter_list(self, interaction: discord.Interaction) -> None:
        """Show the server's rules, regular expressions between slashes."""
        rules = await self.services.filters.rules(staff_guild(interaction))
        if not rules:
            await send_ephemeral(interaction, text("filter.none"))
            return
        lines = [text("filter.list_title")] + [
            f"• `/{r.pattern}/`" if r.is_regex else f"• `{r.pattern}`" for r in rules]
        await send_ephemeral(interaction, fit_lines(lines))


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(FiltersCog(bot))
