"""Answering a member's interaction about a job: one defer, one ephemeral follow-up.

Shared by the slash commands, the context menu, the Extend buttons and the modals, so every
entry point validates what it can without I/O before deferring (those errors come back at once),
defers before it waits on the database (Discord drops an interaction not answered within 3 s),
never uses the interaction token after the first follow-up, and words its errors the same way.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

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


def describe_command_error(error: BaseException) -> str | None:
    """The member-facing sentence for discord.py's own refusals (checks, cooldowns, options
    it could not convert), or None when the error is not one of them.

    Subclasses come before `CheckFailure`, their base. A converter that failed on an exception
    of its own (`__cause__`) is a bug, and so gets None and an error id.
    """
    if isinstance(error, app_commands.CommandOnCooldown):
        ready_at = int(time.time() + error.retry_after) + 1
        return text("command.cooldown", when=f"<t:{ready_at}:R>")
    if isinstance(error, app_commands.BotMissingPermissions):
        return text("command.bot_missing", permissions=_permissions(error.missing_permissions))
    if isinstance(error, app_commands.MissingPermissions):
        return text("command.missing", permissions=_permissions(error.missing_permissions))
    if isinstance(error, (app_commands.MissingRole, app_commands.MissingAnyRole)):
        return text("command.missing_role")
    if isinstance(error, app_commands.NoPrivateMessage):
        return text("dm.refused")
    if isinstance(error, app_commands.CheckFailure):
        return text("command.not_allowed")
    if isinstance(error, app_commands.TransformerError):
        return None if error.__cause__ is not None else _bad_option(error)
    if type(error) is app_commands.AppCommandError and error.args:
        return str(error)  # raised by a command with a message written for the member
    return None


def _permissions(names: list[str]) -> str:
    """Permission names as Discord's settings show them ("Manage Server", "Attach Files")."""
    shown = [name.replace("_", " ").title().replace("Guild", "Server") for name in names]
    return ", ".join(f"**{name}**" for name in shown)


def _bad_option(error: app_commands.TransformerError) -> str:
    if error.type in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
        return text("command.not_a_member")
    if error.type is discord.AppCommandOptionType.channel:
        return text("command.bad_channel")
    return text("command.bad_value", value=clip(str(error.value), 100))


async def reply_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Turn any error into a private, plain-words answer; log the ones that are bugs."""
    message = describe_command_error(error) or describe(error)
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
