"""Reports (community moderation): the Report button under every result, and the decisions
moderators take on a report in the log channel (Remove, Block, Dismiss). Both are persistent
buttons; this cog registers them while it is loaded."""

from __future__ import annotations

from bot.discord.client import KlingBot
from bot.discord.feature_cog import FeatureCog
from bot.discord.ui.community_buttons import ReportActionButton, ReportButton


class ReportsCog(FeatureCog):
    """Members report a result; moderators decide."""

    items = (ReportButton, ReportActionButton)


async def setup(bot: KlingBot) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(ReportsCog(bot))
