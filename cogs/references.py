"""The "Use as reference" message menu: a member sets images already in the channel aside
for their next `/video omni` (posted, forwarded or unfurled images, which the command's own
attachment options cannot reach), and gets the private list with its Clear button.

Why a message menu rather than a modal with file uploads: a modal's file upload takes files
from the member's device, like the command's own attachment options; the images a member wants
to reuse are usually already in the channel, and only a message menu reaches them.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.discord.client import KlingBot
from bot.discord.errors import Refused
from bot.discord.feature_cog import FeatureCog
from bot.discord.flows.message_images import message_images, told_facts
from bot.discord.i18n.render import describe
from bot.discord.interactions import acknowledge
from bot.discord.services import Services
from bot.discord.ui.references import ClearReferencesButton, clear_view, reference_list
from bot.images import check_image
from bot.kling.options import InvalidOptions
from bot.references import FoundImage

log = logging.getLogger(__name__)


class ReferenceCog(FeatureCog):
    """The "Use as reference" message menu, and its Clear button kept with it."""

    items = (ClearReferencesButton,)

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services
        self.menus = [app_commands.guild_only(app_commands.ContextMenu(
            name="Use as reference", callback=self.use_as_reference))]

    async def use_as_reference(self, interaction: discord.Interaction,
                               message: discord.Message) -> None:
        """Set the message's images aside for the member's next /video omni."""
        found = message_images(message)
        if not found:
            raise Refused("references.none_in_message")
        usable: list[FoundImage] = []
        skipped: list[str] = []
        for url, facts in found:
            try:
                if told_facts(facts):
                    check_image(facts, "image")
            except InvalidOptions as refusal:
                skipped.append(describe(refusal) or refusal.code)
                continue
            usable.append(FoundImage(url, facts.filename))
        await acknowledge(interaction)
        outcome = await self.services.references.add(interaction.guild_id or 0,
                                                   interaction.user.id, usable)
        content = reference_list(outcome.pending, added=outcome.added,
                                 left_out=outcome.left_out, skipped=skipped,
                                 limit=self.services.references.limit)
        await interaction.followup.send(content, ephemeral=True, view=clear_view(),
                                        allowed_mentions=discord.AllowedMentions.none())


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(ReferenceCog(bot))
