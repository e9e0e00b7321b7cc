"""Who may do what: every access rule of the Discord layer, in one place.

- The staff gate, `is_staff`: a moderator has Manage Server, or the moderator role the server
  named (`is_moderator`); never in DMs. It is the one rule for commands and buttons alike:
  staff commands carry `moderator_only()`, an `app_commands` check that asks it on every call
  whatever the client showed the member (its refusal, `StaffOnly`, is answered by the command
  tree's error handler), and a persistent button that moderators may press asks it in its
  `interaction_check` (`bot.discord.ui.base`).
- A job's buttons: its requester and moderators always, anyone else only where the server
  allows it (`may_press_job_buttons`, `may_extend`). Cancel's own rule (the requester or a
  moderator) is the core's, given the staff gate's answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, TypeVar

import discord
from discord import app_commands

from bot.discord.interactions import role_ids
from bot.discord.services import services_of
from bot.guild_settings import GuildSettings, load_guild_settings
from bot.store import Job

log = logging.getLogger(__name__)

T = TypeVar("T")
StaffRefusal = Literal["mod.only", "mod.guild_only"]


class StaffOnly(app_commands.CheckFailure):
    """A staff command refused to this member; `reason` is the key of the text they get."""

    def __init__(self, reason: StaffRefusal) -> None:
        super().__init__(reason)
        self.reason: StaffRefusal = reason


def is_moderator(permissions_manage_guild: bool, role_ids: list[int],
                 settings: GuildSettings) -> bool:
    """Manage Server, or the moderator role the server named."""
    return permissions_manage_guild or (
        settings.moderator_role_id is not None and settings.moderator_role_id in role_ids
    )


def may_press_job_buttons(job: Job, user_id: int, *, is_moderator: bool,
                          settings: GuildSettings) -> bool:
    """The requester and moderators always; everyone else only where the server allows it."""
    return is_moderator or user_id == job.user_id or settings.extend_access == "anyone"


async def is_staff(interaction: discord.Interaction,
                   settings: GuildSettings | None = None) -> bool:
    """The staff gate: whether the member who used `interaction` is a moderator of its server
    (`settings`, when the caller has them already, save reading them again)."""
    if interaction.guild_id is None:
        return False
    if settings is None:
        settings = await load_guild_settings(services_of(interaction).store, interaction.guild_id)
    return is_moderator(bool(interaction.permissions.manage_guild),
                        list(role_ids(interaction.user)), settings)


async def may_extend(interaction: discord.Interaction, source: Job) -> bool:
    """Whether the member who pressed a button under `source` may extend it."""
    settings = await load_guild_settings(services_of(interaction).store, interaction.guild_id)
    moderator = await is_staff(interaction, settings)
    return may_press_job_buttons(source, interaction.user.id, is_moderator=moderator,
                                 settings=settings)


def staff_guild(interaction: discord.Interaction) -> int:
    """The server a staff command was used in (its `moderator_only()` check made sure of one)."""
    assert interaction.guild_id is not None, "a staff command without moderator_only()"
    return interaction.guild_id


def moderator_only() -> Callable[[T], T]:
    """The staff gate as a check for commands: moderators of the server pass; anyone else, or
    a call from outside a server, gets `StaffOnly`. Runs before the command's options are
    converted."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise StaffOnly("mod.guild_only")
        try:
            moderator = await is_staff(interaction)
        except Exception as exc:
            # discord.py lets only its own errors reach the tree's handler from a check; wrapped
            # like an error in the command's body, a failing store still gets an answer.
            command = interaction.command
            assert command is not None  # checks run for a command only
            raise app_commands.CommandInvokeError(command, exc) from exc
        if not moderator:
            raise StaffOnly("mod.only")
        return True

    return app_commands.check(predicate)
