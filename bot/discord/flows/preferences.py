"""A member's own settings, set with a command: `/video notify on|off`.

The language the member used when turning notices on is kept with the setting: a direct
message is sent long after the command, with no interaction to read a locale from.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.discord.i18n.languages import member_language
from bot.discord.i18n.texts import text
from bot.discord.interactions import send_ephemeral
from bot.store import MemberPreferences, SettingsStore

log = logging.getLogger(__name__)


async def set_notify(store: SettingsStore, interaction: discord.Interaction[Any], on: bool) -> None:
    """Turn the member's direct-message notices on or off in this server, and say so."""
    assert interaction.guild_id is not None  # /video is guild-only
    await store.set_member_preferences(
        interaction.guild_id, interaction.user.id,
        MemberPreferences(notify_dm=on, language=member_language(interaction)))
    await send_ephemeral(interaction, text("notify.on" if on else "notify.off"))
