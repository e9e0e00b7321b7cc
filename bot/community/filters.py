"""Prompt filters: the words and patterns a server refuses in prompts.

A rule is a plain word by default, or an opt-in regular expression.

- Both sides are read the same way (`bot.community.filter_text`): invisible characters removed,
  NFKC, case-folded, look-alikes folded (Unicode TR39), so `ＦＯＸ`, `Fox`, `fo\u200bx` and a
  `fox` with a Cyrillic `о` are one word.
- A plain word in a script that separates words with spaces (Latin, Cyrillic, Greek...)
  matches whole words only (`cat` does not refuse `concatenate`): it must not have a letter
  or digit right before or after it.
- A plain word with any character of Hangul, CJK ideographs, kana, Thai, Lao, Khmer or
  Myanmar matches anywhere, as a substring: Korean attaches particles to the noun
  (`고양이가`, `고양이를`), Japanese and Chinese write no spaces at all, so a word boundary
  would let every inflected use through. The price (a short Korean rule can refuse a longer
  word that contains it) is the server's to weigh when it picks its words.
- A regular expression (opt-in, case-insensitive) is checked when it is added: at most
  `PATTERN_LIMIT` characters, it must compile, and it may hold no construct that makes
  matching blow up on a crafted prompt: no backreferences, and no repeat (`*`, `+`, `{n,}`)
  of something that itself repeats or holds alternatives (`(a+)+`, `(a|ab)*`); and it is
  measured against worst-case prompts (`bot.community.filter_speed`), since plain repeats
  side by side (`\\w+\\w+\\w+\\d`) pass the shape check and are still slow.
- What passes that check can still be slow-ish (`[a-z]+@` is quadratic on a long run of
  letters: 40 ms with `re` on a 2,500-character prompt, per rule), so patterns are matched
  with the `regex` library (mrab-regex, the long-kept alternative to `re`, which can stop a
  match at a deadline) under one time budget per request (`CHECK_BUDGET`), with the
  interpreter lock released (`concurrent=True`): checks run on their own bounded pool
  (`bot.community.filter_checks`), one server's beside another's, never on the event loop.
  A check that runs out of budget refuses the prompt (`filter.too_slow`, nothing charged)
  and logs the rule for the operator: a filter that could not finish must not wave the
  prompt through.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

# The parser behind `re` (Python 3.11+; `sre_parse` before): reads a pattern's structure.
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import regex

from bot.clock import Clock
from bot.community.filter_checks import FilterChecks
from bot.community.filter_speed import too_slow
from bot.community.filter_text import folded, folded_beyond_ascii, readable
from bot.errors import DomainError
from bot.moderation import Moderation
from bot.store import AuditEntry, CommunityStore, FilterRow

log = logging.getLogger(__name__)

PATTERN_LIMIT = 200
# Seconds all of a request's patterns together may take to check its texts.
CHECK_BUDGET = 0.25
WORD_LIMIT = 100
RULES_LIMIT = 100
# Scripts whose words are not separated by spaces, or carry attached particles: matched as
# substrings (see the module's docstring). Unicode character names start with these.
SUBSTRING_SCRIPTS = ("HANGUL", "CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER",
                     "MYANMAR")

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
if _POSSESSIVE is not None:
    _REPEATS.add(_POSSESSIVE)


class FilterError(DomainError):
    """A rule that cannot be added: `filter.regex_long`, `filter.word_long`,
    `filter.regex_invalid` (with `error`), `filter.regex_unsafe`, `filter.regex_slow`
    (measured too slow on a long prompt), `filter.too_many`,
    `filter.exists`; or removed: `filter.unknown`."""


class FilterTooSlow(DomainError):
    """The server's patterns could not check the prompt within the budget: refused."""

    def __init__(self) -> None:
        super().__init__("filter.too_slow", {})


class PromptRefused(DomainError):
    """A prompt broke one of the server's filters; `rule` names that one rule (and `field`
    which text broke it: prompt or negative_prompt)."""

    def __init__(self, rule: str, is_regex: bool, field: str) -> None:
        super().__init__("filter.refused", {"rule": f"/{rule}/" if is_regex else rule,
                                            "kind": "pattern" if is_regex else "word",
                                            "field": field})


def substring_script(word: str) -> bool:
    """Whether a plain word is matched as a substring (a script without spaces between
    words, or with particles attached)."""
    return any(unicodedata.name(ch, "").startswith(SUBSTRING_SCRIPTS) for ch in word)


def _unsafe(parsed: Iterable[tuple[Any, Any]], inside_repeat: bool = False) -> bool:
    """True when the parsed pattern holds a backreference, or a repeat (unbounded or
    large) of something that repeats or branches."""
    for op, arg in parsed:
        if op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
            return True
        if op in _REPEATS:
            _low, high, body = arg
            if inside_repeat:
                return True
            if _unsafe(body, inside_repeat=high == sre_constants.MAXREPEAT or high > 10):
                return True
        elif op is sre_constants.BRANCH:
            if inside_repeat:
                return True
            for branch in arg[1]:
                if _unsafe(branch, inside_repeat):
                    return True
        elif op is sre_constants.SUBPATTERN:
            if _unsafe(arg[-1], inside_repeat):
                return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            if _unsafe(arg[1], inside_repeat):
                return True
    return False


