"""Each model's rules, table-driven over the shipped capability table: the bot's `validate` and
the fake Kling's validator (the platform's rules, written on their own) accept and refuse the
same requests, omni lists and multi-shot stories included; the seed's `kling-video-o1` resolves
and is sent as `kling-o1`; the Extend buttons follow the table."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.discord.i18n.render import sentence
from bot.kling.camera import camera_control
from bot.kling.capabilities import CapabilityTable, load_capabilities, parse_table
from bot.kling.client import KlingClient
from bot.kling.errors import KlingBadRequest
from bot.kling.multishot import parse_story
from bot.kling.omni import ReferenceVideo
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate
from bot.publishing.results import result_buttons
from testkit.fakes.kling import FakeKling
from testkit.fakes.kling.validation import BadRequest
from tests.bot.kling.agreement import TABLE, bot_verdict, fake_accepts, fake_check
from tests.builders import job

pytestmark = pytest.mark.timeout(60)

MODES = ("std", "pro", "4k")
START = "https://img.example/start.png"
END = "https://img.example/end.png"
TOKEN = "test-kling-token"


def raw_body(o: VideoOptions) -> dict[str, Any]:
    """The request as asked, unchecked: what the platform would see without `validate`."""
    body: dict[str, Any] = {"action": o.action, "model": o.model}
    if o.story is None:
        body["prompt"] = o.prompt or "p"
    for name in ("mode", "duration", "start_image_url", "end_image_url", "negative_prompt"):
        if getattr(o, name) is not None:
            body[name] = getattr(o, name)
    if o.camera:
        body["camera_control"] = camera_control(o.camera)
    if o.audio is not None:
        body["generate_audio"] = o.audio
    if o.loop:
        body["end_image_url"] = o.start_image_url
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


def cases(model: str) -> Iterator[VideoOptions]:
    """Valid and invalid modes, durations, end frames, camera moves, sound, tuning, omni lists."""
    caps = TABLE.models[model]
    modes: tuple[str | None, ...] = (None, *MODES) if not caps.modes else MODES
    t2v = VideoOptions(action="text2video", model=model, prompt="a fox")
    i2v = VideoOptions(action="image2video", model=model, start_image_url=START)
    for mode in modes:
        for duration in range(1, 17):
            yield replace(t2v, mode=mode, duration=duration)
        for duration in (5, 10):
            yield replace(i2v, mode=mode, duration=duration, end_image_url=END)
            yield replace(i2v, mode=mode, duration=duration, loop=True)
            yield replace(t2v, mode=mode, duration=duration, camera="zoom_in")
        for audio in (True, False):
            yield replace(t2v, mode=mode, duration=5, audio=audio)
        yield replace(t2v, mode=mode, duration=5, negative_prompt="blur")
        for count in (1, 7, 8):
            yield replace(t2v, mode=mode, duration=5,
                          image_urls=tuple(f"https://img.example/{i}.png" for i in range(count)))


@pytest.mark.parametrize("model", TABLE.names())
def test_the_bot_and_the_fake_agree_on_every_rule(model: str) -> None:
    disagreements = []
    accepted = refused = 0
    for options in cases(model):
        body = bot_verdict(options)
        if body is not None:
            accepted += 1
            if not fake_accepts(body):
                disagreements.append(("bot sends, fake refuses", options, body))
        else:
            refused += 1
            if fake_accepts(raw_body(options)):
                disagreements.append(("bot refuses, fake accepts", options, raw_body(options)))
    assert disagreements == []
    assert accepted and refused  # each model has both kinds of case


@pytest.mark.parametrize("model", TABLE.names())
def test_the_lengths_are_the_table_s_and_a_refusal_names_them(model: str) -> None:
    caps = TABLE.models[model]
    for duration in range(1, 17):
        options = VideoOptions(action="text2video", model=model, prompt="p", duration=duration)
        if duration in caps.durations:
            assert validate(options, TABLE).body["duration"] == duration
            continue
        with pytest.raises(InvalidOptions) as raised:
            validate(options, TABLE)
        notice = raised.value.notice
        if caps.duration_range is not None:
            assert notice.code == "invalid.duration_range"
            assert (notice.params["min"], notice.params["max"]) == caps.duration_range
        else:
            assert notice.code == "invalid.duration"
            assert notice.params["durations"] == list(caps.durations)


def test_the_doc_s_rules_are_in_the_table() -> None:
    get = TABLE.models.__getitem__
    assert get("kling-v3").duration_range == (3, 15) and get("kling-v3").modes == MODES
    assert get("kling-v3-omni").omni and get("kling-v3-omni").omni_max_images_with_video == 4
    assert get("kling-v3-turbo").audio == "always" and get("kling-v3-turbo").end_frame == "none"
    assert get("kling-v2-6").audio == "pro" and get("kling-o1").audio == "none"
    assert [n for n in TABLE.names() if get(n).extend] == ["kling-v1", "kling-v1-5", "kling-v1-6"]
    assert {get(n).extend_durations for n in TABLE.extendable()} == {(5, 10)}


@pytest.mark.parametrize(("model", "audio", "sent"), [
    ("kling-v3", True, True), ("kling-v3", False, False), ("kling-v3", None, None),
    # Always on: sent as true, so the job's record (and its bill) says the video has sound.
    ("kling-v3-turbo", True, True), ("kling-v3-turbo", None, True),
    ("kling-o1", False, None), ("kling-v1-6", None, None),
])
def test_generate_audio_is_sent_only_where_the_model_takes_it(
        model: str, audio: bool | None, sent: bool | None) -> None:
    body = validate(VideoOptions(action="text2video", model=model, prompt="p", audio=audio),
                    TABLE).body
    assert body.get("generate_audio") == sent


@pytest.mark.parametrize(("model", "mode", "code"), [
    ("kling-o1", "std", "invalid.audio_unsupported"),
    ("kling-v2-6", "std", "invalid.audio_pro"),
])
def test_sound_a_model_cannot_make_is_refused(model: str, mode: str, code: str) -> None:
    with pytest.raises(InvalidOptions) as raised:
        validate(VideoOptions(action="text2video", model=model, mode=mode, prompt="p",
                              audio=True), TABLE)
    assert raised.value.notice.code == code


def test_turning_off_sound_that_is_always_on_is_refused() -> None:
    with pytest.raises(InvalidOptions) as raised:
        validate(VideoOptions(action="text2video", model="kling-v3-turbo", prompt="p",
                              audio=False), TABLE)
    assert raised.value.notice.code == "invalid.audio_always"


def test_the_alias_resolves_to_the_wire_name() -> None:
    assert TABLE.resolve("kling-video-o1") == "kling-o1"
    assert TABLE.get("kling-video-o1") is TABLE.models["kling-o1"]
    assert TABLE.resolve("kling-v9") is None
    request = validate(VideoOptions(action="text2video", model="kling-video-o1", prompt="p"),
                       TABLE)
    assert request.model == "kling-o1" and request.body["model"] == "kling-o1"
    # A server default naming the alias resolves the same way.
    defaulted = VideoOptions(action="text2video", prompt="p").with_defaults(
        "kling-video-o1", None, None)
    assert validate(defaulted, TABLE).model == "kling-o1"


def test_an_operator_s_table_may_name_the_alias_as_its_default() -> None:
    document = json.loads(resources.files("bot.kling").joinpath("models.json").read_text())
    document["default_model"] = "kling-video-o1"
    assert parse_table(document).default_model == "kling-o1"
    document["models"]["kling-v1"]["aliases"] = ["kling-o1"]
    with pytest.raises(ValueError, match="used twice"):
        parse_table(document)


def test_a_range_is_written_as_min_and_max() -> None:
    table = parse_table({"models": {"m": {"durations": {"min": 4, "max": 6}}}})
    assert table.models["m"].durations == (4, 5, 6)
    with pytest.raises(ValueError):
        parse_table({"models": {"m": {"durations": {"min": 6, "max": 4}}}})


@pytest.fixture
async def fake() -> AsyncIterator[FakeKling]:
    async with FakeKling(token=TOKEN, processing_seconds=0.2) as fake:
        yield fake


async def test_the_alias_reaches_kling_as_the_wire_name(fake: FakeKling) -> None:
    async with aiohttp.ClientSession() as session:
        client = KlingClient(session, fake.base_url, TOKEN)
        request = validate(VideoOptions(action="text2video", model="kling-video-o1",
                                        prompt="a fox"), TABLE)
        await client.create(request.body, None)
        # The seed's name itself is not a model the platform knows (in this fake).
        with pytest.raises(KlingBadRequest) as raised:
            await client.create({**request.body, "model": "kling-video-o1"}, None)
    assert raised.value.message == "model is invalid."
    sent = [r.json for r in fake.requests if r.endpoint == "create"]
    assert sent[0]["model"] == "kling-o1" and sent[0]["async"] is True


async def test_a_rule_the_fake_enforces_comes_back_as_the_api_s_400(fake: FakeKling) -> None:
    async with aiohttp.ClientSession() as session:
        client = KlingClient(session, fake.base_url, TOKEN)
        with pytest.raises(KlingBadRequest) as raised:
            await client.create({"action": "text2video", "model": "kling-o1", "prompt": "p",
                                 "generate_audio": True}, None)
        async with session.post(f"{fake.base_url}/kling/videos", json={
                "action": "text2video", "model": "kling-v3", "prompt": "p", "duration": 16},
                headers={"authorization": f"Bearer {TOKEN}"}) as resp:
            status, answer = resp.status, await resp.json()
    assert raised.value.status == 400 and raised.value.code == "bad_request"
    assert "generate_audio" in raised.value.message
    assert status == 400 and set(answer) == {"success", "error", "trace_id"}
    assert answer["success"] is False
    assert answer["error"] == {"code": "bad_request", "message": "duration is invalid."}


def extend_buttons(table: CapabilityTable, model: str) -> list[str]:
    source = replace(job("0123456789abcdef0123", 1, 2, 0.0), model=model)
    ids = [f"kling:{kind}:{source.id}" for kind in result_buttons(source, table)]
    # The buttons that continue the video (not Report, under every result).
    return [i for i in ids if i.startswith(("kling:extend", "kling:continue"))]


async def test_extend_buttons_follow_the_table() -> None:
    # A model without Extend offers Continue (from the last frame) instead.
    assert [b.split(":")[1] for b in extend_buttons(TABLE, "kling-v3")] == [
        "continue", "continue-prompt"]
    assert len(extend_buttons(TABLE, "kling-v1-5")) == 2
    document = json.loads(resources.files("bot.kling").joinpath("models.json").read_text())
    document["models"]["kling-v3"]["extend"] = True
    shown = extend_buttons(parse_table(document), "kling-v3")
    assert [b.split(":")[1] for b in shown] == ["extend", "extend-prompt"]


def test_a_range_refusal_names_the_lengths() -> None:
    with pytest.raises(InvalidOptions) as raised:
        validate(VideoOptions(action="text2video", model="kling-v3", prompt="p", duration=16),
                 TABLE)
    assert sentence(raised.value.notice) == (
        "`kling-v3` makes videos of 3 to 15 seconds, not 16.")


# Omni lists and stories: the bot and the fake agree -----------------------------------------------

REFERENCE = "https://cdn.example/ref.mp4"


def image_urls(count: int) -> tuple[str, ...]:
    return tuple(f"https://img.example/{n}.png" for n in range(count))


def omni_cases(model: str) -> Iterator[VideoOptions]:
    base = VideoOptions(action="text2video", model=model, prompt="a fox", duration=5)
    for mode in ("std", "pro", "4k"):
        for count in (1, 4, 5, 7):
            for video in (None, ReferenceVideo(REFERENCE, "base"), ReferenceVideo(REFERENCE)):
                for audio in (None, True):
                    yield replace(base, mode=mode, image_urls=image_urls(count),
                                  reference_video=video, audio=audio)
        yield replace(base, mode=mode, image_urls=image_urls(2), prompt="<<<image_3>>> runs")
        yield replace(base, mode=mode, image_urls=image_urls(2), prompt="<<<image_2>>> runs")
        for story in ("a fox runs", "2s: a\n3s: b", "1s: a\n1s: b\n1s: c\n1s: d\n1s: e"):
            yield replace(base, mode=mode, prompt=None, story=parse_story(story))


@pytest.mark.parametrize("model", TABLE.names())
def test_the_bot_and_the_fake_agree_on_omni_lists_and_stories(model: str) -> None:
    disagreements = []
    for options in omni_cases(model):
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


VIDEO = {"video_url": "https://v.example/ref.mp4", "refer_type": "feature",
         "keep_original_sound": "no"}


def images(count: int, **extra: str) -> list[dict[str, str]]:
    return [{"image_url": f"https://img.example/{i}.png", **extra} for i in range(count)]


@pytest.mark.parametrize(("changes", "message"), [
    ({}, None),
    ({"image_list": images(4)}, None),
    ({"image_list": images(5)}, "image_list is invalid."),
    ({"video_list": [VIDEO, VIDEO]}, "video_list is invalid."),
    ({"video_list": [{**VIDEO, "refer_type": "style"}]}, "video_list is invalid."),
    ({"generate_audio": True}, "generate_audio must be false with video_list."),
    ({"generate_audio": False}, None),
    ({"mode": "4k"}, "video_list is not supported in 4k mode."),
    ({"model": "kling-v3"}, "video_list is not supported for kling-v3."),
    ({"video_list": [{**VIDEO, "refer_type": "base"}], "image_list": images(1, type="end_frame")},
     "a base video cannot be combined with first or end frames."),
])
def test_the_fake_checks_a_reference_video_as_the_api_does(
        changes: dict[str, Any], message: str | None) -> None:
    body = {"action": "text2video", "model": "kling-v3-omni", "mode": "pro", "prompt": "p",
            "duration": 5, "video_list": [VIDEO], **changes}
    if message is None:
        fake_check(body)
        return
    with pytest.raises(BadRequest) as raised:
        fake_check(body)
    assert str(raised.value) == message


# ---- options: loop, Extend's length, what the duration list offers

def test_a_loop_sends_the_start_image_as_the_end_frame() -> None:
    body = validate(VideoOptions(action="image2video", model="kling-v3", start_image_url=START,
                                 duration=8, loop=True), TABLE).body
    assert body["start_image_url"] == body["end_image_url"] == START
    assert body["duration"] == 8


@pytest.mark.parametrize(("options", "code", "text"), [
    (VideoOptions(action="image2video", model="kling-v3-turbo", start_image_url=START,
                  loop=True), "invalid.loop_unsupported", "`kling-v3-turbo` cannot loop"),
    (VideoOptions(action="image2video", model="kling-v3", start_image_url=START,
                  end_image_url=END, loop=True), "invalid.loop_end_image", "either"),
    (VideoOptions(action="image2video", model="kling-v1-6", mode="std",
                  start_image_url=START, loop=True), "invalid.loop_pro", "`pro` mode"),
    (VideoOptions(action="image2video", model="kling-v1", start_image_url=START,
                  duration=10, loop=True), "invalid.loop_duration", "5 seconds"),
])
def test_a_loop_the_model_cannot_make_is_refused_in_words(
        options: VideoOptions, code: str, text: str) -> None:
    with pytest.raises(InvalidOptions) as raised:
        validate(options, TABLE)
    assert raised.value.notice.code == code
    assert text in sentence(raised.value.notice)


def test_a_loop_on_a_five_second_model_defaults_to_five_seconds() -> None:
    options = VideoOptions(action="image2video", model="kling-v1", start_image_url=START,
                           loop=True).with_defaults(None, None, 10)
    assert validate(options, TABLE).body["duration"] == 5


def extend(model: str, duration: int | None = None) -> VideoOptions:
    return VideoOptions(action="extend", model=model, mode="pro", video_id="v1",
                        duration=duration)


def test_an_extend_sends_the_length_the_table_allows() -> None:
    assert validate(extend("kling-v1-6"), TABLE).body["duration"] == 5
    request = validate(extend("kling-v1-6", 10), TABLE)
    assert request.body["duration"] == 10 and request.duration == 10
    with pytest.raises(InvalidOptions) as raised:
        validate(extend("kling-v1-6", 7), TABLE)
    assert sentence(raised.value.notice) == (
        "`kling-v1-6` extends a video by 5 or 10 seconds, not 7.")


def test_an_extend_on_a_model_without_lengths_sends_none() -> None:
    document = json.loads(resources.files("bot.kling").joinpath("models.json").read_text())
    document["models"]["kling-v1-6"]["extend"] = True
    table = parse_table(document)
    body = validate(extend("kling-v1-6"), table).body
    assert "duration" not in body
    with pytest.raises(InvalidOptions):
        validate(extend("kling-v1-6", 10), table)
    with pytest.raises(ValueError, match="no durations"):
        document["models"]["kling-v1-6"]["extend"] = {"durations": []}
        parse_table(document)


def test_the_lengths_offered_follow_the_model_and_what_needs_five_seconds() -> None:
    from bot.kling.resolution import offered_durations
    get = TABLE.models.__getitem__
    assert offered_durations(get("kling-v3")) == tuple(range(3, 16))
    assert offered_durations(get("kling-v3"), end_frame=True) == tuple(range(3, 16))
    assert offered_durations(get("kling-v2-6")) == (5, 10)
    assert offered_durations(get("kling-v1"), end_frame=True) == (5,)
    assert offered_durations(get("kling-v1"), camera=True) == (5,)
    assert offered_durations(get("kling-o1")) == (5,)


def test_capability_table_is_data(tmp_path: Path) -> None:
    shipped = load_capabilities()
    assert shipped.get("kling-o1") is not None and shipped.get("kling-o1").durations == (5,)
    assert shipped.extendable() == ["kling-v1", "kling-v1-5", "kling-v1-6"]
    custom = tmp_path / "models.json"
    custom.write_text(json.dumps({"models": {"kling-v3": {
        "modes": ["std", "pro", "4k"], "durations": [3, 5, 10, 15], "extend": False}},
        "default_model": "kling-v3"}))
    table = load_capabilities(custom)
    assert table.names() == ["kling-v3"] and table.get("kling-v3").modes[-1] == "4k"
    with pytest.raises(ValueError):
        parse_table({"models": {"a": {}}, "default_model": "b"})
