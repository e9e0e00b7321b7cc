"""The message catalogues (`bot/locales/<language>/*.ftl`) as files, without a gateway: every
language has every message with the same variables; no catalogue holds a message the code never
asks for, and the code asks for none the default catalogue lacks; Korean output has no English
left in it; counts read right for 1 and for more in each language."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import get_args

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent_ast
from fluent.syntax.visitor import Visitor

from bot.discord.i18n.command_texts import COMMAND_ID_PREFIX
from bot.discord.i18n.texts import (
    CATALOGUES,
    DEFAULT_LANGUAGE,
    SpanUnit,
    message_id,
    span,
    speaking,
    text,
)
from bot.kling.options import Action
from bot.quotas import LimitSource
from bot.store import JobState

ROOT = Path(__file__).resolve().parents[4]
LOCALES = ROOT / "bot" / "locales"
LANGUAGES = sorted(folder.name for folder in LOCALES.iterdir() if folder.is_dir())
SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")])

Catalogue = dict[str, frozenset[str]]  # message id -> the variables it uses


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: fluent_ast.VariableReference) -> None:
        self.names.add(node.id.name)


def read_catalogue(sources: Iterable[str]) -> Catalogue:
    """Each message of the files' text and the variables it uses, selectors included."""
    found: Catalogue = {}
    for source in sources:
        for entry in FluentParser().parse(source).body:
            assert not isinstance(entry, fluent_ast.Junk), entry.content
            if isinstance(entry, fluent_ast.Message):
                variables = _Variables()
                variables.visit(entry)
                found[entry.id.name] = frozenset(variables.names)
    return found


@functools.cache
def catalogue(language: str) -> Catalogue:
    """The language's messages (its commands.ftl, the slash commands' names and descriptions,
    is checked by test_command_texts.py)."""
    return read_catalogue([(LOCALES / language / "messages.ftl").read_text(encoding="utf-8")])


def differences(reference: Catalogue, other: Catalogue) -> list[str]:
    """What `other` lacks, adds or changes against `reference`, one line per message."""
    problems = [f"{mid}: missing" for mid in sorted(reference.keys() - other.keys())]
    problems += [f"{mid}: not in {DEFAULT_LANGUAGE}" for mid in sorted(other.keys() - reference)]
    problems += [f"{mid}: variables {sorted(other[mid])}, not {sorted(reference[mid])}"
                 for mid in sorted(reference.keys() & other.keys()) if reference[mid] != other[mid]]
    return problems


def test_the_bot_speaks_english_and_korean() -> None:
    assert {"en", "ko"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE])
def test_every_language_has_every_message_with_the_same_variables(language: str) -> None:
    assert differences(catalogue(DEFAULT_LANGUAGE), catalogue(language)) == []


def test_the_comparison_sees_a_missing_message_or_variable() -> None:
    english = read_catalogue(["a = { $n ->\n    [one] one\n   *[other] { $n } x\n }\nb = { $y }\n"
                              "c = { NUMBER($z) } z\n"])
    assert english == {"a": {"n"}, "b": {"y"}, "c": {"z"}}
    assert differences(english, read_catalogue(["a = { $n }개\nb = { $y }\nc = { $z }\n"])) == []
    assert differences(english, read_catalogue(["a = 하나\nc = { $z }\nd = 더\n"])) == [
        "b: missing", "d: not in en", "a: variables [], not ['n']"]


# Which keys the code uses --------------------------------------------------------------------

FAMILIES = ("access", "ack", "alert", "audit", "button", "cancel", "card", "command", "dm",
            "error", "failed", "image", "invalid", "kling", "language", "list", "mod", "modal",
            "permission", "post", "quota", "result", "settings", "span", "status",
            "history", "notify",
            # omni jobs, stories, pending references
            "note", "omni", "references", "video",
            # community moderation
            "filter", "review", "report", "gift", "reward", "rewards")
KEY = re.compile(rf"(?:{'|'.join(FAMILIES)})(?:\.[a-z0-9_]+)+")
# Keys the code builds from a value (`text(f"card.title.{job.action}")`): every value it can be.
DYNAMIC: dict[str, tuple[str, ...]] = {
    "card.title.": get_args(Action),
    "quota.source.": get_args(LimitSource),
    "span.": get_args(SpanUnit),
    "history.state.": tuple(state.value for state in JobState),
}


