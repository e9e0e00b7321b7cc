"""Real, playable videos for the tests, made by FFmpeg (the project's own, from imageio-ffmpeg)
in the test's set-up, and an independent reading of what a file plays: FFmpeg decodes it whole
(`-f null`), so a file that is not playable to its end fails here, and its duration is the
decoded one, not the container's claim."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.media import ffmpeg_executable

_STREAM_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: .*?(?<![0-9])(\d{2,5})x(\d{2,5})(?![0-9])")


@dataclass(frozen=True)
class Played:
    seconds: float
    width: int
    height: int
    audio: bool
    video_codec: str
    audio_codec: str | None


def make_video(path: Path, *, seconds: float, size: str = "640x360", rate: int = 24,
               tone: bool = True, lossless: bool = False, pattern: str = "testsrc2") -> Path:
    """A test pattern of `seconds` with a sine tone; `lossless` makes it large (several MB a
    second at 720p), for the fitting tests."""
    args = [ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i",
            f"{pattern}=size={size}:rate={rate}:duration={seconds}"]
    if tone:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    if lossless:
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"]
    else:
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28"]
    args += ["-pix_fmt", "yuv420p"]
    if tone:
        args += ["-c:a", "aac", "-b:a", "128k"]
    subprocess.run([*args, str(path)], check=True, timeout=120)
    return path


def play(path: Path) -> Played:
    """Decode the whole file and say what played."""
    done = subprocess.run(
        [ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0",
         "-f", "null", "-", "-progress", "pipe:1", "-nostats"],
        capture_output=True, text=True, timeout=120, check=True)
    times = re.findall(r"out_time_us=(\d+)", done.stdout)
    video = _STREAM_VIDEO.search(done.stderr)
    assert video is not None and times, done.stderr
    inputs = done.stderr.split("Stream mapping:")[0]
    video_codec = re.search(r"Video: (\w+)", inputs)
    audio_codec = re.search(r"Audio: (\w+)", inputs)
    return Played(seconds=int(times[-1]) / 1e6, width=int(video[1]), height=int(video[2]),
                  audio=audio_codec is not None,
                  video_codec=video_codec[1] if video_codec else "",
                  audio_codec=audio_codec[1] if audio_codec else None)


def image_size(path: Path) -> tuple[int, int]:
    """The width and height of an image, as FFmpeg reads it."""
    done = subprocess.run([ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True, timeout=30, check=False)
    found = _STREAM_VIDEO.search(done.stderr)
    assert found is not None, done.stderr
    return int(found[1]), int(found[2])
