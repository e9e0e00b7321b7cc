"""Running FFmpeg: the binary the project's own install brings (the `imageio-ffmpeg` wheel
carries a static build), started as a subprocess with `asyncio.create_subprocess_exec`, so the
event loop never waits on it; at most `concurrency` encodes at once (the machine's cores are
shared with everything else the bot does); killed when it outlives its timeout, and on Linux
when the bot itself dies, however it dies (the kernel's parent-death signal): a killed bot
leaves no encode running past its timeout beside the one its restart starts.

The wheel has no ffprobe, so what a file holds is read from `ffmpeg -i`'s description of its
input: the duration, the first video stream's size, whether there is sound.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import os
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.config import Settings

log = logging.getLogger(__name__)

# What is kept of FFmpeg's error output for the log: its last lines say what went wrong.
ERROR_TAIL = 600
PROBE_TIMEOUT = 30.0

_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: .*?(?<![0-9])(\d{2,5})x(\d{2,5})(?![0-9])")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: ")


# prctl(2): the signal a child receives when the thread that started it ends.
PR_SET_PDEATHSIG = 1


def _libc_prctl() -> Callable[..., int] | None:
    """libc's prctl, found once in the parent (nothing is looked up in the forked child)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(
            ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        log.warning("prctl is unavailable: FFmpeg will not die with the bot if it is killed")
        return None


_PRCTL = _libc_prctl()


def die_with_parent(parent: int) -> None:
    """Runs in the forked child before FFmpeg starts: SIGKILL it when the bot (`parent`)
    ends; if the bot died already, between the fork and this call, end at once."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)


class MediaFailed(Exception):
    """FFmpeg could not do it. `timed_out` when it was stopped for taking too long."""

    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        self.reason = reason
        self.timed_out = timed_out
        super().__init__(reason)


@dataclass(frozen=True)
class VideoFacts:
    """What a video file holds, as FFmpeg reads it."""

    duration: float
    width: int
    height: int
    has_audio: bool


def ffmpeg_executable() -> str:
    """The FFmpeg binary of the `imageio-ffmpeg` wheel (a dependency of the project): no
    download at run time, no system package assumed."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def read_facts(description: str) -> VideoFacts | None:
    """The facts in `ffmpeg -i`'s description of its input, or None if it names no video."""
    duration = _DURATION.search(description)
    video = _VIDEO.search(description)
    if duration is None or video is None:
        return None
    hours, minutes, seconds = duration.groups()
    return VideoFacts(
        duration=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        width=int(video[1]), height=int(video[2]),
        has_audio=_AUDIO.search(description) is not None)


class FFmpeg:
    """The process's FFmpeg: one binary, a limit on encodes running at once, a timeout."""

    def __init__(self, executable: str, *, concurrency: int = Settings.transcode_concurrency,
                 timeout: float = Settings.transcode_timeout_seconds) -> None:
        self.executable = executable
        self.timeout = timeout
        self._slots = asyncio.Semaphore(max(1, concurrency))

    async def probe(self, path: Path) -> VideoFacts:
        """Duration, size and sound of a video file. Raises `MediaFailed` for a file that is
        not a video FFmpeg can read."""
        # `ffmpeg -i` with no output describes the input and exits 1; only the text counts.
        _, description = await self._spawn(["-i", str(path)], PROBE_TIMEOUT)
        facts = read_facts(description)
        if facts is None or facts.duration <= 0:
            raise MediaFailed("not a video FFmpeg can read")
        return facts

    async def run(self, args: list[str]) -> None:
        """Run one encode (waiting for a free slot first). Raises `MediaFailed`."""
        async with self._slots:
            code, errors = await self._spawn(
                ["-nostats", "-loglevel", "error", "-y", *args], self.timeout)
        if code != 0:
            raise MediaFailed(errors.strip()[-ERROR_TAIL:] or f"exit status {code}")

    async def _spawn(self, args: list[str], seconds: float) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            self.executable, "-hide_banner", "-nostdin", *args,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            # The event loop's thread starts it and lives as long as the process.
            preexec_fn=partial(die_with_parent, os.getpid()) if _PRCTL is not None else None)
        try:
            async with asyncio.timeout(seconds):
                _, errors = await process.communicate()
        except TimeoutError:
            await _stop(process)
            raise MediaFailed(f"took longer than {seconds:g}s", timed_out=True) from None
        except BaseException:
            await _stop(process)  # cancelled: the encode must not outlive its caller
            raise
        assert process.returncode is not None
        return process.returncode, errors.decode("utf-8", "replace")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        try:
            process.kill()
        except ProcessLookupError:
            pass
        await process.wait()
