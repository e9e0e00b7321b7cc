"""A Continue's start frame, prepared in the core: the last frame of the source's video, a
spoiler when the source is one; never of a removed video."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.download import VideoFetcher
from bot.media import MAX_SOURCE_BYTES, VideoTools
from bot.publishing.posts import FramePost, refuse_removed
from bot.store import Job


@asynccontextmanager
async def frame_post(source: Job, user_id: int, *, videos: VideoFetcher, media: VideoTools
                     ) -> AsyncIterator[FramePost]:
    """The last frame of `source`'s video, for the Continue `user_id` asked for; its file is
    removed when the block ends. Raises `RemovedPart`, `CannotFit`, `DownloadFailed`,
    `VideoTooLarge` or `UnsafeVideoUrl`."""
    refuse_removed(source)
    assert source.video_url is not None
    async with (
        videos.download(source.video_url, max_bytes=MAX_SOURCE_BYTES) as video,
        media.last_frame(video.path, job_id=source.id) as frame,
    ):
        yield FramePost(source=source, path=frame.path, filename=f"kling-{source.id}-frame.jpg",
                        spoiler=source.spoiler, user_id=user_id)
