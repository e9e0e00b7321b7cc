"""Omni requests and stories against the model table: the prompt's citations, the reference
video, and the bot's `validate` agreeing with the fake Kling's validator (the platform's rules,
written on their own) on every omni and multi-shot case of every model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.kling.multishot import parse_story
from bot.kling.omni import (
    ReferenceVideo,
    VideoFacts,
    check_reference_video,
    cite_images,
    cited_images,
)
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate
from testkit.fakes.kling.validation import BadRequest
from tests.bot.kling.agreement import TABLE, bot_verdict, fake_accepts, fake_check

VIDEO = "https://cdn.example/ref.mp4"


def images(count: int) -> tuple[str, ...]:
    return tuple(f"https://img.example/{n}.png" for n in range(count))


def test_a_prompt_citing_nothing_cites_every_image_in_order() -> None:
    prompt, note = cite_images("a fox meets a cat ", 3)
    assert prompt == "a fox meets a cat <<<image_1>>> <<<image_2>>> <<<image_3>>>"
    assert note is not None and (note.code, dict(note.params)) == ("note.omni_cited",
                                                                   {"count": 3})


def test_a_prompt_citing_its_images_is_sent_as_written() -> None:
    prompt = "<<<image_2>>> chases <<<image_1>>>"
    assert cite_images(prompt, 2) == (prompt, None)
    assert cited_images(prompt + " <<<image_2>>>") == [2, 1]


@pytest.mark.parametrize(("prompt", "count", "cited"), [
    ("<<<image_3>>> dances", 2, "<<<image_3>>>"),
    ("<<<image_1>>> and <<<image_0>>>", 4, "<<<image_0>>>"),
])
def test_citing_an_image_that_is_not_there_is_refused(prompt: str, count: int, cited: str
                                                      ) -> None:
    with pytest.raises(InvalidOptions) as raised:
        cite_images(prompt, count)
    assert raised.value.code == "invalid.omni_citation"
    assert dict(raised.value.params) == {"cited": cited, "count": count}


def test_the_omni_body_with_a_reference_video() -> None:
    options = VideoOptions(action="text2video", model="kling-o1", prompt="the dancer",
                           image_urls=images(2),
                           reference_video=ReferenceVideo(VIDEO, "base", True))
    request = validate(options, TABLE)
    assert request.body["image_list"] == [{"image_url": url} for url in images(2)]
    assert request.body["video_list"] == [{"video_url": VIDEO, "refer_type": "base",
                                           "keep_original_sound": "yes"}]
    assert request.body["prompt"] == "the dancer <<<image_1>>> <<<image_2>>>"
    assert "generate_audio" not in request.body  # kling-o1 takes no sound flag at all
    v3 = validate(replace(options, model="kling-v3-omni"), TABLE)
    assert v3.body["generate_audio"] is False  # no sound of its own beside a video
    assert all("type" not in item for item in v3.body["image_list"])  # never a frame


@pytest.mark.parametrize(("options", "code"), [
    (VideoOptions(action="text2video", model="kling-v3-omni", prompt="p", image_urls=images(5),
                  reference_video=ReferenceVideo(VIDEO)), "invalid.omni_images_with_video"),
    (VideoOptions(action="text2video", model="kling-o1", prompt="p", image_urls=images(8)),
     "invalid.omni_images"),
    (VideoOptions(action="text2video", model="kling-v3", prompt="p", image_urls=images(1)),
     "invalid.omni_only"),
    (VideoOptions(action="text2video", model="kling-v3-omni", prompt="p", image_urls=images(1),
                  reference_video=ReferenceVideo(VIDEO), audio=True),
     "invalid.omni_video_audio"),
    (VideoOptions(action="text2video", model="kling-v3-omni", mode="4k", prompt="p",
                  image_urls=images(1)), "invalid.omni_4k"),
    (VideoOptions(action="text2video", model="kling-v3-omni", prompt="p", image_urls=images(1),
                  negative_prompt="blur"), "invalid.negative_unsupported"),
])
def test_omni_refusals(options: VideoOptions, code: str) -> None:
    with pytest.raises(InvalidOptions) as raised:
        validate(options, TABLE)
    assert raised.value.code == code


def test_without_a_model_an_omni_job_runs_on_an_omni_model() -> None:
    options = VideoOptions(action="text2video", prompt="p", image_urls=images(2))
    assert validate(options, TABLE).model == "kling-v3-omni"  # the first in the table
    assert validate(options.with_defaults("kling-o1", None, None), TABLE).model == "kling-o1"
    assert validate(options.with_defaults("kling-v1-6", None, None), TABLE).model == (
        "kling-v3-omni")


@pytest.mark.parametrize(("facts", "code"), [
    (VideoFacts("clip.mp4", "video/mp4", 50_000_000), None),
    (VideoFacts("clip.mov", "video/quicktime", 200 * 1024 * 1024), None),
    (VideoFacts("clip.mov", None, 1000), None),
    (VideoFacts("clip.webm", "video/webm", 1000), "video.type"),
    (VideoFacts("clip.mp4", "video/mp4", 200 * 1024 * 1024 + 1), "video.size"),
])
def test_a_reference_video_is_checked_by_type_and_size(facts: VideoFacts, code: str | None
                                                       ) -> None:
    if code is None:
        check_reference_video(facts)
        return
    with pytest.raises(InvalidOptions) as raised:
        check_reference_video(facts)
    assert raised.value.code == code and raised.value.params["name"] == facts.filename


# The bot and the fake agree -------------------------------------------------------------------

def cases(model: str) -> Iterator[VideoOptions]:
    base = VideoOptions(action="text2video", model=model, prompt="a fox", duration=5)
    for mode in ("std", "pro", "4k"):
        for count in (1, 4, 5, 7):
            for video in (None, ReferenceVideo(VIDEO, "base"), ReferenceVideo(VIDEO)):
                for audio in (None, True):
                    yield replace(base, mode=mode, image_urls=images(count),
                                  reference_video=video, audio=audio)
        yield replace(base, mode=mode, image_urls=images(2), prompt="<<<image_3>>> runs")
        yield replace(base, mode=mode, image_urls=images(2), prompt="<<<image_2>>> runs")
        for story in ("a fox runs", "2s: a\n3s: b", "1s: a\n1s: b\n1s: c\n1s: d\n1s: e"):
            yield replace(base, mode=mode, prompt=None, story=parse_story(story))


def raw_body(o: VideoOptions) -> dict[str, Any]:
    """The request as asked, unchecked: what the platform would see without `validate`."""
    body: dict[str, Any] = {"action": o.action, "model": o.model, "mode": o.mode,
                            "duration": o.duration}
    if o.prompt:
        body["prompt"] = o.prompt
    if o.audio is not None:
        body["generate_audio"] = o.audio
    if o.image_urls:
        body["image_list"] = [{"image_url": url} for url in o.image_urls]
    if o.reference_video:
        body["video_list"] = [o.reference_video.item()]
    if o.story is not None:
        body["multi_shot"] = True
        if o.story.automatic:
            body.update(shot_type="intelligence", prompt=o.story.shots[0].prompt)
        else:
            body.update(shot_type="customize", multi_prompt=[
                {"index": n, "prompt": s.prompt, "duration": s.seconds}
                for n, s in enumerate(o.story.shots, 1)])
    return body


@pytest.mark.parametrize("model", TABLE.names())
def test_the_bot_and_the_fake_agree_on_omni_lists_and_stories(model: str) -> None:
    disagreements = []
    for options in cases(model):
        body = bot_verdict(options)
        if body is not None and not fake_accepts(body):
            disagreements.append(("bot sends, fake refuses", options, body))
        if body is None and fake_accepts(raw_body(options)):
            disagreements.append(("bot refuses, fake accepts", options, raw_body(options)))
    assert disagreements == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"multi_prompt": [{"index": 1, "prompt": "a", "duration": 2},
                       {"index": 2, "prompt": "b", "duration": 2}]},
     "the durations of multi_prompt must add up to duration."),
    ({"multi_prompt": [{"index": 1, "prompt": "a", "duration": 0},
                       {"index": 2, "prompt": "b", "duration": 5}]},
     "multi_prompt item 1 is invalid."),
    ({"multi_prompt": [{"index": 1, "prompt": "x" * 513, "duration": 5}]},
     "multi_prompt item 1 is invalid."),
    ({"multi_prompt": [{"index": n, "prompt": "a", "duration": 1} for n in range(1, 8)],
      "duration": 7}, "multi_prompt must have 1 to 6 items."),
    ({"shot_type": "cinematic"}, "shot_type is invalid."),
    ({"model": "kling-v2-6", "mode": "pro", "duration": 5},
     "multi_shot is not supported for kling-v2-6."),
    ({"multi_shot": False}, "multi_prompt and shot_type need multi_shot."),
    ({"prompt": "<<<image_1>>> waves"}, "prompt refers to <<<image_1>>> but image_list has 0 "
                                        "images."),
])
def test_the_fake_checks_a_story_as_the_api_does(changes: dict[str, Any], message: str
                                                 ) -> None:
    body = {"action": "text2video", "model": "kling-v3", "mode": "pro", "duration": 5,
            "multi_shot": True, "shot_type": "customize",
            "multi_prompt": [{"index": 1, "prompt": "a", "duration": 5}], **changes}
    with pytest.raises(BadRequest) as raised:
        fake_check(body)
    assert str(raised.value) == message
