"""Starting a job from an interaction: one defer, one private confirmation.

Shared by the slash commands, the context menu, the Extend buttons and the modals, so every
entry point validates what it can without I/O before deferring (those errors come back at once),
defers before it waits on the database (Discord drops an interaction not answered within 3 s),
never uses the interaction token after the first follow-up, and words its answers the same way.
"""

from __future__ import annotations

import logging
from typing import Protocol

import discord

from bot.discord.interactions import acknowledge, jump_url, role_ids, send_ephemeral
from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.store import Job, JobState
from bot.texts import text

log = logging.getLogger(__name__)


class JobStarter(Protocol):
    """What the flow needs of the core's job service."""

    def price(self, request: JobRequest) -> object:
        """Validate `request` and price it; raises before anything is spent."""
        ...

    async def request(self, request: JobRequest) -> Job:
        """Reserve and queue the job (or fail it, refunded)."""
        ...


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


async def start_job(jobs: JobStarter, interaction: discord.Interaction, request: JobRequest
                    ) -> Job:
    """Validate (answering at once if wrong), defer, run the request, confirm privately."""
    jobs.price(request)  # raises InvalidOptions before anything is spent or deferred
    await acknowledge(interaction)
    job = await jobs.request(request)
    if job.state is JobState.FAILED:
        await send_ephemeral(interaction, text("ack.failed", reason=job.error_message or ""))
    else:
        where = (jump_url(job.guild_id, job.channel_id, job.status_message_id)
                 if job.status_message_id else f"<#{job.post_channel_id}>")
        await send_ephemeral(interaction, text("ack.started", link=where))
    return job
