"""The /video story form: the member types the shots, one per line, each with an optional
length in front (`3s: a fox wakes up`); one line is one prompt the model cuts into shots.

The text is read by the core (`bot.kling.multishot.parse_story`), which refuses what Kling would
(too many shots, a prompt too long, a length below one second); the lengths are matched to the
video's duration when the job is validated. Like the other modals, it answers its own errors.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import discord

from bot.discord.errors import reply_error
from bot.discord.i18n.languages import speaking_to
from bot.discord.i18n.texts import text
from bot.discord.ui.prompt_modals import StartVideo
from bot.kling.multishot import MAX_SHOTS, SHOT_PROMPT_LIMIT, parse_story
from bot.kling.options import VideoOptions

log = logging.getLogger(__name__)

# Six shots of 512 characters with a length in front and a line break each.
STORY_TEXT_LIMIT = MAX_SHOTS * (SHOT_PROMPT_LIMIT + 8)


class StoryModal(discord.ui.Modal):
    """Asks for the shots; starts the story with the options the command was given."""

    def __init__(self, options: VideoOptions, start: StartVideo) -> None:
        super().__init__(title=text("modal.story.title"), timeout=900)
        self.options = options
        self.start = start
        self.shots: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=text("modal.story.label"), style=discord.TextStyle.paragraph,
            max_length=STORY_TEXT_LIMIT, required=True,
            placeholder=text("modal.story.placeholder"))
        self.add_item(self.shots)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        """Parse the shots and start the story, in the submitter's language."""
        with speaking_to(interaction):
            story = parse_story(self.shots.value)
            await self.start(interaction, replace(self.options, story=story))

    async def on_error(  # type: ignore[override]  # discord.py's stub is BaseView's signature
            self, interaction: discord.Interaction, error: Exception, /) -> None:
        """Answer the error (shots that do not parse, too) privately, in the submitter's
        language."""
        with speaking_to(interaction):
            await reply_error(interaction, error)
