"""The moderator check every staff command runs, whatever the client showed the member."""

from __future__ import annotations

import discord

from bot.errors import UserFacingError
from bot.texts import text
from bot.views import member_is_moderator


async def require_moderator(interaction: discord.Interaction) -> int:
    """The guild id, if the member is a moderator there; else a private refusal."""
    if interaction.guild_id is None:
        raise UserFacingError(text("mod.guild_only"))
    if not await member_is_moderator(interaction):
        raise UserFacingError(text("mod.only"))
    return interaction.guild_id
