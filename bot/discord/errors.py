"""Every error a member's interaction runs into, turned into one private, plain-words answer.

Used by the command tree's error handler for slash commands and the context menu, and by the
buttons and modals for their own errors (discord.py never passes those to the tree).

The order in which an error is looked at (`reply_error`):

1. `CommandInvokeError` is unwrapped by the tree first: what matters is what the command raised.
2. discord.py's own refusals (`describe_command_error`), subclasses before their bases:
   cooldown; the bot's missing permissions; the member's missing permissions or role; a DM;
   a staff check (`StaffOnly`: "moderators only" / "only in a server"); any other check;
   an option that could not be converted (unless the converter failed on a bug of its own);
   an `AppCommandError` raised with a message written for the member.
3. The core's errors, which carry a code and its parameters (`bot.discord.i18n.render.describe`):
   invalid options, quota, paused, the server's policy, a cancel that cannot be, and this
   layer's own `Refused`; then Kling unreachable or refusing.
4. Anything else is a bug: logged with a short error id, and the member gets that id.

An answer that cannot be sent (the interaction expired, Discord refused) is logged, not raised.
"""

from __future__ import annotations

import logging
import secrets
import time

import discord
from discord import app_commands

from bot.discord.access import StaffOnly
from bot.discord.i18n.render import describe
from bot.discord.i18n.texts import clip, text
from bot.discord.interactions import send_ephemeral
from bot.errors import DomainError

log = logging.getLogger(__name__)


class Refused(DomainError):
    """A refusal by a rule of this layer (who may press a button, a message with no image),
    with a code and parameters like the core's own."""


def new_error_id() -> str:
    """A short id for an unexpected error, given to the member and written to the log."""
    return secrets.token_hex(4)


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
    if isinstance(error, StaffOnly):
        return text(error.reason)
    if isinstance(error, app_commands.CheckFailure):
        return text("command.not_allowed")
    if isinstance(error, app_commands.TransformerError):
        return None if error.__cause__ is not None else _bad_option(error)
    if type(error) is app_commands.AppCommandError and error.args:
        return str(error)  # raised by a command with a message written for the member
    return None


def _permissions(names: list[str]) -> str:
    """Permission names as Discord's settings show them in the reader's language ("Manage
    Server", "서버 관리하기"); one the catalogue does not name reads as its API name, tidied."""
    shown = [text("permission.name", permission=name,
                  fallback=name.replace("_", " ").title().replace("Guild", "Server"))
             for name in names]
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
