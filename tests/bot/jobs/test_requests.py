"""Requests the core refuses before anything is spent, through the real core and the fake Kling:
options a model cannot make (text, image and Extend), and a member past their credits (told the
reset time). No ledger row is written and nothing reaches Kling."""

from __future__ import annotations

import pytest

from bot.discord.i18n.render import sentence
from bot.jobs import JobRequest
from bot.kling.options import InvalidOptions, VideoOptions
from testkit.fakes.kling import FakeKling
from tests.conftest import EngineFactory
from tests.support import ledger_rows, text_job

INVALID = [
    ({"model": "kling-v9"}, "model", "Unknown model"),
    ({"model": "kling-v2-master", "mode": "pro"}, "mode", "single mode"),
    ({"model": "kling-v1", "mode": "ultra"}, "mode", "supports the modes"),
    ({"duration": 7}, "duration", "5 or 10"),
    ({"model": "kling-o1", "duration": 10}, "duration", "makes videos of 5 seconds"),
    ({"negative_prompt": "x" * 201}, "negative_prompt", "limit is 200"),
    ({"cfg_scale": 1.5}, "cfg_scale", "between 0 and 1"),
    ({"cfg_scale": -0.1}, "cfg_scale", "between 0 and 1"),
    ({"prompt": "   "}, "prompt", "needs a prompt"),
    ({"prompt": "p" * 2501}, "prompt", "limit is 2500"),
    ({"aspect_ratio": "4:3"}, "aspect_ratio", "16:9"),
    ({"model": "kling-v1-6", "camera": "zoom_in"}, "camera", "no camera control"),
    ({"model": "kling-v1", "camera": "zoom_in", "duration": 10}, "camera", "5-second"),
    ({"camera": "barrel_roll"}, "camera", "Unknown camera move"),
    ({"end_image_url": "https://x/y.png"}, "end_image", "needs a start image"),
    ({"model": "kling-v1-6", "image_urls": ("https://x/1.png",)}, "images", "omni"),
]


@pytest.mark.parametrize(("options", "option", "fragment"), INVALID)
async def test_invalid_text_options_are_refused_before_any_credit(
        make_engine: EngineFactory, fake_kling: FakeKling, options: dict[str, object],
        option: str, fragment: str) -> None:
    engine, _ = await make_engine()
    with pytest.raises(InvalidOptions) as raised:
        await engine.jobs.request(text_job(**options))
    assert raised.value.option == option
    assert fragment in sentence(raised.value.notice)
    assert await ledger_rows(engine) == 0
    assert fake_kling.create_count == 0


INVALID_OTHER = [
    (VideoOptions(action="image2video", model="kling-v1"), "image", "needs a start image"),
    (VideoOptions(action="image2video", model="kling-v2-master", start_image_url="https://a/b",
                  end_image_url="https://a/c"), "end_image", "does not take an end frame"),
    (VideoOptions(action="image2video", model="kling-v1-6", mode="std",
                  start_image_url="https://a/b", end_image_url="https://a/c"),
     "end_image", "only in `pro` mode"),
    (VideoOptions(action="image2video", model="kling-v1", start_image_url="https://a/b",
                  end_image_url="https://a/c", duration=10), "duration", "5 seconds"),
    (VideoOptions(action="image2video", model="kling-v1", start_image_url="https://a/b",
                  camera="forward_up"), "camera", "not available for image to video"),
    (VideoOptions(action="extend", model="kling-v2-5-turbo", video_id="123"), "model",
     "cannot be extended"),
    (VideoOptions(action="extend", model="kling-v1", video_id="123", negative_prompt="blur"),
     "negative_prompt", "extending"),
    (VideoOptions(action="extend", model="kling-v1", video_id="123", cfg_scale=0.5),
     "cfg_scale", "extending"),
    (VideoOptions(action="extend", model="kling-v1"), "video_id", "needs the video"),
]


@pytest.mark.parametrize(("options", "option", "fragment"), INVALID_OTHER)
async def test_invalid_image_and_extend_options_are_refused(
        make_engine: EngineFactory, fake_kling: FakeKling, options: VideoOptions, option: str,
        fragment: str) -> None:
    engine, _ = await make_engine()
    request = JobRequest(guild_id=1, channel_id=10, user_id=100, options=options)
    with pytest.raises(InvalidOptions) as raised:
        await engine.jobs.request(request)
    assert raised.value.option == option
    assert fragment in sentence(raised.value.notice)
    assert await ledger_rows(engine) == 0


async def test_quota_exceeded_is_refused_with_the_reset_time(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    from bot.quotas import QuotaExceeded

    engine, _ = await make_engine(default_credits_per_day=2)
    await engine.jobs.request(text_job())  # 1 credit (std 5 s)
    with pytest.raises(QuotaExceeded) as raised:
        await engine.jobs.request(text_job(mode="pro"))  # 2 credits, only 1 left
    assert raised.value.remaining == 1
    assert "<t:" in sentence(raised.value.notice)
    assert await ledger_rows(engine) == 1
