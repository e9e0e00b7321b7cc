"""The pure parts of bot.media: the bitrate plan, the story's cut, reading FFmpeg's
description of a file."""

from __future__ import annotations

from pathlib import Path

from bot.media.ffmpeg import VideoFacts, read_facts
from bot.media.fitting import MIN_VIDEO_BPS, plan_fit, scale_filter
from bot.media.joining import StoryPart, story_cut

MIB = 1024 * 1024


def test_a_plan_leaves_room_for_the_sound_and_the_container() -> None:
    plan = plan_fit(10.0, 10 * MIB, has_audio=True)
    assert plan is not None
    # Everything the streams may write, over the duration and the encoder's buffer second.
    assert (plan.video_bps + plan.audio_bps) * 11 / 8 < 10 * MIB
    assert plan.audio_bps == 128_000
    assert plan_fit(10.0, 10 * MIB, has_audio=False).audio_bps == 0  # type: ignore[union-attr]


def test_a_video_too_long_for_a_watchable_rate_has_no_plan() -> None:
    assert plan_fit(600.0, 10 * MIB, has_audio=True) is None
    lowest = plan_fit(200.0, 10 * MIB, has_audio=True)
    assert lowest is not None and lowest.video_bps >= MIN_VIDEO_BPS
    assert lowest.short_side == 480  # a smaller picture at a low rate


def test_scaling_only_ever_shrinks_and_keeps_even_sizes() -> None:
    assert scale_filter(1920, 1080, 720) == "scale=-2:720"
    assert scale_filter(1080, 1920, 720) == "scale=720:-2"  # portrait: its width is shorter
    assert scale_filter(640, 360, 720) == "scale=trunc(iw/2)*2:trunc(ih/2)*2"


def _part(job_id: str, seconds: float, is_extend: bool) -> StoryPart:
    return StoryPart(job_id, is_extend, Path(f"{job_id}.mp4"),
                     VideoFacts(seconds, 640, 360, True))


def test_an_extend_three_seconds_longer_than_its_source_replaces_it() -> None:
    chain = [_part("a", 5, False), _part("b", 10, True), _part("c", 5, True),
             _part("d", 5, False), _part("e", 7.9, True)]
    # b contains a; c (5 s) is only new seconds after b; d is a Continue; e is < d + 3.
    assert [p.job_id for p in story_cut(chain)] == ["b", "c", "d", "e"]
    assert [p.job_id for p in story_cut([_part("a", 5, False), _part("b", 8, True)])] == ["b"]
    # A Continue never replaces, whatever its length.
    assert [p.job_id for p in story_cut([_part("a", 5, False), _part("b", 10, False)])] == [
        "a", "b"]


def test_facts_are_read_from_ffmpegs_description() -> None:
    description = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:01:05.50, start: 0.000000, bitrate: 2000 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 1900 kb/s, 30 fps
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s
"""  # noqa: E501 - FFmpeg's own lines
    assert read_facts(description) == VideoFacts(65.5, 1920, 1080, True)
    assert read_facts(description.replace("Stream #0:1[0x2](und): Audio", "")) == VideoFacts(
        65.5, 1920, 1080, False)
    assert read_facts("Input #0, mp3:\n  Duration: 00:00:03.00\n  Stream #0:0: Audio: mp3")\
        is None
