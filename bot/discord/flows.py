"""Starting a job from an interaction: one request built the same way, one defer, one private
confirmation.

Shared by the slash commands, the context menu, the Extend buttons and the modals. Each builds a
`JobRequest` from the interaction (`job_request`: the member's options as given, where they
asked); the core applies the server's policy to every one of them when it reserves the job. The
flow validates what needs no I/O before deferring (those errors come back at once), defers
before the core reads the database (Discord drops an interaction not answered within 3 s), never
uses the interaction token after the first follow-up, and words its answers the same way. A
job priced above the server's threshold waits for the member's confirmation before it is
reserved (`bot.discord.price_confirmation`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

import discord

from bot.discord.interactions import acknowledge, jump_url, role_ids, send_ephemeral
from bot.discord.price_confirmation import confirm_price
from bot.discord.render import failure_reason
from bot.discord.texts import text
from bot.jobs import JobRequest, PriceNeedsConfirmation
from bot.kling.options import VideoOptions
from bot.store import Job, JobState

log = logging.getLogger(__name__)


class JobStarter(Protocol):
    """What the flow needs of the core's job service."""

    def check(self, request: JobRequest) -> None:
        """Validate what can be without I/O; raises before anything is spent."""
        ...

    async def request(self, request: JobRequest) -> Job:
        """Apply the server's policy, reserve and queue the job (or fail it, refunded)."""
        ...


def job_request(interaction: discord.Interaction, options: VideoOptions, *,
                fallback_channel_id: int | None = None, **extra: Any) -> JobRequest:
    """The member's ask as the core takes it: who, where (the channel, and the channel a thread
    belongs to, for the server's allowed channels), and the options as given."""
    channel_id = interaction.channel_id or fallback_channel_id or interaction.user.id
    joined = getattr(interaction.user, "joined_at", None)  # a Member's, from the payload
    return JobRequest(guild_id=interaction.guild_id, channel_id=channel_id,
                      parent_channel_id=getattr(interaction.channel, "parent_id", None),
                      user_id=interaction.user.id, options=options,
                      role_ids=role_ids(interaction.user),
                      joined_at=joined.timestamp() if joined is not None else None,
                      staff=bool(interaction.permissions.manage_guild), **extra)


def extend_request(interaction: discord.Interaction, source: Job, prompt: str | None,
                   duration: int | None = None) -> JobRequest:
    """An Extend continues `source`: its model, mode and video, in its thread, by `duration`
    seconds (None: the model's default). The core refuses a source too old for Kling, dated
    from when it was sent to Kling (the video is a little younger: the refusal errs early)."""
    options = VideoOptions(action="extend", model=source.model, mode=source.mode,
                           prompt=source.prompt if prompt is None else prompt,
                           video_id=source.video_id, duration=duration)
    return job_request(interaction, options, fallback_channel_id=source.post_channel_id,
                       parent_job_id=source.id, thread_id=source.thread_id,
                       source_made_at=source.submitted_at or source.created_at,
                       spoiler=source.spoiler)


async def start_job(jobs: JobStarter, interaction: discord.Interaction, request: JobRequest
                    ) -> Job | None:
    """Validate (answering at once if wrong), defer, run the request (a price above the
    server's threshold is confirmed by the member first: None if they did not), confirm
    privately."""
    jobs.check(request)  # raises InvalidOptions before anything is spent or deferred
    await acknowledge(interaction)
    try:
        job = await jobs.request(request)
    except PriceNeedsConfirmation as expensive:  # nothing reserved: ask the member first
        if not await confirm_price(interaction, expensive.quote):
            return None
        # Reserved now as any job (credits are checked again), never for more than confirmed.
        job = await jobs.request(replace(request, confirmed_cost=expensive.quote.cost))
    if job.state is JobState.FAILED:
        await send_ephemeral(interaction, text("ack.failed", reason=failure_reason(job)))
    elif job.state is JobState.REVIEW:
        where = (jump_url(job.guild_id, job.channel_id, job.status_message_id)
                 if job.status_message_id else f"<#{job.post_channel_id}>")
        await send_ephemeral(interaction, text("ack.review", link=where))
    else:
        where = (jump_url(job.guild_id, job.channel_id, job.status_message_id)
                 if job.status_message_id else f"<#{job.post_channel_id}>")
        await send_ephemeral(interaction, text("ack.started", link=where))
    return job
