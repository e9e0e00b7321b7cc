"""The commands' own words in every catalogue language: names and descriptions of the slash
commands, their options and choices, and the message menu, through discord.py's
`app_commands.Translator` (set on the tree in `setup_hook`, used by `tree.sync()`).

English is the code's default: it is what is synced as `name` and `description`, and what
Discord sends back when a member runs a command, so the cogs keep writing plain English. Every
other catalogue language (`bot/locales/<language>/commands.ftl`) is synced as
`name_localizations` / `description_localizations` for the Discord locales it serves (`ko` for
`ko`; a folder `es` would serve `es-ES` and `es-419`), which Discord shows to members whose
client is in that language.

A string's catalogue id is derived from where it sits, so no cog names ids and a missing one
is easy to find (the sync logs it; the tests name it):

    /video text                        cmd-video-text                (`.description` too)
    /video text, option aspect_ratio   cmd-video-text-aspect_ratio   (`.description` too)
    message menu "Animate with Kling"  cmd-menu-animate-with-kling
    choice "this period"               cmd-choice-this-period        (from its English name)

A choice made from data carries its id and fields (`seconds_choice`: `cmd-choice-seconds`
with `$seconds`), and a name that reads the same in every language (a model label, `16:9`) is
marked `verbatim`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice, TranslationContextLocation, locale_str

from bot.discord.i18n.texts import DEFAULT_LANGUAGE, Catalogues

log = logging.getLogger(__name__)

# Every command string's id starts so: they share the language folders with the messages.
COMMAND_ID_PREFIX = "cmd-"
Location = TranslationContextLocation
NAME_LOCATIONS = (Location.command_name, Location.group_name, Location.parameter_name)
DESCRIPTION_LOCATIONS = (Location.command_description, Location.group_description,
                         Location.parameter_description)
_RESERVED_EXTRAS = ("key", "verbatim")


def seconds_choice(seconds: int) -> Choice[int]:
    """A duration choice, "5 seconds", with its words in every language from one message."""
    return Choice(name=locale_str(f"{seconds} seconds", key="cmd-choice-seconds",
                                  seconds=seconds), value=seconds)


def verbatim(name: str) -> locale_str:
    """A name that reads the same in every language (a model's label, an aspect ratio)."""
    return locale_str(name, verbatim=True)


def _slug(english: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")


def _command_id(command: Any) -> str:
    """`cmd-` and the command's full name with dashes (`cmd-quota-set`); a context menu's
    name may hold spaces and capitals, so it is slugged (`cmd-menu-animate-with-kling`)."""
    if isinstance(command, app_commands.ContextMenu):
        return f"{COMMAND_ID_PREFIX}menu-{_slug(command.name)}"
    return COMMAND_ID_PREFIX + re.sub(r"[^A-Za-z0-9_-]+", "-", command.qualified_name)


def string_id(string: locale_str, context: app_commands.TranslationContextTypes
              ) -> tuple[str, str | None]:
    """The catalogue message that holds `string`, and its attribute (None: the value)."""
    key = string.extras.get("key")
    if key:
        return str(key), None
    location, data = context.location, context.data
    attribute = "description" if location in DESCRIPTION_LOCATIONS else None
    if isinstance(data, app_commands.Parameter):
        return f"{_command_id(data.command)}-{data.display_name}", attribute
    if isinstance(data, app_commands.Command | app_commands.Group | app_commands.ContextMenu):
        return _command_id(data), attribute
    if location is Location.choice_name:
        return f"{COMMAND_ID_PREFIX}choice-{_slug(string.message)}", None
    return COMMAND_ID_PREFIX + _slug(string.message), None


def shown_id(message: str, attribute: str | None) -> str:
    """How an id is written in the catalogue and in logs: `cmd-video-text.description`."""
    return f"{message}.{attribute}" if attribute else message


def served_locales(catalogues: Catalogues) -> dict[discord.Locale, str]:
    """Every Discord locale a catalogue language serves, as replies choose it
    (`Catalogues.language_for`): the exact folder, else its base language. English is the
    default, synced as the plain name and description, not as a localisation."""
    served: dict[discord.Locale, str] = {}
    for locale in discord.Locale:
        language = catalogues.language_for(locale.value)
        if language != DEFAULT_LANGUAGE:
            served[locale] = language
    return served


def valid_name(name: str, *, chat_input: bool) -> bool:
    """Discord's rule for a localised command or option name: 1-32 characters; for slash
    commands and options `^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`, in lower case
    where the script has case (message menus may hold spaces and capitals)."""
    if not 1 <= len(name) <= 32:
        return False
    if not chat_input:
        return True
    return name == name.lower() and all(_name_character(c) for c in name)


def _name_character(character: str) -> bool:
    code = ord(character)
    return (character in "-_'" or unicodedata.category(character)[0] in "LN"
            or 0x0900 <= code <= 0x097F or 0x0E00 <= code <= 0x0E7F)  # Devanagari, Thai


def fits(text: str, location: Location, data: Any) -> bool:
    """Whether Discord takes `text` where it goes: a name by the naming rule, a description
    or a choice name by its length (1-100)."""
    if location in NAME_LOCATIONS:
        return valid_name(text, chat_input=not isinstance(data, app_commands.ContextMenu))
    return 1 <= len(text) <= 100


class CommandTranslator(app_commands.Translator):
    """Serves each catalogue language's command strings to `tree.sync()`.

    A string the catalogue lacks, or one Discord would refuse (a name with a space), is left
    out, so Discord shows the English one there; it is logged once and kept in `problems`
    (id -> why), which the tests require to stay empty. One bad translation never costs the
    whole sync, which Discord refuses as a block."""

    def __init__(self, catalogues: Catalogues) -> None:
        self.catalogues = catalogues
        self.locales = served_locales(catalogues)
        self.problems: dict[tuple[str, str], str] = {}

    async def load(self) -> None:
        """Log which languages the command names are served in (discord.py calls it when the
        translator is set)."""
        served = sorted(locale.value for locale in self.locales)
        log.info("Command names and descriptions localised for %s", ", ".join(served) or "none")

    async def translate(self, string: locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        """The command string in `locale`, or None to let Discord show the English one (no catalogue
        for the locale, no text, or a text Discord would refuse)."""
        language = self.locales.get(locale)
        if language is None:
            return None
        if string.extras.get("verbatim"):
            return string.message
        message, attribute = string_id(string, context)
        fields = {k: v for k, v in string.extras.items() if k not in _RESERVED_EXTRAS}
        found, why = self.lookup(language, message, attribute, fields)
        if found is not None and not fits(found, context.location, context.data):
            found, why = None, f"Discord would refuse {found!r}"
        if found is None:
            self._report(language, shown_id(message, attribute), why, string.message)
        return found

    def lookup(self, language: str, message: str, attribute: str | None,
               fields: dict[str, Any]) -> tuple[str | None, str]:
        """The text of `message` (or its `attribute`) in `language`, with no fallback to
        English: Discord falls back by itself. Otherwise None and why."""
        if message not in self.catalogues.ids.get(language, frozenset()):
            return None, "missing"
        bundle = self.catalogues.bundles[language]
        entry = bundle.get_message(message)
        pattern = entry.attributes.get(attribute) if attribute else entry.value
        if pattern is None:
            return None, "missing"
        text, errors = bundle.format_pattern(pattern, fields)
        if errors:
            return None, str(errors[0])
        return str(text), ""

    def _report(self, language: str, shown: str, why: str, english: str) -> None:
        if (language, shown) in self.problems:
            return
        self.problems[(language, shown)] = why
        log.warning("Command text %s in %s: %s; Discord shows %r there", shown, language, why,
                    english)
