"""What the bot does to videos, on temporary files in the instance's own folder (emptied at
start, so a killed process leaves nothing behind for long): fit one to an upload limit, take its
last frame, join a story's parts. Each gives its file for the `async with` block only."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.errors import DomainError
from bot.media.ffmpeg import FFmpeg, MediaFailed, VideoFacts
from bot.media.fitting import encode_args, fit_command, plan_fit
from bot.media.joining import StoryPart, concat_command, story_cut

log = logging.getLogger(__name__)

# The largest result the bot fetches to fit (a 10 s 4K video is a few hundred MB); above it the
# link is posted.
MAX_SOURCE_BYTES = 2 * 1024 ** 3
# The retry after an encode landed over the limit: this much lower, and by the overshoot.
RETRY_FACTOR = 0.85


class CannotFit(DomainError):
    """No video could be made to fit: `result.fit_too_long` (only below a watchable quality;
    params `limit` in MB), `result.fit_failed` (FFmpeg could not), `result.fit_timed_out` (it
    took too long)."""


@dataclass(frozen=True)
class Upload:
    """A file ready to attach: the original when it fits, else the re-encoded one."""

    path: Path
    size: int
    fitted: bool
    duration: float | None = None
    parts: int = 1


@dataclass(frozen=True)
class Frame:
    """A still image (JPEG) from a video, with the video's size, to start the next part from."""

    path: Path
    width: int
    height: int


def _mb(limit: int) -> int:
    return limit // (1024 * 1024)


class VideoTools:
    """Fitting, last frames and stories, with the process's FFmpeg, in `directory`."""

    def __init__(self, ffmpeg: FFmpeg, directory: Path) -> None:
        self.ffmpeg = ffmpeg
        self.directory = directory

    @asynccontextmanager
    async def _scratch(self, suffix: str) -> AsyncIterator[Path]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="media-", suffix=suffix, dir=self.directory)
        os.close(fd)
        path = Path(name)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)  # noqa: ASYNC240 - a local unlink is instant

    async def probe(self, path: Path) -> VideoFacts:
        """The video's facts; raises `MediaFailed` (not `CannotFit`) when FFmpeg cannot read it."""
        return await self.ffmpeg.probe(path)

    @asynccontextmanager
    async def fitted(self, source: Path, size: int, limit: int, *, job_id: str = "-"
                     ) -> AsyncIterator[Upload]:
        """The video as it can be attached under `limit` bytes: itself when it fits, else
        re-encoded (H.264/AAC MP4, sound kept). Raises `CannotFit`."""
        if size <= limit:
            yield Upload(source, size, fitted=False)
            return
        facts = await self._facts(source, job_id)
        plan = plan_fit(facts.duration, limit, facts.has_audio)
        if plan is None:
            raise CannotFit("result.fit_too_long", {"limit": _mb(limit)})
        async with self._scratch(".mp4") as target:
            for attempt in (1, 2):
                await self._encode(fit_command(str(source), str(target), plan, facts.width,
                                               facts.height), job_id)
                fitted_size = target.stat().st_size
                log.info("Job %s: fitted %d bytes into %d (limit %d, %d bit/s video, try %d)",
                         job_id, size, fitted_size, limit, plan.video_bps, attempt)
                if fitted_size <= limit:
                    yield Upload(target, fitted_size, fitted=True, duration=facts.duration)
                    return
                plan = plan.lowered(RETRY_FACTOR * limit / fitted_size)
        raise CannotFit("result.fit_too_long", {"limit": _mb(limit)})

    @asynccontextmanager
    async def last_frame(self, source: Path, *, job_id: str = "-") -> AsyncIterator[Frame]:
        """The video's last frame as a JPEG at the video's own size. Raises `CannotFit`
        (`result.fit_failed` / `result.fit_timed_out`) when FFmpeg cannot read it."""
        facts = await self._facts(source, job_id)
        async with self._scratch(".jpg") as target:
            # Read the last second and keep overwriting one image: what is left is the last
            # frame, however the video's frames are timed.
            await self._encode(["-sseof", "-1", "-i", str(source), "-map", "0:v:0",
                                "-update", "1", "-q:v", "2", "-f", "image2", str(target)],
                               job_id)
            if target.stat().st_size == 0:
                raise CannotFit("result.fit_failed")
            yield Frame(target, facts.width, facts.height)

    @asynccontextmanager
    async def joined(self, chain: list[tuple[str, bool, Path]], limit: int, *,
                     job_id: str = "-") -> AsyncIterator[Upload]:
        """The story of `chain` ((job id, is an extend, file), oldest first) as one video under
        `limit` bytes. Raises `CannotFit`."""
        parts = [StoryPart(part_id, is_extend, path, await self._facts(path, job_id))
                 for part_id, is_extend, path in chain]
        kept = story_cut(parts)
        duration = sum(p.facts.duration for p in kept)
        plan = plan_fit(duration, limit, any(p.facts.has_audio for p in kept))
        if plan is None:
            raise CannotFit("result.fit_too_long", {"limit": _mb(limit)})
        first = kept[0].facts
        size = _story_size(first.width, first.height, plan.short_side)
        async with self._scratch(".mp4") as target:
            for attempt in (1, 2):
                await self._encode(concat_command(kept, str(target), size, encode_args(plan)),
                                   job_id)
                joined_size = target.stat().st_size
                log.info("Job %s: joined %d part(s) of %d, %.1fs, into %d bytes (try %d)",
                         job_id, len(kept), len(parts), duration, joined_size, attempt)
                if joined_size <= limit:
                    yield Upload(target, joined_size, fitted=True, duration=duration,
                                 parts=len(kept))
                    return
                plan = plan.lowered(RETRY_FACTOR * limit / joined_size)
        raise CannotFit("result.fit_too_long", {"limit": _mb(limit)})

    async def _facts(self, path: Path, job_id: str) -> VideoFacts:
        try:
            return await self.ffmpeg.probe(path)
        except MediaFailed as exc:
            log.warning("Job %s: FFmpeg cannot read the video (%s)", job_id, exc.reason)
            raise _failure(exc) from None

    async def _encode(self, args: list[str], job_id: str) -> None:
        try:
            await self.ffmpeg.run(args)
        except MediaFailed as exc:
            log.warning("Job %s: FFmpeg failed (%s)", job_id, exc.reason)
            raise _failure(exc) from None


def _failure(exc: MediaFailed) -> CannotFit:
    return CannotFit("result.fit_timed_out" if exc.timed_out else "result.fit_failed")


def _story_size(width: int, height: int, short_side: int | None) -> tuple[int, int]:
    """The joined picture's size: the first part's, scaled down to the plan's shorter side,
    even."""
    if short_side is not None and min(width, height) > short_side:
        scale = short_side / min(width, height)
        width, height = round(width * scale), round(height * scale)
    return width // 2 * 2, height // 2 * 2