def keys_in(source: str) -> tuple[set[str], set[str]]:
    """The keys a module names as string literals, and the dynamic families it builds with
    f-strings (as `prefix{}`)."""
    literals: set[str] = set()
    families: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.fullmatch(
                node.value):
            literals.add(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if not (isinstance(head, ast.Constant) and isinstance(head.value, str)
                    and re.match(rf"(?:{'|'.join(FAMILIES)})\.", head.value)):
                continue
            simple = len(node.values) == 2 and isinstance(node.values[1], ast.FormattedValue)
            families.add(head.value + "{}" if simple else ast.unparse(node))
    return literals, families


@functools.cache
def used_ids() -> frozenset[str]:
    literals: set[str] = set()
    families: set[str] = set()
    for path in SOURCES:
        found, built = keys_in(path.read_text(encoding="utf-8"))
        literals |= found
        families |= built
    assert {family.removesuffix("{}") for family in families} == set(DYNAMIC), (
        "a key built from a value: list its values in DYNAMIC", families)
    keys = literals | {prefix + value for prefix, values in DYNAMIC.items() for value in values}
    assert len(keys) > 100, keys  # the patterns still find them
    return frozenset(message_id(key) for key in keys)


def test_the_key_finder_sees_literals_and_built_keys() -> None:
    assert keys_in('text("quota.me"); x = "costs.json"; text(f"card.title.{a}"); f"kling:{b}"\n'
                   'text(f"span.{unit}s")') == (
        {"quota.me"}, {"card.title.{}", "f'span.{unit}s'"})


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalogue_holds_a_message_nobody_uses(language: str) -> None:
    assert sorted(catalogue(language).keys() - used_ids()) == []


def test_every_key_the_code_uses_is_in_the_default_catalogue() -> None:
    assert sorted(used_ids() - catalogue(DEFAULT_LANGUAGE).keys()) == []


# Rendering every message ---------------------------------------------------------------------

# Variables that hold counts, ids and timestamps; the others hold strings (names, markup, or
# sentences made from other messages).
NUMBERS = {"actor", "at", "by", "cap", "cost", "count", "credits", "duration", "eta", "height",
           "jobs", "left", "length", "limit", "minimum", "position", "queued", "rank",
           "remaining", "running", "seconds", "since", "size", "spent", "tick", "user_id",
           "width",
           # omni jobs and stories
           "added", "given", "open", "shot", "total"}
STRINGS = {  # as the code fills them (render.FORMATS, cards, cogs); others get "값"
    "model": "kling-v1-6", "fallback": "kling-v1", "allowed": "`kling-v1`, `kling-v1-6`",
    "mode": "std", "value": "16:9", "name": "cat.png", "kind": "image/gif",
    "reset": "<t:1767250800:R>", "when": "<t:1767250800:R>", "start": "<t:1767250800:f>",
    "end": "<t:1767254400:f>", "channels": "<#5>, <#6>", "target": " <@7>",
    "link": "https://discord.com/channels/1/2/3", "job_id": "abcdef0123", "error_id": "1a2b3c4d",
    "permissions": "**Attach Files**", "action": "block", "new": "blocked", "old": "—",
    "permission": "attach_files",
    # omni jobs and stories
    "cited": "<<<image_3>>>", "citation": "<<<image_1>>>", "expires": "<t:1767250800:R>",
    "lengths": "3 + 2", "reason": "`cat.png` is image/gif.",
}


def sample(mid: str, count: int) -> dict[str, object]:
    """Parameters for the message `mid`: every count is `count`."""
    return {name: count if name in NUMBERS else STRINGS.get(name, "값")
            for name in catalogue(DEFAULT_LANGUAGE)[mid]}


def test_every_variable_has_a_sample() -> None:
    variables = set().union(*catalogue(DEFAULT_LANGUAGE).values())
    assert NUMBERS <= variables and STRINGS.keys() <= variables


MARKUP = re.compile(r"`[^`]*`|<(?:@&?|#|t:)[^>]*>|https?://\S+")
ALLOWED_WORDS = {"Kling", "Discord", "API", "MB", "px", "PNG", "JPEG", "UTC", "ID", "4K",
                 "MP4", "MOV"}


def foreign_words(shown: str, values: Iterable[object]) -> list[str]:
    """Latin-letter words of a Korean sentence, once the placeables' values, code spans and
    Discord markup are taken out, that are not names (Kling, PNG, ...)."""
    for value in sorted((str(v) for v in values), key=len, reverse=True):
        shown = shown.replace(value, " ")
    words = re.findall(r"[A-Za-z][A-Za-z0-9_'-]*", MARKUP.sub(" ", shown))
    return [word for word in words if word not in ALLOWED_WORDS]


def test_the_english_finder_sees_english() -> None:
    assert foreign_words("Cancelled; 크레딧 1개를 `kling-v1` PNG <t:5:R> refunded.", [1]) == [
        "Cancelled", "refunded"]


@pytest.mark.parametrize("count", [1, 2])
def test_no_english_left_in_korean(count: int) -> None:
    left: dict[str, list[str]] = {}
    with speaking("ko"):
        for mid in sorted(catalogue("ko")):
            fields = sample(mid, count)
            words = foreign_words(text(mid, **fields), fields.values())
            if words:
                left[mid] = words
    assert left == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", [1, 2])
def test_every_message_renders_with_its_parameters(language: str, count: int) -> None:
    with speaking(language):
        for mid in sorted(catalogue(language)):
            assert text(mid, **sample(mid, count)).strip(), mid


# Counts --------------------------------------------------------------------------------------

# Each message that shows a number of credits, and the variable that holds it.
CREDITS = {"quota.exceeded": "cost", "quota.server_cap": "cap", "card.settings": "cost",
           "card.credits_left": "left", "card.refunded": "cost", "quota.me": "limit",
           "quota.show": "limit", "quota.usage_line": "credits"}
READS: Mapping[str, Mapping[int, str]] = {
    "en": {1: "1 credit", 2: "2 credits"},
    "ko": {1: "크레딧 1개", 2: "크레딧 2개"},
}


@pytest.mark.parametrize("language", sorted(READS))
@pytest.mark.parametrize("key", sorted(CREDITS))
def test_credits_read_right_for_one_and_for_more(language: str, key: str) -> None:
    with speaking(language):
        for count, reads in READS[language].items():
            shown = text(key, **sample(message_id(key), 3) | {CREDITS[key]: count})
            assert reads in shown, (count, shown)
            assert "1 credits" not in shown


def test_english_counts_agree_with_their_nouns() -> None:
    with speaking("en"):
        for mid in sorted(catalogue("en")):
            one, two = text(mid, **sample(mid, 1)), text(mid, **sample(mid, 2))
            assert not re.search(r"\b1 (credits|jobs|seconds|minutes|hours|characters)\b", one), one
            assert not re.search(r"\b2 (credit|job|second|minute|hour|character)\b", two), two
    with speaking("en"):
        assert text("cancel.done", cost=1) == "Cancelled; your credit was refunded."
        assert text("cancel.done", cost=2) == "Cancelled; your 2 credits were refunded."
        assert text("quota.usage_line", rank=1, user_id=5, credits=1, jobs=1) == (
            "1. <@5>: 1 credit in 1 job")
        assert text("invalid.prompt_long", length=2, limit=1) == (
            "The prompt is 2 characters long; the limit is 1.")


def test_korean_counts_use_counters() -> None:
    with speaking("ko"):
        assert text("cancel.done", cost=1) == "취소했어요. 크레딧 1개를 환불했어요."
        assert text("quota.usage_line", rank=1, user_id=5, credits=2, jobs=2) == (
            "1. <@5>: 크레딧 2개 · 작업 2건")
        assert (span(1), span(45), span(60), span(5400), span(7200)) == (
            "1초", "45초", "1분", "90분", "2시간")
    with speaking("en"):
        assert (span(1), span(2), span(60), span(120), span(3600)) == (
            "1 second", "2 seconds", "1 minute", "2 minutes", "1 hour")


def test_the_catalogues_loaded_are_the_files_read_here() -> None:
    assert CATALOGUES.languages == tuple(LANGUAGES)
    for language in LANGUAGES:
        messages = {mid for mid in CATALOGUES.ids[language]
                    if not mid.startswith(COMMAND_ID_PREFIX)}
        assert messages == catalogue(language).keys()
