"""The simulated Kling's videos: a short, real, playable MP4 made with FFmpeg (a test pattern,
with the prompt drawn on it when a font can be found, and a tone when sound was asked for).

FFmpeg is the static binary of the `imageio-ffmpeg` wheel, which the bot's own install brings:
nothing to install on the system, nothing downloaded at run time. It runs as a subprocess with
a timeout, never on the event loop.

Text needs a font file. FFmpeg's `drawtext` finds none by itself without fontconfig (a slim
Docker image has neither), so a few usual places are tried; without a font the video is the
pattern alone, which is still a video of the right shape and length.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap
from pathlib import Path

from bot.media import ffmpeg_executable

log = logging.getLogger(__name__)

RENDER_TIMEOUT = 120.0
# Small frames: the point is a playable video of the right shape and length, made quickly on
# whatever machine the bot runs on.
FRAME_SIZES = {"16:9": (640, 360), "9:16": (360, 640), "1:1": (480, 480)}
FONT_CANDIDATES = (
    # Nanum first: it has Hangul as well as Latin letters (the Docker image installs it).
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",  # macOS
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
PROMPT_LINE = 38
PROMPT_LINES = 6


class RenderFailed(Exception):
    """FFmpeg could not make the video (or took too long)."""


def find_font() -> Path | None:
    """A font file for the drawn text, or None (the video then has no text)."""
    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def caption(prompt: str, model: str, seconds: float) -> str:
    """The words drawn on the video: what it is, then the prompt, wrapped and cut short."""
    lines = textwrap.wrap(" ".join(prompt.split()), PROMPT_LINE) or ["(no prompt)"]
    if len(lines) > PROMPT_LINES:
        lines = [*lines[:PROMPT_LINES - 1], lines[PROMPT_LINES - 1][:PROMPT_LINE - 1] + "…"]
    return "\n".join([f"SIMULATED KLING · {model} · {seconds:g} s", "", *lines])


def _filter_value(value: str) -> str:
    """A value inside an FFmpeg filter graph: `\\`, `:` and `'` escaped."""
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def ffmpeg_command(ffmpeg: str, output: Path, *, seconds: float, size: tuple[int, int],
                   audio: bool, font: Path | None, text_file: Path | None) -> list[str]:
    """The FFmpeg call that writes the video to `output`."""
    width, height = size
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=24:duration={seconds}"]
    if audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:"
                                         f"duration={seconds}"]
    if font is not None and text_file is not None:
        # A line of PROMPT_LINE characters fits the width (a glyph is about 0.6 em wide);
        # `expansion=none`: a % in the prompt is a percent sign, not a drawtext function.
        size_px = max(10, min(height // 20, int(width / (PROMPT_LINE * 0.62))))
        drawn = (f"drawtext=fontfile='{_filter_value(str(font))}'"
                 f":textfile='{_filter_value(str(text_file))}':expansion=none"
                 f":fontsize={size_px}:fontcolor=white:line_spacing=6"
                 f":box=1:boxcolor=black@0.6:boxborderw=12:x=(w-text_w)/2:y=(h-text_h)/2")
        command += ["-vf", drawn]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p"]
    if audio:
        command += ["-c:a", "aac", "-b:a", "64k"]
    command += ["-t", f"{seconds}", "-movflags", "+faststart", str(output)]
    return command


async def render_video(output: Path, *, prompt: str, model: str, seconds: float,
                       aspect_ratio: str | None, audio: bool) -> None:
    """Write a `seconds`-long MP4 to `output`. Raises `RenderFailed`."""
    font = find_font()
    text_file = None
    if font is not None:
        # A file, not the filter's `text=` option: the prompt's characters need no escaping.
        text_file = output.with_suffix(".txt")
        text_file.write_text(caption(prompt, model, seconds), encoding="utf-8")
    size = FRAME_SIZES.get(aspect_ratio or "16:9", FRAME_SIZES["16:9"])
    command = ffmpeg_command(ffmpeg_executable(), output, seconds=seconds, size=size,
                             audio=audio, font=font, text_file=text_file)
    process = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(RENDER_TIMEOUT):
            _, errors = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RenderFailed(f"FFmpeg took longer than {RENDER_TIMEOUT:g} s") from None
    finally:
        if text_file is not None:
            text_file.unlink(missing_ok=True)
    if process.returncode != 0:
        raise RenderFailed(errors.decode("utf-8", "replace").strip()[-300:]
                           or f"FFmpeg exited with {process.returncode}")
