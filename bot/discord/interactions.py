"""Small facts about an interaction and the two ways the bot answers one.

Every entry point (slash commands, the context menu, the buttons, the modals) answers a member
the same way: at most one acknowledgement, then private follow-ups, clipped to Discord's limit,
never mentioning anyone.
"""

from __future__ import annotations

import logging

import discord

from bot.discord.i18n.limits import MESSAGE_LIMIT
from bot.discord.i18n.texts import clip
from bot.discord.telemetry import observe_ack

log = logging.getLogger(__name__)


def role_ids(user: discord.abc.User) -> tuple[int, ...]:
    """The member's role ids (none for a user outside a server, e.g. in DMs)."""
    return tuple(role.id for role in getattr(user, "roles", []))


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """A link to a message, for a guild or (without one) a DM."""
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


async def acknowledge(interaction: discord.Interaction) -> None:
    """Defer privately ("thinking"), unless the interaction is answered already.

    Called before any database read on the way to a job: under a burst of commands the reads
    queue behind every other command's reservation, and the acknowledgement must not wait for
    them. An error found after this still reaches the member privately, as the follow-up.
    """
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
        observe_ack(interaction)
