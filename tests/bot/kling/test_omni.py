"""Omni requests against the model table: the prompt's citations, the reference video, the
omni body and its refusals. (The bot and the fake Kling agreeing on omni lists and stories is
one of the model rules: tests/bot/kling/test_model_rules.py.)"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.kling.omni import (
    ReferenceVideo,
    VideoFacts,
    check_reference_video,
    cite_images,
    cited_images,
)
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate
from tests.bot.kling.agreement import TABLE

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
