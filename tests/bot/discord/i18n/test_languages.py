"""Which language a server's public posts are in (`bot.discord.i18n.languages`), without a gateway:
the setting, `auto` from the cache, from an interaction, or from Discord by REST (once, then
remembered a while), and the choices /klingbot settings offers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord

from bot.discord.i18n.languages import GuildFacts, ServerLanguages, language_choices
from bot.discord.i18n.texts import CATALOGUES, speaking
from bot.discord.posting.cards import result_footer
from bot.discord.posting.result_search import is_result_of
from bot.guild_settings import GuildSettings

GUILD = 10


class SettingsStore:
    def __init__(self, rows: dict[str, Any] | None = None) -> None:
        self.rows = rows or {}

    async def guild_settings(self, guild_id: int) -> dict[str, Any]:
        return dict(self.rows)


class Client:
    """A client whose cache holds `cached`; other guilds are fetched (and counted)."""

    def __init__(self, cached: dict[int, str] | None = None, remote: str | None = "ko") -> None:
        self.cached = cached or {}
        self.remote = remote
        self.fetches = 0

    def get_guild(self, guild_id: int) -> Any:
        locale = self.cached.get(guild_id)
        return None if locale is None else SimpleNamespace(preferred_locale=locale)

    async def fetch_guild(self, guild_id: int) -> Any:
        self.fetches += 1
        if self.remote is None:
            raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "gone")
        return SimpleNamespace(preferred_locale=self.remote, filesize_limit=50)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def languages(client: Client, rows: dict[str, Any] | None = None, clock: Clock | None = None
              ) -> ServerLanguages:
    facts = GuildFacts(client, clock=clock or Clock())  # type: ignore[arg-type]
    return ServerLanguages(SettingsStore(rows), facts)  # type: ignore[arg-type]


async def test_a_chosen_language_wins_over_the_servers_discord_language() -> None:
    chosen = languages(Client({GUILD: "en-US"}), {"language": "ko"})
    assert await chosen.of(GUILD) == "ko"
    assert await chosen.of(GUILD, GuildSettings(language="en")) == "en"
    assert await chosen.of(None) == "en"  # no server: the default


async def test_auto_is_the_servers_discord_language_from_the_cache() -> None:
    assert await languages(Client({GUILD: "ko"})).of(GUILD) == "ko"
    assert await languages(Client({GUILD: "en-GB"})).of(GUILD) == "en"
    assert await languages(Client({GUILD: "pt-BR"})).of(GUILD) == "en"  # no catalogue: default
    # A language whose catalogue is gone is taken as auto.
    assert await languages(Client({GUILD: "ko"}), {"language": "xx"}).of(GUILD) == "ko"


async def test_a_server_another_shard_owns_is_fetched_once_and_remembered_a_while() -> None:
    client, clock = Client(remote="ko"), Clock()
    server = languages(client, clock=clock)
    assert [await server.of(GUILD) for _ in range(3)] == ["ko"] * 3
    assert client.fetches == 1
    assert await server.guilds.guild(GUILD) is not None and client.fetches == 1
    clock.now += server.guilds.ttl
    assert await server.of(GUILD) == "ko" and client.fetches == 2
    # Discord cannot say: the default, and the next post asks again.
    lost = Client(remote=None)
    server = languages(lost)
    assert await server.of(GUILD) == "en" and await server.of(GUILD) == "en"
    assert lost.fetches == 2


async def test_an_interactions_guild_locale_saves_the_fetch() -> None:
    client = Client(remote="en-US")
    server = languages(client)
    server.note(SimpleNamespace(guild_id=GUILD, guild_locale=discord.Locale.korean))  # type: ignore[arg-type]
    assert await server.of(GUILD) == "ko" and client.fetches == 0


def test_the_setting_offers_auto_and_every_catalogue_language_named_in_itself() -> None:
    choices = language_choices()
    assert [value for _, value in choices] == ["auto", *CATALOGUES.languages]
    names = dict((value, name) for name, value in choices)
    assert names["en"] == "English (en)"
    assert "ko" in names and names["ko"].endswith("(ko)") and names["ko"] != "ko (ko)"


def test_a_result_is_recognised_by_its_footer_in_any_language() -> None:
    for language in CATALOGUES.languages:
        with speaking(language):
            footer = result_footer("abc")
        message = SimpleNamespace(embeds=[SimpleNamespace(footer=SimpleNamespace(text=footer))],
                                  components=[])
        assert is_result_of(message, "abc"), language  # type: ignore[arg-type]
        assert not is_result_of(message, "abd")  # type: ignore[arg-type]
