"""The base of every persistent button: a `DynamicItem` that says who may press it, checks it
before anything runs, speaks the member's language and answers its own errors privately.

discord.py runs a dynamic item's `interaction_check` and then its `callback` in one task (its
own `examples/views/dynamic_counter.py` pattern), and never passes their errors to the command
tree's handler, so every item needs the same three things, given here once:

- the member's language for the rest of the press (`speak_to_member`, as the tree does for
  commands), so refusals, modals and replies are in it;
- the access rule each item declares in `pressed_by`: `"moderators"` (the staff gate,
  `bot.discord.access.is_staff`), `"owner_or_moderators"` (the staff gate, or the item's own
  rule for who owns it, `may_press_as_member`), or `"anyone"` in the server; a refusal is
  answered with the item's `refused` text and nothing else runs;
- any error of the press (`press`) turned into one private answer (`reply_error`).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Literal

import discord

from bot.discord.access import is_staff
from bot.discord.errors import Refused, reply_error
from bot.discord.i18n.languages import speak_to_member

log = logging.getLogger(__name__)

PressedBy = Literal["owner_or_moderators", "moderators", "anyone"]


# discord.py wants a template on every DynamicItem class: the base's matches no custom id
# (and the base is never registered); each button gives its own.
NO_CUSTOM_ID = r"(?!)"


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NO_CUSTOM_ID):
    """A button that works after any restart, with its access rule checked on every press."""

    pressed_by: ClassVar[PressedBy]
    refused: ClassVar[str] = "mod.only"  # the text a member who may not press it gets
    # Whether the member who pressed is a moderator, once the check asked the staff gate.
    by_staff: bool = False

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Speak the member's language from here on, then let the press through only if the
        item's rule allows this member; a refusal (or a failure while checking) is answered
        here, privately."""
        speak_to_member(interaction)
        try:
            allowed = await self.allows(interaction)
        except Exception as error:
            await reply_error(interaction, error)
            return False
        if not allowed:
            await reply_error(interaction, Refused(self.refused_code()))
        return allowed

    async def allows(self, interaction: discord.Interaction) -> bool:
        """Whether this member may press the button (see the module's docstring)."""
        if self.pressed_by == "anyone":
            return True
        self.by_staff = await is_staff(interaction)
        if self.by_staff:
            return True
        return self.pressed_by == "owner_or_moderators" and await self.may_press_as_member(
            interaction)

    async def may_press_as_member(self, interaction: discord.Interaction) -> bool:
        """For `owner_or_moderators`: whether a member who is not a moderator may press it
        (its owner; an item may raise `Refused` when what it acts on is gone)."""
        return False

    def refused_code(self) -> str:
        """The text a member who may not press it gets."""
        return self.refused

    async def callback(self, interaction: discord.Interaction) -> None:
        """Run the press; its errors are answered privately in the member's language."""
        try:
            await self.press(interaction)
        except Exception as error:
            await reply_error(interaction, error)

    async def press(self, interaction: discord.Interaction) -> None:
        """What the button does, once the member may press it."""
        raise NotImplementedError
