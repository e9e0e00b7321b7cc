"""Reading a /video story: shots one per line with optional lengths, the rules Kling sets on
multi-shot requests, and lengths the member left open filled evenly in whole seconds."""

from __future__ import annotations

import pytest

from bot.kling.capabilities import load_capabilities
from bot.kling.multishot import Shot, parse_story, shot_lengths, story_body
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate

TABLE = load_capabilities()


def refusal(source: str) -> tuple[str, dict[str, object]]:
    with pytest.raises(InvalidOptions) as raised:
        parse_story(source)
    return raised.value.code, dict(raised.value.params)


def test_lines_with_and_without_lengths() -> None:
    story = parse_story("3s: a fox wakes up\n\n  it stretches  \n2 seconds - it runs off\n"
                        "4sec: snow falls\n1 s: the end\n2초: 끝")
    assert story.shots == (Shot("a fox wakes up", 3), Shot("it stretches", None),
                           Shot("it runs off", 2), Shot("snow falls", 4), Shot("the end", 1),
                           Shot("끝", 2))
    assert not story.automatic and story.given_seconds is None


def test_a_line_that_only_looks_like_a_length_is_a_prompt() -> None:
    story = parse_story("3 foxes: they play\nshots: a city at night")
    assert [shot.seconds for shot in story.shots] == [None, None]
    assert story.shots[0].prompt == "3 foxes: they play"


def test_one_line_is_one_prompt_with_automatic_shots() -> None:
    story = parse_story("a fox wakes up and runs into the snow")
    assert story.automatic
    body, note = story_body(story, 8)
    assert body == {"multi_shot": True, "shot_type": "intelligence",
                    "prompt": "a fox wakes up and runs into the snow"}
    assert note is None


@pytest.mark.parametrize(("source", "code", "params"), [
    ("", "invalid.story_empty", {}),
    ("\n  \n", "invalid.story_empty", {}),
    ("\n".join(f"shot {n}" for n in range(7)), "invalid.story_shots",
     {"count": 7, "limit": 6}),
    ("a\n" + "x" * 513, "invalid.story_shot_long", {"shot": 2, "length": 513, "limit": 512}),
    ("a\n0s: nothing happens", "invalid.story_shot_short",
     {"shot": 2, "given": 0, "minimum": 1}),
    ("-2s: backwards", "invalid.story_shot_short", {"shot": 1, "given": -2, "minimum": 1}),
    ("a\n3s:   ", "invalid.story_shot_empty", {"shot": 2}),
])
def test_every_rule_has_its_refusal(source: str, code: str, params: dict[str, object]
                                    ) -> None:
    assert refusal(source) == (code, params)


def test_a_prompt_of_512_characters_and_six_shots_are_fine() -> None:
    story = parse_story("\n".join(["x" * 512] * 6))
    assert len(story.shots) == 6


@pytest.mark.parametrize(("source", "duration", "lengths", "filled"), [
    ("3s: a\n2s: b", 5, [3, 2], False),
    ("a\nb", 10, [5, 5], True),
    ("a\nb\nc", 10, [4, 3, 3], True),  # the odd seconds go to the first open shots
    ("6s: a\nb\nc\nd", 10, [6, 2, 1, 1], True),
    ("a\nb\nc\nd\ne\nf", 15, [3, 3, 3, 2, 2, 2], True),
])
def test_open_lengths_are_filled_evenly_in_whole_seconds(
        source: str, duration: int, lengths: list[int], filled: bool) -> None:
    assert shot_lengths(parse_story(source), duration) == (lengths, filled)


@pytest.mark.parametrize(("source", "duration", "code", "params"), [
    ("3s: a\n3s: b", 5, "invalid.story_sum", {"total": 6, "duration": 5}),
    ("2s: a\n2s: b", 5, "invalid.story_sum", {"total": 4, "duration": 5}),
    ("4s: a\nb\nc", 5, "invalid.story_no_room", {"total": 4, "duration": 5, "open": 2}),
])
def test_lengths_that_cannot_sum_to_the_duration_are_refused(
        source: str, duration: int, code: str, params: dict[str, object]) -> None:
    with pytest.raises(InvalidOptions) as raised:
        shot_lengths(parse_story(source), duration)
    assert (raised.value.code, dict(raised.value.params)) == (code, params)


def test_a_story_s_request_body_and_its_note() -> None:
    options = VideoOptions(action="text2video", model="kling-v3", duration=10,
                           story=parse_story("4s: a fox wakes up\nit stretches\nit runs"))
    request = validate(options, TABLE)
    assert request.body["multi_shot"] is True and request.body["shot_type"] == "customize"
    assert request.body["multi_prompt"] == [
        {"index": 1, "prompt": "a fox wakes up", "duration": 4},
        {"index": 2, "prompt": "it stretches", "duration": 3},
        {"index": 3, "prompt": "it runs", "duration": 3}]
    assert request.body["duration"] == 10 and "prompt" not in request.body
    assert [(n.code, dict(n.params)) for n in request.notes] == [
        ("note.story_filled", {"lengths": [4, 3, 3]})]
    assert request.prompt == "4s: a fox wakes up\nit stretches\nit runs"


def test_every_length_given_sets_the_duration() -> None:
    options = VideoOptions(action="text2video", model="kling-v3",
                           story=parse_story("3s: a\n4s: b\n5s: c"))
    request = validate(options, TABLE)
    assert request.duration == 12 and request.notes == ()
    # A server's default length does not override the member's shots.
    defaulted = options.with_defaults(None, None, 5)
    assert validate(defaulted, TABLE).duration == 12


def test_a_sum_the_model_cannot_make_names_its_range() -> None:
    options = VideoOptions(action="text2video", model="kling-v3",
                           story=parse_story("10s: a\n8s: b"))
    with pytest.raises(InvalidOptions) as raised:
        validate(options, TABLE)
    assert raised.value.code == "invalid.duration_range"


def test_a_model_without_multi_shot_is_refused_with_those_that_have_it() -> None:
    options = VideoOptions(action="text2video", model="kling-v2-6",
                           story=parse_story("a\nb"))
    with pytest.raises(InvalidOptions) as raised:
        validate(options, TABLE)
    assert raised.value.code == "invalid.story_unsupported"
    assert raised.value.params["allowed"] == ["kling-v3", "kling-v3-omni"]


def test_without_a_model_a_story_runs_on_the_first_that_cuts_shots() -> None:
    options = VideoOptions(action="text2video", story=parse_story("a\nb"))
    assert validate(options, TABLE).model == "kling-v3"
    # A server default that cannot cut shots is not the member's choice: fallen back from.
    defaulted = options.with_defaults("kling-v1-6", None, None)
    assert validate(defaulted, TABLE).model == "kling-v3"
