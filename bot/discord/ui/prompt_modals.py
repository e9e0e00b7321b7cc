"""The modals that ask a member for a prompt: Extend with a new prompt, and Animate (the message
menu's optional prompt).

Each is given what its submission needs when it is opened; like the buttons, a modal answers
its own errors, because discord.py never passes them to the command tree's handler. A modal's
own texts (title, label, placeholder) are made when it is built, in the language in force
then: the member's, as it is built while answering their button or menu. Its submission is a
new interaction, answered in the language it carries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.discord.errors import Refused, reply_error
from bot.discord.flows.chains import continue_video
from bot.discord.flows.start import JobStarter, extend_request, start_job
from bot.discord.i18n.languages import speaking_to
from bot.discord.i18n.render import fields
from bot.discord.i18n.texts import text
from bot.kling.options import PROMPT_LIMIT, VideoOptions
from bot.store import Job

log = logging.getLogger(__name__)

# Starts a job from the member's options (the video cog's flow; the core applies the policy).
StartVideo = Callable[[discord.Interaction, VideoOptions], Awaitable[object]]


class PromptModal(discord.ui.Modal):
    """A modal with one prompt field; subclasses say what to do with it."""

    def __init__(self, title: str, *, required: bool, default: str | None = None,
                 placeholder: str) -> None:
        super().__init__(title=title, timeout=900)
        self.prompt: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=text("modal.prompt.label"), style=discord.TextStyle.paragraph,
            max_length=PROMPT_LIMIT, required=required, default=default,
            placeholder=placeholder)
        self.add_item(self.prompt)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        """Run `submit` in the submitter's language."""
        with speaking_to(interaction):
            await self.submit(interaction)

    async def submit(self, interaction: discord.Interaction) -> None:
        """Act on the prompt (in the member's language)."""
        raise NotImplementedError

    async def on_error(  # type: ignore[override]  # discord.py's stub is BaseView's signature
            self, interaction: discord.Interaction, error: Exception, /) -> None:
        """Answer the error privately, in the submitter's language."""
        with speaking_to(interaction):
            await reply_error(interaction, error)


class ExtendModal(PromptModal):
    """Asks for the prompt of an Extend of `source`, and its length where the model's extends
    take one (`lengths`, from the capability table; 5 s unless the member says otherwise)."""

    def __init__(self, jobs: JobStarter, source: Job, lengths: tuple[int, ...] = ()) -> None:
        super().__init__(text("modal.extend.title"), required=True,
                         placeholder=text("modal.prompt.placeholder"))
        self.jobs = jobs
        self.source = source
        self.lengths = lengths
        self.length: discord.ui.TextInput[Any] | None = None
        if lengths:
            self.length = discord.ui.TextInput(
                label=text("modal.extend.length.label", **fields({"durations": lengths})),
                style=discord.TextStyle.short, max_length=3, required=False,
                default=str(5 if 5 in lengths else lengths[0]))
            self.add_item(self.length)

    def chosen_length(self) -> int | None:
        """The length typed (checked against the table by the core), or None if left empty."""
        typed = (self.length.value if self.length is not None else "").strip()
        if not typed:
            return None
        if not typed.isdigit():
            raise Refused("invalid.extend_length_not_number",
                          {"durations": list(self.lengths)})
        return int(typed)

    async def submit(self, interaction: discord.Interaction) -> None:
        """Start the Extend with the prompt and the length typed."""
        request = extend_request(interaction, self.source, self.prompt.value,
                                 self.chosen_length())
        await start_job(self.jobs, interaction, request)


class ContinueModal(PromptModal):
    """Asks for the prompt of a Continue of `source`."""

    def __init__(self, source: Job) -> None:
        super().__init__(text("modal.continue.title"), required=True,
                         placeholder=text("modal.prompt.placeholder"))
        self.source = source

    async def submit(self, interaction: discord.Interaction) -> None:
        """Start the Continue with the prompt typed."""
        await continue_video(interaction, self.source, self.prompt.value)


class AnimateModal(PromptModal):
    """Asks for an optional prompt, then animates the image the menu was used on."""

    def __init__(self, image_url: str, start: StartVideo) -> None:
        super().__init__(text("modal.animate.title"), required=False,
                         placeholder=text("modal.animate.placeholder"))
        self.image_url = image_url
        self.start = start

    async def submit(self, interaction: discord.Interaction) -> None:
        """Animate the image, with the prompt when one was typed."""
        options = VideoOptions(action="image2video", prompt=self.prompt.value or None,
                               start_image_url=self.image_url)
        await self.start(interaction, options)
