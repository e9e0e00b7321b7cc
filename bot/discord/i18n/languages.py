"""Which language each text is made in: the member's own for what only they see, the server's
for what everyone sees.

- Private replies (confirmations, refusals, errors, modals) follow `interaction.locale`, the
  language of the member's Discord client. Every entry point sets it before it renders anything:
  the command tree's `interaction_check` for the rest of the command's task (`speak_to_member`),
  the buttons and modals around their callbacks (`speaking_to`).
- Public posts (cards, thread messages, results, failure notices, the log channel) follow the
  server's `language` setting; `auto` (the default) is the server's Discord language: its
  `preferred_locale` from the cache, else the `guild_locale` its interactions carried, else
  the guild fetched by REST (a server another shard owns). The notifier wraps each post in
  `speaking(await languages.of(guild_id))`.

Stored codes (a failed job's reason, an audit entry) are rendered when shown, so each reader
gets them in the language of the place they are shown in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import discord

from bot.discord.i18n.texts import (
    CATALOGUES,
    DEFAULT_LANGUAGE,
    keep_speaking,
    language_for,
    message_id,
    speaking,
)
from bot.guild_settings import AUTO_LANGUAGE, GuildSettings, load_guild_settings
from bot.store import SettingsStore

log = logging.getLogger(__name__)

GUILD_CACHE_SECONDS = 600.0  # a server's boost tier and language rarely change


def member_language(interaction: discord.Interaction) -> str:
    """The catalogue language of the member who used `interaction`."""
    return language_for(interaction.locale)


def speaking_to(interaction: discord.Interaction) -> AbstractContextManager[None]:
    """Texts in the member's language inside the block (a button's or a modal's callback);
    the server's locale the interaction carries is noted for the server's public posts."""
    _note_server_locale(interaction)
    return speaking(member_language(interaction))


def speak_to_member(interaction: discord.Interaction) -> None:
    """Texts in the member's language for the rest of the interaction's task: for the command
    tree's `interaction_check`, after which discord.py runs the command and its error handler
    in the same task (`CommandTree._from_interaction` makes one task per interaction)."""
    _note_server_locale(interaction)
    keep_speaking(member_language(interaction))


def language_choices() -> list[tuple[str, str]]:
    """(name, value) of each choice of the server setting: `auto`, then every catalogue
    language, named in itself (its catalogue's `language.name`; a catalogue without one is
    named by its code). A language folder added to `bot/locales` shows up here by itself."""
    choices = [("auto (the server's Discord language)", AUTO_LANGUAGE)]
    for language in CATALOGUES.languages:
        named = message_id("language.name") in CATALOGUES.ids[language]
        name = CATALOGUES.format(language, "language.name", {}) if named else language
        choices.append((f"{name} ({language})", language))
    return choices


def _note_server_locale(interaction: discord.Interaction) -> None:
    languages = getattr(interaction.client, "languages", None)
    if isinstance(languages, ServerLanguages):
        languages.note(interaction)


class GuildFacts:
    """A server as the bot knows it: from the cache, or, for a server another shard (process)
    owns, fetched by REST once and remembered for a while."""

    def __init__(self, client: discord.Client, *, ttl: float = GUILD_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.ttl = ttl
        self.clock = clock
        self._fetched: dict[int, tuple[discord.Guild, float]] = {}
        self._locales: dict[int, tuple[str, float]] = {}

    async def guild(self, guild_id: int) -> discord.Guild | None:
        """The server, or None when Discord cannot say (the next call asks again)."""
        cached = self.client.get_guild(guild_id)
        if cached is not None:
            return cached
        known = self._fetched.get(guild_id)
        if known is not None and self.clock() - known[1] < self.ttl:
            return known[0]
        try:
            fetched = await self.client.fetch_guild(guild_id)
        except discord.HTTPException as exc:
            log.warning("Could not fetch guild %s (%s)", guild_id, exc.status)
            return None
        self._fetched[guild_id] = (fetched, self.clock())
        return fetched

    def note_locale(self, guild_id: int, locale: str) -> None:
        """The server's locale as one of its interactions carried it (`guild_locale`)."""
        self._locales[guild_id] = (locale, self.clock())

    async def locale(self, guild_id: int) -> str | None:
        """The server's Discord language (`preferred_locale`)."""
        cached = self.client.get_guild(guild_id)
        if cached is not None:
            return str(cached.preferred_locale)
        noted = self._locales.get(guild_id)
        if noted is not None and self.clock() - noted[1] < self.ttl:
            return noted[0]
        guild = await self.guild(guild_id)
        return str(guild.preferred_locale) if guild is not None else None


class ServerLanguages:
    """The language of each server's public posts."""

    def __init__(self, store: SettingsStore, guilds: GuildFacts) -> None:
        self.store = store
        self.guilds = guilds

    def note(self, interaction: discord.Interaction) -> None:
        """Remember the server locale an interaction carries, for a server not in the cache."""
        if interaction.guild_id is not None and interaction.guild_locale is not None:
            self.guilds.note_locale(interaction.guild_id, str(interaction.guild_locale))

    async def of(self, guild_id: int | None, settings: GuildSettings | None = None) -> str:
        """The server's chosen language, or its Discord language under `auto` (and for a
        language whose catalogue is gone); the default language outside a server."""
        if guild_id is None:
            return DEFAULT_LANGUAGE
        if settings is None:
            settings = await load_guild_settings(self.store, guild_id)
        if settings.language != AUTO_LANGUAGE and settings.language in CATALOGUES.languages:
            return settings.language
        return language_for(await self.guilds.locale(guild_id))
