"""The modals of community moderation: why a member reports a video, why a moderator rejects
a held job, why a moderator blocks a reported member. Each asks for one short reason and hands
it back to its button's handler; like every modal here, it answers its own errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.discord.errors import reply_error
from bot.discord.i18n.languages import speaking_to
from bot.discord.i18n.texts import text

log = logging.getLogger(__name__)

REASON_INPUT_LIMIT = 300
OnReason = Callable[[discord.Interaction, str], Awaitable[None]]


class ReasonModal(discord.ui.Modal):
    """One short text: the reason; `on_reason` acts on it in the submitter's language."""

    def __init__(self, title_key: str, label_key: str, on_reason: OnReason) -> None:
        super().__init__(title=text(title_key), timeout=900)
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=text(label_key), style=discord.TextStyle.paragraph,
            max_length=REASON_INPUT_LIMIT, required=True)
        self.add_item(self.reason)
        self.on_reason = on_reason

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        """Hand the reason on, speaking the submitter's language."""
        with speaking_to(interaction):
            await self.on_reason(interaction, self.reason.value)

    async def on_error(  # type: ignore[override]  # discord.py's stub is BaseView's signature
            self, interaction: discord.Interaction, error: Exception, /) -> None:
        """Answer the error privately, in the submitter's language."""
        with speaking_to(interaction):
            await reply_error(interaction, error)
