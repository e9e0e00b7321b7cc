"""Every sentence a user reads, from the message catalogues, in the reader's language.

The catalogues are Project Fluent files, one folder per language under `bot/locales/`
(`en/messages.ftl`, `ko/messages.ftl`, ...): a contributor adds a language by adding a folder,
with no code change. Code refers to a message by its key (`invalid.duration`; in the files
dots are dashes, `invalid-duration`, as Fluent ids have no dots) and fills its fields with
`text(key, **fields)`; plural forms and number formatting are the catalogue's business (CLDR
rules: "1 credit", "2 credits", "크레딧 2개"). A missing message or field is a bug that shows up
in tests rather than as a half-formatted message in Discord.

The language is the one in force where the text is made (`speaking(language)`, a context
variable, as Red-DiscordBot does): the member's own locale for private replies, the server's
language for public posts. The core never reads these catalogues: it raises and stores codes
with parameters (`bot.errors`), and `bot.discord.i18n.render` turns them into sentences when shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from importlib.abc import Traversable
from typing import Any, Literal

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import fluent_number
from fluent.syntax import ast as fluent_ast

DEFAULT_LANGUAGE = "en"
_PLACEABLE_LIMIT = 900

# The units `span` words a length of time in; each is a message (`span.second`, ...) whose
# plural selector on `count` reads "1 second" / "2 seconds" / "2초".
SpanUnit = Literal["second", "minute", "hour"]

_language: ContextVar[str] = ContextVar("klingcord_language", default=DEFAULT_LANGUAGE)


def message_id(key: str) -> str:
    """The catalogue id of a code: `invalid.duration` -> `invalid-duration`."""
    return key.replace(".", "-")


class Catalogues:
    """Every language's bundle, loaded once from `bot/locales/<language>/*.ftl`."""

    def __init__(self, bundles: Mapping[str, FluentBundle], ids: Mapping[str, frozenset[str]]
                 ) -> None:
        self.bundles = dict(bundles)
        self.ids = dict(ids)

    @classmethod
    def load(cls, folder: Traversable | None = None) -> Catalogues:
        """Read every language folder; a syntax error in a file stops the bot at start."""
        folder = folder or resources.files("bot").joinpath("locales")
        bundles: dict[str, FluentBundle] = {}
        ids: dict[str, frozenset[str]] = {}
        for language in sorted(entry.name for entry in folder.iterdir() if entry.is_dir()):
            bundle = FluentBundle([language], use_isolating=False)
            found: set[str] = set()
            for file in sorted(folder.joinpath(language).iterdir(), key=lambda f: f.name):
                if not file.name.endswith(".ftl"):
                    continue
                resource = FluentResource(file.read_text(encoding="utf-8"))
                junk = [entry for entry in resource.body if isinstance(entry, fluent_ast.Junk)]
                if junk:
                    raise ValueError(f"{language}/{file.name}: cannot parse {junk[0].content!r}")
                found.update(entry.id.name for entry in resource.body
                             if isinstance(entry, fluent_ast.Message))
                bundle.add_resource(resource)
            bundles[language], ids[language] = bundle, frozenset(found)
        if DEFAULT_LANGUAGE not in bundles:
            raise ValueError(f"no {DEFAULT_LANGUAGE} catalogue in {folder}")
        return cls(bundles, ids)

    @property
    def languages(self) -> tuple[str, ...]:
        """The catalogue languages, as their folders are named (`en`, `ko`)."""
        return tuple(self.bundles)

    def language_for(self, locale: str | None) -> str:
        """The catalogue language for a Discord locale (`ko`, `en-US`, `zh-TW`): the exact one,
        else its base language, else the default."""
        if locale:
            for candidate in (locale, locale.split("-")[0]):
                if candidate in self.bundles:
                    return candidate
        return DEFAULT_LANGUAGE

    def format(self, language: str, key: str, fields: Mapping[str, object]) -> str:
        """The message `key` in `language` (the default language where it has none)."""
        mid = message_id(key)
        if mid not in self.ids.get(language, frozenset()):
            language = DEFAULT_LANGUAGE
        if mid not in self.ids[language]:
            raise KeyError(key)
        bundle = self.bundles[language]
        message = bundle.get_message(mid)
        assert message.value is not None
        arguments, long_values = _arguments(fields)
        result, errors = bundle.format_pattern(message.value, arguments)
        if errors:
            raise KeyError(f"{key}: {errors[0]}")
        text = str(result)
        for marker, value in long_values.items():
            text = text.replace(marker, value)
        return text


def _arguments(fields: Mapping[str, object]) -> tuple[dict[str, Any], dict[str, str]]:
    """Fluent takes strings and numbers. Numbers go in without digit grouping: many are names,
    not quantities (ids inside mentions, timestamps inside `<t:...>`), and "2500" reads as well
    as "2,500"; plural selection works on them all the same. fluent.runtime refuses a long
    placeable (a guard against expansion attacks in catalogues), so a long value (a prompt,
    Kling's message, a list) goes in as a short marker that is swapped back after formatting;
    the Discord layer clips the result to Discord's limits as before."""
    arguments: dict[str, Any] = {}
    long_values: dict[str, str] = {}
    for name, value in fields.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            arguments[name] = fluent_number(value, useGrouping=False)
            continue
        shown = "" if value is None else str(value)
        if len(shown) > _PLACEABLE_LIMIT:
            marker = f"\x00{len(long_values)}\x00"
            long_values[marker] = shown
            shown = marker
        arguments[name] = shown
    return arguments, long_values


CATALOGUES = Catalogues.load()


def language_for(locale: object) -> str:
    """The catalogue language for a Discord locale (a `discord.Locale` or its string)."""
    return CATALOGUES.language_for(str(locale) if locale is not None else None)


def has_text(key: str) -> bool:
    """Whether the default catalogue has a message for `key` (every language falls back to it)."""
    return message_id(key) in CATALOGUES.ids[DEFAULT_LANGUAGE]


def current_language() -> str:
    """The language `text` renders in here: set by `speaking`, else the default."""
    return _language.get()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Make texts in `language` inside the block (and in tasks started there)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def keep_speaking(language: str) -> None:
    """Make texts in `language` from here to the end of the current task (and in the tasks
    it starts). For an entry point with no block to wrap: discord.py's command tree calls its
    `interaction_check` in the interaction's own task and then, in that same task, the command
    and the error handler; a context variable set in an awaited coroutine stays set for them."""
    _language.set(language)


def clip(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters, with an ellipsis where it was cut.

    Free text (reasons, prompts, Kling's messages) is echoed inside fixed sentences, and
    Discord refuses a whole message (400) when any part of it is one character too long.
    """
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"


def text(key: str, **fields: object) -> str:
    """The user-facing sentence for `key`, with `fields` filled in, in the language in force."""
    return CATALOGUES.format(current_language(), key, fields)


def span(seconds: float) -> str:
    """A length of time in words, as a member reads it: seconds under a minute (never
    "within 0 minutes"), whole hours when it is a whole number of hours, else minutes."""
    unit: SpanUnit
    if seconds < 60:
        count, unit = max(1, math.ceil(seconds)), "second"
    elif seconds % 3600 == 0:
        count, unit = int(seconds // 3600), "hour"
    else:
        count, unit = max(1, round(seconds / 60)), "minute"
    return text(f"span.{unit}", count=count)
