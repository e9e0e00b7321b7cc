"""Prompt filters' matching and safety rules (`bot.community.filters`), without a store."""

from __future__ import annotations

import pytest

from bot.community.filters import (
    FilterError,
    FilterTooSlow,
    PromptRefused,
    broken_rule,
    check_rule,
    check_texts,
    substring_script,
)
from bot.store import FilterRow


def rule(pattern: str, is_regex: bool = False) -> FilterRow:
    return FilterRow(pattern, is_regex, 1, 0.0)


@pytest.mark.parametrize(("word", "text", "broken"), [
    ("cat", "A CAT sleeps", True),
    ("cat", "concatenate the clips", False),
    ("cat", "cat.", True),
    ("cat", "ｃａｔ", True),  # full-width letters: NFKC makes them one word
    ("straße", "STRASSE at night", True),  # case folding, not lower()
    ("red fox", "a red  fox", False),  # a phrase is matched as written
    ("red fox", "the red fox runs", True),
    ("고양이", "고양이가 걷는다", True),  # Korean: the particle attaches to the noun
    ("고양이", "검은고양이", True),
    ("猫", "一只猫在跑", True),
    ("кот", "котлета", False),  # Cyrillic separates words with spaces: whole words
])
def test_plain_words(word: str, text: str, broken: bool) -> None:
    assert (broken_rule([rule(word)], text) is not None) is broken


def test_which_scripts_match_as_substrings() -> None:
    assert substring_script("고양이") and substring_script("ねこ") and substring_script("猫")
    assert not substring_script("cat") and not substring_script("кот")


def test_regex_rules_are_case_insensitive_and_name_themselves() -> None:
    rules = [rule("dog"), rule(r"sn[o0]w\s*man", True)]
    with pytest.raises(PromptRefused) as refused:
        check_texts(rules, [("prompt", "a quiet day"), ("negative_prompt", "SN0W MAN")])
    assert refused.value.params == {"rule": r"/sn[o0]w\s*man/", "kind": "pattern",
                                    "field": "negative_prompt"}
    check_texts(rules, [("prompt", "snowy hills"), ("negative_prompt", None)])


@pytest.mark.parametrize("pattern", [
    "(a+)+", "(a*)*b", "(a|aa)+", "(x+x+)+y", r"(\w+)\1", "(?:a{2,}){2,}", "((ab)*)+",
    "(?=(a+)+)",
])
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(FilterError) as refused:
        check_rule(pattern, True)
    assert refused.value.code == "filter.regex_unsafe"


@pytest.mark.parametrize("pattern", [
    r"sn[o0]w\s*man", r"\bfree\s+v[i1]bucks\b", "(cat|dog)s?", "a{2,5}", "(ab){1,3}c",
    r"[a-z]+@[a-z]+\.com",
])
def test_ordinary_patterns_are_kept(pattern: str) -> None:
    assert check_rule(pattern, True) == pattern


def test_size_and_syntax_are_checked() -> None:
    with pytest.raises(FilterError) as long:
        check_rule("a" * 201, True)
    assert long.value.code == "filter.regex_long"
    with pytest.raises(FilterError) as broken:
        check_rule("(unclosed", True)
    assert broken.value.code == "filter.regex_invalid"
    with pytest.raises(FilterError) as empty:
        check_rule("   ", False)
    assert empty.value.code == "filter.word_long"
    assert check_rule("  fox ", False) == "fox"


def test_a_kept_pattern_is_fast_on_a_hostile_prompt() -> None:
    """What the check lets through stays polynomial: a 2,500-character prompt that would
    stall `(a+)+$` for ages is answered by the kept rules (no timing here: it returns)."""
    prompt = "a" * 2500 + "!"
    assert broken_rule([rule("a+$", True), rule("(ab){1,3}c", True)], prompt) is None


def test_a_check_out_of_time_refuses_the_prompt() -> None:
    """Fail closed: patterns that could not finish never let a prompt through (a budget of
    nothing stands in for a slow pattern; plain words need no budget)."""
    rules = [rule("dog"), rule("[a-z]+@", True)]
    with pytest.raises(FilterTooSlow):
        broken_rule(rules, "a" * 2500, budget=0.0)
    assert broken_rule([rule("dog")], "a dog", budget=0.0) == rule("dog")


# -- invisible characters and look-alikes -------------------------------------------------------

@pytest.mark.parametrize(("rules", "text"), [
    ([rule("fox")], "a fo\u200bx in the snow"),  # zero-width space
    ([rule("fox")], "a f\u00adox"),  # soft hyphen
    ([rule("fox")], "a fo\u2060x"),  # word joiner
    ([rule("fox")], "a f\u200do\u200cx\ufe0f"),  # ZWJ, ZWNJ, a variation selector
    ([rule("fox")], "\ufeffa fox"),  # a byte-order mark
    ([rule("fox")], "a f\u043ex"),  # Cyrillic о for the Latin o
    ([rule("fox")], "a ｆ\u043e\u200bx"),  # full width, look-alike and invisible together
    ([rule("고양이")], "고\u200b양이가 걷는다"),
    ([rule("고양이")], "고\u00ad양\u2060이를 보았다"),
    ([rule("f\u200b\u043ex")], "a fox"),  # the rule is read the same way
    ([rule("fox", True)], "a fo\u200bx"),
    ([rule("fox", True)], "a f\u00adox"),
    ([rule("fox", True)], "a fo\u2060x"),
    ([rule("fox", True)], "a f\u043ex"),
    ([rule(r"\bfox\b", True)], "a f\u043e\u200bx runs"),
    ([rule("고양이", True)], "고\u200b양이가"),
    ([rule("f\u200box", True)], "a fox"),
])
def test_invisible_characters_and_look_alikes_do_not_dodge_a_rule(
        rules: list[FilterRow], text: str) -> None:
    with pytest.raises(PromptRefused):
        check_texts(rules, [("prompt", text)])


@pytest.mark.parametrize(("word", "text"), [
    ("fox", "foxglove flowers"),  # whole words still
    ("고양이", "고양 이"),  # a space is not invisible
    ("cat", "concatenate"),
    ("rn", "a modern tale"),  # whole words: look-alike folding does not invent a word
])
def test_folding_keeps_the_matching_rules(word: str, text: str) -> None:
    assert broken_rule([rule(word)], text) is None


def test_a_rule_measured_slow_on_a_long_prompt_is_refused() -> None:
    """Shape alone lets `\\w+\\w+\\w+\\w+\\d` through (each repeat of a plain class); on a long
    run of letters it takes seconds: measured when added, it is refused."""
    with pytest.raises(FilterError) as slow:
        check_rule(r"\w+\w+\w+\w+\d", True)
    assert slow.value.code == "filter.regex_slow"
    with pytest.raises(FilterError) as slow:
        check_rule(r"[a-z]+[a-z]+[a-z]+[0-9]", True)
    assert slow.value.code == "filter.regex_slow"
