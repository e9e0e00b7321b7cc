"""The member's pending omni references in Discord: the private list the "Use as reference"
menu answers with, and its Clear button.

The button is a persistent button (`bot.discord.ui.base`) with a fixed custom id
(`kling:refs-clear`): anyone may press it, and it clears the set of whoever does (the list is
private, so that is its owner); it keeps working after a restart, as the set itself does (it
is in the store).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.discord.i18n.limits import MESSAGE_LIMIT
from bot.discord.i18n.texts import clip, text
from bot.discord.services import services_of
from bot.discord.ui.base import PersistentButton
from bot.kling.omni import citation
from bot.store import PendingReference

log = logging.getLogger(__name__)

CLEAR_ID = "kling:refs-clear"


def reference_lines(pending: list[PendingReference]) -> list[str]:
    """One line per pending image: how a prompt cites it when no image is attached to
    /video omni, its name, and when it is dropped."""
    return [text("references.item", citation=citation(number), name=ref.filename,
                 expires=f"<t:{int(ref.expires_at)}:R>")
            for number, ref in enumerate(pending, 1)]


def reference_list(pending: list[PendingReference], *, added: int, left_out: int,
                   skipped: list[str], limit: int) -> str:
    """The private answer to "Use as reference": what happened, then the set as it is now."""
    lines = [text("references.added", added=added, count=len(pending))]
    if left_out:
        lines.append(text("references.left_out", count=left_out, limit=limit))
    lines += [text("references.skipped", reason=reason) for reason in skipped]
    lines += reference_lines(pending)
    if pending:
        lines.append(text("references.how"))
    return clip("\n".join(lines), MESSAGE_LIMIT)


class ClearReferencesButton(PersistentButton, template=re.escape(CLEAR_ID)):
    """Forget the presser's pending references."""

    pressed_by = "anyone"

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label=text("references.clear"),
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=CLEAR_ID))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]
                             ) -> ClearReferencesButton:
        """Rebuild the button from its custom id after a restart (it carries no id of its own)."""
        return cls()

    async def press(self, interaction: discord.Interaction) -> None:
        """Forget the presser's references and replace the list message with a short
        confirmation."""
        await services_of(interaction).references.clear(interaction.guild_id or 0,
                                                        interaction.user.id)
        await interaction.response.edit_message(content=text("references.cleared"), view=None)


def clear_view() -> discord.ui.View:
    """A view holding only the Clear button, to go under the references list."""
    view = discord.ui.View(timeout=None)
    view.add_item(ClearReferencesButton())
    return view
