"""Reading a synced command payload (as discord.py sends it, or as the fake Discord stored it)
for its localisations: used by the fast translation tests and the Discord-level one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CHAT_INPUT = 1


@dataclass(frozen=True)
class Localisation:
    """One string a member reads in the command picker, and its text in one locale."""

    where: str  # "/quota set credits", "menu Animate with Kling", "/video text mode: Standard"
    kind: str  # "name", "description", "menu name" or "choice name"
    english: str
    text: str | None  # None: not localised


def localisations(commands: list[dict[str, Any]], locale: str) -> Iterator[Localisation]:
    """Every name and description of every command, subcommand, option and choice, and the
    message menus' names, with its `locale` text."""
    for command in commands:
        if command.get("type", CHAT_INPUT) == CHAT_INPUT:
            yield from _entry(command, f"/{command['name']}", locale)
        else:
            yield _one(command, f"menu {command['name']}", "menu name", "name", locale)


def _entry(entry: dict[str, Any], where: str, locale: str) -> Iterator[Localisation]:
    yield _one(entry, where, "name", "name", locale)
    yield _one(entry, where, "description", "description", locale)
    for choice in entry.get("choices") or []:
        yield _one(choice, f"{where}: {choice['name']}", "choice name", "name", locale)
    for option in entry.get("options") or []:
        yield from _entry(option, f"{where} {option['name']}", locale)


def _one(entry: dict[str, Any], where: str, kind: str, field: str, locale: str
         ) -> Localisation:
    text = (entry.get(f"{field}_localizations") or {}).get(locale)
    return Localisation(where, kind, entry[field], text)


def without_localisations(value: Any) -> Any:
    """The payload with every `*_localizations` key taken out: what English members get."""
    if isinstance(value, list):
        return [without_localisations(v) for v in value]
    if isinstance(value, dict):
        return {k: without_localisations(v) for k, v in value.items()
                if not k.endswith("_localizations")}
    return value


def sibling_names(commands: list[dict[str, Any]], locale: str) -> Iterator[tuple[str, list[str]]]:
    """The names members of `locale` see side by side: the slash commands, the subcommands of
    each, the options of each (a localised name, else the English one)."""
    def shown(entries: list[dict[str, Any]]) -> list[str]:
        return [(e.get("name_localizations") or {}).get(locale, e["name"]) for e in entries]

    def walk(entry: dict[str, Any], where: str) -> Iterator[tuple[str, list[str]]]:
        options = entry.get("options") or []
        if options:
            yield where, shown(options)
        for option in options:
            yield from walk(option, f"{where} {option['name']}")

    slash = [c for c in commands if c.get("type", CHAT_INPUT) == CHAT_INPUT]
    yield "/", shown(slash)
    for command in slash:
        yield from walk(command, f"/{command['name']}")
