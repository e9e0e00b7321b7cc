"""Review mode (community moderation): the Approve and Reject buttons under a held job in the
log channel. The mode itself is set with `/klingbot settings review`; this cog registers the
persistent buttons while it is loaded."""

from __future__ import annotations

from bot.discord.client import KlingBot
from bot.discord.feature_cog import FeatureCog
from bot.discord.ui.community_buttons import ReviewButton


class ReviewCog(FeatureCog):
    """Moderators approve or reject held jobs."""

    items = (ReviewButton,)


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(ReviewCog(bot))
