"""The base of every cog: one feature, with its own persistent items and its slash commands,
which may go under a group that several features share.

- `items`: the feature's `DynamicItem` templates (its buttons that outlive the process),
  registered while the cog is loaded and removed with it, as RoboDanny's cogs do.
- `group`: discord.py gives each cog the groups declared in its class, so a group several cogs
  fill (`/klingbot`: settings, filters, rewards, status; `/video`: making videos, a member's
  own videos) is made here once, on the tree, by the first cog that loads into it. Each cog
  moves its own commands into it, in the order the group declares (so the synced payload does
  not depend on which cog loaded first); a cog unloaded takes its commands back out, and the
  last one out removes the group. The commands keep their cog as binding: `self` is the cog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group
PersistentItem = type[discord.ui.DynamicItem[Any]]


@dataclass(frozen=True)
class GroupSpec:
    """A shared group as members see it."""

    name: str
    description: str
    order: tuple[str, ...]  # its subcommands in the picker
    staff: bool = False  # hidden from members without Manage Server until a server shows it


KLINGBOT = GroupSpec("klingbot", "Bot settings for this server",
                     ("settings", "filter", "rewards", "status"), staff=True)
VIDEO = GroupSpec("video", "Make a video with Kling",
                  ("text", "image", "history", "notify", "omni", "story"))


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


def _in_order(group: app_commands.Group, order: tuple[str, ...]) -> None:
    """Put the group's subcommands in `order` (names it does not list go last)."""
    children = sorted(group.commands, key=lambda c: order.index(c.name) if c.name in order
                      else len(order))
    for child in children:
        group.remove_command(child.name)
    for child in children:
        group.add_command(child)


class FeatureCog(commands.Cog):
    """A cog that holds one feature (see the module's docstring)."""

    group: ClassVar[GroupSpec | None] = None
    items: ClassVar[tuple[PersistentItem, ...]] = ()

    def __init__(self, bot: commands.Bot | commands.AutoShardedBot) -> None:
        self.bot = bot
        self.moved: list[AnyCommand] = []
        # The feature's message menus: a context menu cannot be a cog member, so the cog adds
        # and removes it with itself.
        self.menus: list[app_commands.ContextMenu] = []

    async def cog_load(self) -> None:
        """Register the items; move the commands into the shared group (before discord.py
        would add them to the tree as top-level commands); add the message menus."""
        self.bot.add_dynamic_items(*self.items)
        for menu in self.menus:
            self.bot.tree.add_command(menu)
        if self.group is None:
            return
        group = shared_group(self.bot.tree, self.group)
        self.moved = list(self.__cog_app_commands__)
        self.__cog_app_commands__ = []
        for command in self.moved:
            group.add_command(command)
        _in_order(group, self.group.order)

    async def cog_unload(self) -> None:
        """Remove the items and this cog's commands from the shared group, and the group itself once
        no cog uses it, so reloading the cog leaves the tree as it was."""
        self.bot.remove_dynamic_items(*self.items)
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)
        if self.group is None:
            return
        group = shared_group(self.bot.tree, self.group)
        for command in self.moved:
            group.remove_command(command.name)
        if not group.commands:
            self.bot.tree.remove_command(group.name)
