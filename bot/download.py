"""Fetching a finished video: streamed to a temporary file, never whole in memory, and
abandoned as soon as it is known to be larger than the place it is going to accepts."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

log = logging.getLogger(__name__)

CHUNK = 256 * 1024


class VideoTooLarge(Exception):
    """The video exceeds the cap. `size` is its size when the server said it, else None."""

    def __init__(self, size: int | None, cap: int) -> None:
        self.size = size
        self.cap = cap
        super().__init__(f"video is larger than {cap} bytes")


class DownloadFailed(Exception):
    """The file could not be fetched (HTTP error or connection trouble)."""


@dataclass(frozen=True)
class DownloadedVideo:
    path: Path
    size: int


@asynccontextmanager
async def downloaded_video(session: aiohttp.ClientSession, url: str, *, max_bytes: int,
                           total_seconds: float = 300.0) -> AsyncIterator[DownloadedVideo]:
    """Download `url` into a temporary file that exists for the `async with` block only."""
    fd, name = tempfile.mkstemp(prefix="klingcord-", suffix=".mp4")
    path = Path(name)
    try:
        size = 0
        limit = aiohttp.ClientTimeout(total=total_seconds)
        with os.fdopen(fd, "wb") as sink:
            try:
                async with session.get(url, timeout=limit) as resp:
                    if resp.status >= 400:
                        raise DownloadFailed(f"HTTP {resp.status}")
                    if resp.content_length is not None and resp.content_length > max_bytes:
                        raise VideoTooLarge(resp.content_length, max_bytes)
                    async for chunk in resp.content.iter_chunked(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise VideoTooLarge(resp.content_length, max_bytes)
                        sink.write(chunk)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise DownloadFailed(type(exc).__name__) from None
        yield DownloadedVideo(path, size)
    finally:
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - a local unlink is instant
