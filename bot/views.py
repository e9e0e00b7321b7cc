"""Buttons and modals under a result.

The Extend buttons are `DynamicItem`s: their custom id carries the job id and nothing else is
kept in memory, so a button posted before a restart works after it. Each handles its own
errors, because discord.py never passes a DynamicItem's errors to the tree's handler.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.cards import LINK_BUTTON_URL_LIMIT
from bot.errors import UserFacingError
from bot.guild_settings import (
    GuildSettings,
    is_moderator,
    load_guild_settings,
    may_press_job_buttons,
)
from bot.jobs import JobRequest
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import PROMPT_LIMIT, VideoOptions
from bot.replies import kling_bot, reply_error, role_ids, send_ephemeral, start_job
from bot.store import Job, JobState
from bot.texts import text

log = logging.getLogger(__name__)

JOB_ID = r"(?P<job_id>[0-9a-f]{20})"


def extend_request(interaction: discord.Interaction, source: Job, prompt: str | None
                   ) -> JobRequest:
    """An Extend continues `source`: its model, mode and video, in its thread."""
    options = VideoOptions(action="extend", model=source.model, mode=source.mode,
                           prompt=source.prompt if prompt is None else prompt,
                           video_id=source.video_id)
    channel_id = interaction.channel_id or source.post_channel_id
    return JobRequest(guild_id=interaction.guild_id, channel_id=channel_id,
                      user_id=interaction.user.id, options=options,
                      role_ids=role_ids(interaction.user),
                      parent_job_id=source.id, thread_id=source.thread_id)


async def member_is_moderator(interaction: discord.Interaction,
                              settings: GuildSettings | None = None) -> bool:
    """Manage Server, or the server's moderator role; never in DMs."""
    if interaction.guild_id is None:
        return False
    if settings is None:
        settings = await load_guild_settings(kling_bot(interaction).engine.store,
                                             interaction.guild_id)
    return is_moderator(bool(interaction.permissions.manage_guild),
                        list(role_ids(interaction.user)), settings)


async def extendable_source(interaction: discord.Interaction, job_id: str) -> Job:
    """The job behind a button, if this member may extend it. Raises `UserFacingError`."""
    bot = kling_bot(interaction)
    source = await bot.engine.store.get_job(job_id)
    if source is None:
        raise UserFacingError(text("access.gone"))
    settings = await load_guild_settings(bot.engine.store, interaction.guild_id)
    moderator = await member_is_moderator(interaction, settings)
    if not may_press_job_buttons(source, interaction.user.id, is_moderator=moderator,
                                 settings=settings):
        raise UserFacingError(text("access.not_yours"))
    # SUCCEEDED too: the result message is posted a moment before the job is marked DELIVERED.
    if source.state not in (JobState.SUCCEEDED, JobState.DELIVERED) or not source.video_id:
        raise UserFacingError(text("access.not_ready"))
    return source


class ExtendButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=rf"kling:extend:{JOB_ID}"):
    """Continue the video with the same prompt."""

    def __init__(self, job_id: str) -> None:
        super().__init__(discord.ui.Button(
            label=text("button.extend"), style=discord.ButtonStyle.primary, emoji="⏩",
            custom_id=f"kling:extend:{job_id}"))
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]
                             ) -> ExtendButton:
        return cls(match["job_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            source = await extendable_source(interaction, self.job_id)
            await start_job(interaction, extend_request(interaction, source, None))
        except Exception as error:
            await reply_error(interaction, error)


class ExtendPromptButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                         template=rf"kling:extend-prompt:{JOB_ID}"):
    """Continue the video with a prompt typed into a modal."""

    def __init__(self, job_id: str) -> None:
        super().__init__(discord.ui.Button(
            label=text("button.extend_prompt"), style=discord.ButtonStyle.secondary,
            emoji="✏️", custom_id=f"kling:extend-prompt:{job_id}"))
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]
                             ) -> ExtendPromptButton:
        return cls(match["job_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            source = await extendable_source(interaction, self.job_id)
            await interaction.response.send_modal(ExtendModal(source))
        except Exception as error:
            await reply_error(interaction, error)


class CancelButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=rf"kling:cancel:{JOB_ID}"):
    """Cancel a queued job, with a full refund (its requester or a moderator)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(discord.ui.Button(
            label=text("button.cancel"), style=discord.ButtonStyle.danger,
            custom_id=f"kling:cancel:{job_id}"))
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]
                             ) -> CancelButton:
        return cls(match["job_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot = kling_bot(interaction)
            moderator = await member_is_moderator(interaction)
            job = await bot.engine.jobs.cancel(self.job_id, interaction.user.id,
                                               is_moderator=moderator)
            await send_ephemeral(interaction, text("cancel.done", cost=job.cost))
        except Exception as error:
            await reply_error(interaction, error)


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

    async def on_error(  # type: ignore[override]  # discord.py's stub is BaseView's signature
            self, interaction: discord.Interaction, error: Exception, /) -> None:
        await reply_error(interaction, error)


class ExtendModal(PromptModal):
    def __init__(self, source: Job) -> None:
        super().__init__(text("modal.extend.title"), required=True,
                         placeholder=text("modal.prompt.placeholder"))
        self.source = source

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        request = extend_request(interaction, self.source, self.prompt.value)
        await start_job(interaction, request)


def result_view(job: Job, capabilities: CapabilityTable) -> discord.ui.View:
    """Extend and Extend with a new prompt (only where the job's model can extend a video: a
    button that can only refuse is worse than none), and a link to the file."""
    view = discord.ui.View(timeout=None)
    model = capabilities.get(job.model)
    if model is not None and model.extend:
        view.add_item(ExtendButton(job.id))
        view.add_item(ExtendPromptButton(job.id))
    if job.video_url and job.video_url.startswith(("http://", "https://")) \
            and len(job.video_url) <= LINK_BUTTON_URL_LIMIT:  # else Discord refuses the post
        view.add_item(discord.ui.Button(label=text("result.open"), url=job.video_url))
    return view


def card_view(job: Job) -> discord.ui.View | None:
    """A queued job's card carries a Cancel button; others carry none."""
    if job.state is not JobState.QUEUED:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(CancelButton(job.id))
    return view


DYNAMIC_ITEMS = (ExtendButton, ExtendPromptButton, CancelButton)
