"""Slash command groups that several cogs fill: `/klingbot` holds the settings, the prompt
filters, the rewards and the status, each a feature of its own cog.

discord.py gives each cog the groups declared in its class, so a group shared by cogs is made
here once, on the tree, by the first cog that loads into it, and each cog moves its own
commands into it (`SharedGroupCog`); a cog unloaded takes its commands back out, and the last
one out removes the group. The commands keep their cog as binding, so `self` is the cog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands


@dataclass(frozen=True)
class GroupSpec:
    """A shared group as members see it: its name, description and who sees it."""

    name: str
    description: str
    staff: bool  # hidden from members without Manage Server until a server says otherwise


KLINGBOT = GroupSpec("klingbot", "Bot settings for this server", staff=True)


def shared_group(tree: app_commands.CommandTree[Any], spec: GroupSpec) -> app_commands.Group:
    """The group on `tree`, made now if no cog made it yet."""
    found = tree.get_command(spec.name)
    if isinstance(found, app_commands.Group):
        return found
    permissions = discord.Permissions(manage_guild=True) if spec.staff else None
    group = app_commands.Group(name=spec.name, description=spec.description, guild_only=True,
                               default_permissions=permissions)
    tree.add_command(group)
    return group


class SharedGroupCog(commands.Cog):
    """A cog whose slash commands (and subgroups) go under a group other cogs share."""

    group: ClassVar[GroupSpec] = KLINGBOT

    def __init__(self, tree: app_commands.CommandTree[Any]) -> None:
        self.tree = tree
        self.moved: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []

    async def cog_load(self) -> None:
        """Move this cog's commands into the shared group (before discord.py would add them
        to the tree as top-level commands)."""
        group = shared_group(self.tree, self.group)
        self.moved = list(self.__cog_app_commands__)
        self.__cog_app_commands__ = []
        for command in self.moved:
            group.add_command(command)

    async def cog_unload(self) -> None:
        group = shared_group(self.tree, self.group)
        for command in self.moved:
            group.remove_command(command.name)
        if not group.commands:
            self.tree.remove_command(group.name)