def check_rule(pattern: str, is_regex: bool) -> str:
    """The rule as it is kept (trimmed), or `FilterError` saying why it cannot be. Blocking
    for a pattern (it is measured): run it on the filter pool."""
    pattern = pattern.strip()
    if not is_regex:
        if not pattern or len(pattern) > WORD_LIMIT:
            raise FilterError("filter.word_long", {"limit": WORD_LIMIT})
        return pattern
    if not pattern or len(pattern) > PATTERN_LIMIT:
        raise FilterError("filter.regex_long", {"limit": PATTERN_LIMIT})
    try:
        parsed = sre_parse.parse(folded_beyond_ascii(pattern), re.IGNORECASE)
        compiled = _compiled_pattern(pattern)
    except (re.error, regex.error) as exc:
        raise FilterError("filter.regex_invalid", {"error": str(exc)}) from None
    if _unsafe(parsed):
        raise FilterError("filter.regex_unsafe", {})
    if too_slow(compiled, pattern):
        raise FilterError("filter.regex_slow", {})
    return pattern


@lru_cache(maxsize=4096)
def _compiled_word(word: str) -> re.Pattern[str]:
    escaped = re.escape(folded(word))
    if substring_script(word):
        return re.compile(escaped)
    return re.compile(rf"(?<![\w]){escaped}(?![\w])")


@lru_cache(maxsize=4096)
def _compiled_pattern(pattern: str) -> Any:
    return regex.compile(folded_beyond_ascii(pattern), regex.IGNORECASE | regex.V0)


def broken_rule(rules: Iterable[FilterRow], text: str, *, budget: float = CHECK_BUDGET
                ) -> FilterRow | None:
    """The first rule `text` breaks, or None; `FilterTooSlow` when the patterns could not
    be checked within `budget` seconds. Blocking: run it on the filter pool. Words are
    looked for in the folded text; patterns in the text as written and folded."""
    plain, beyond = readable(text), folded_beyond_ascii(text)
    words, forms = folded(text), (plain,) if beyond == plain else (plain, beyond)
    deadline = time.monotonic() + budget
    for rule in rules:
        if not rule.is_regex:
            if _compiled_word(rule.pattern).search(words):
                return rule
            continue
        try:
            if _found(_compiled_pattern(rule.pattern), forms, deadline):
                return rule
        except TimeoutError:
            log.warning("A prompt filter pattern ran out of time (%s): /%s/", budget,
                        rule.pattern)
            raise FilterTooSlow() from None
    return None


def _found(compiled: Any, forms: Sequence[str], deadline: float) -> bool:
    """Whether the pattern matches one of the text's forms before the deadline."""
    for form in forms:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        if compiled.search(form, timeout=left, concurrent=True):
            return True
    return False


def check_texts(rules: list[FilterRow], texts: Iterable[tuple[str, str | None]]) -> None:
    """Raise `PromptRefused` for the first text that breaks a rule."""
    if not rules:
        return
    for field, value in texts:
        if not value:
            continue
        rule = broken_rule(rules, value)
        if rule is not None:
            raise PromptRefused(rule.pattern, rule.is_regex, field)


async def check_prompt(checks: FilterChecks, store: CommunityStore, guild_id: int | None,
                       texts: Iterable[tuple[str, str | None]]) -> None:
    """Refuse (`PromptRefused`, `FilterTooSlow`) a request whose texts break one of the
    server's rules; the matching runs on the filter pool in the server's turn, off the event
    loop."""
    if guild_id is None:
        return
    rules = await store.prompt_filters(guild_id)
    if rules:
        await checks.run(guild_id, check_texts, rules, list(texts))


class PromptFilters:
    """A server's filters: added and removed by moderators (audited), read before every
    reservation."""

    def __init__(self, store: CommunityStore, moderation: Moderation, clock: Clock,
                 checks: FilterChecks) -> None:
        self.store = store
        self.checks = checks
        self.moderation = moderation
        self.clock = clock

    async def rules(self, guild_id: int | None) -> list[FilterRow]:
        """The server's rules, oldest first; none outside a server."""
        return [] if guild_id is None else await self.store.prompt_filters(guild_id)

    async def add(self, guild_id: int, actor_id: int, pattern: str, is_regex: bool
                  ) -> AuditEntry:
        """Check and add a rule, and audit it. Raises `FilterError` for an unusable pattern, a full
        list (`RULES_LIMIT`) or a rule already there."""
        kept = await self.checks.run(guild_id, check_rule, pattern, is_regex)
        if len(await self.rules(guild_id)) >= RULES_LIMIT:
            raise FilterError("filter.too_many", {"limit": RULES_LIMIT})
        if not await self.store.add_prompt_filter(
                guild_id, FilterRow(kept, is_regex, actor_id, self.clock())):
            raise FilterError("filter.exists", {"rule": kept})
        return await self.moderation.record(guild_id, actor_id, "filter_add", None, None,
                                            f"/{kept}/" if is_regex else kept, None)

    async def remove(self, guild_id: int, actor_id: int, pattern: str) -> AuditEntry:
        """Remove the rule with this text (a pattern without its slashes), and audit it. Raises
        `FilterError` when there is no such rule."""
        removed = await self.store.remove_prompt_filter(guild_id, pattern.strip())
        if removed is None:
            raise FilterError("filter.unknown", {"rule": pattern.strip()})
        shown = f"/{removed.pattern}/" if removed.is_regex else removed.pattern
        return await self.moderation.record(guild_id, actor_id, "filter_remove", None, shown,
                                            None, None)
