"""Answering a member's interaction about a job: one defer, one ephemeral follow-up.

Shared by the slash commands, the context menu, the Extend buttons and the modals, so every
entry point validates what it can without I/O before deferring (those errors come back at once),
defers before it waits on the database (Discord drops an interaction not answered within 3 s),
never uses the interaction token after the first follow-up, and words its errors the same way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import discord

from bot.cards import MESSAGE_LIMIT
from bot.errors import describe, new_error_id
from bot.jobs import JobRequest
from bot.store import Job, JobState
from bot.texts import clip, text

if TYPE_CHECKING:
    from bot.discord_bot import KlingBot

log = logging.getLogger(__name__)


def kling_bot(interaction: discord.Interaction) -> KlingBot:
    return cast("KlingBot", interaction.client)


def role_ids(user: discord.abc.User) -> tuple[int, ...]:
    """The member's role ids (none for a user outside a server, e.g. in DMs)."""
    return tuple(role.id for role in getattr(user, "roles", []))


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


async def send_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Reply privately, whether or not the interaction was answered already. The text is
    clipped to Discord's message limit: free text echoed in it must not lose the whole reply."""
    message = clip(message, MESSAGE_LIMIT)
    none = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=none)
    else:
        await interaction.response.send_message(message, ephemeral=True, allowed_mentions=none)


async def reply_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Turn any error into a private, plain-words answer; log the ones that are bugs."""
    message = describe(error)
    if message is None:
        error_id = new_error_id()
        log.error("Unhandled error %s in %s", error_id, _where(interaction), exc_info=error)
        message = text("error.unknown", error_id=error_id)
    try:
        await send_ephemeral(interaction, message)
    except discord.HTTPException:
        log.warning("Could not send an error reply for %s", _where(interaction))


def _where(interaction: discord.Interaction) -> str:
    command = interaction.command.qualified_name if interaction.command else None
    data: dict[str, object] = dict(interaction.data or {})
    return command or str(data.get("custom_id", "an interaction"))


async def acknowledge(interaction: discord.Interaction) -> None:
    """Defer privately ("thinking"), unless the interaction is answered already.

    Called before any database read on the way to a job: under a burst of commands the reads
    queue behind every other command's reservation, and the acknowledgement must not wait for
    them. An error found after this still reaches the member privately, as the follow-up.
    """
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


async def start_job(interaction: discord.Interaction, request: JobRequest) -> Job:
    """Validate (answering at once if wrong), defer, run the request, confirm privately."""
    jobs = kling_bot(interaction).engine.jobs
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
