"""A joined story, prepared in the core: the chain's parts downloaded and joined into one
video under the server's upload limit; a spoiler when any part is one; never with a removed
part in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.download import VideoFetcher
from bot.media import MAX_SOURCE_BYTES, VideoTools
from bot.publishing.posts import JoinedPost, refuse_removed
from bot.store import Job


@asynccontextmanager
async def joined_post(parts: list[Job], limit: int, *, videos: VideoFetcher,
                      media: VideoTools) -> AsyncIterator[JoinedPost]:
    """`parts` (oldest first) joined into one video under `limit` bytes; its files are
    removed when the block ends. Raises `RemovedPart`, `CannotFit`, `DownloadFailed`,
    `VideoTooLarge` or `UnsafeVideoUrl`."""
    refuse_removed(*parts)
    newest = parts[-1]
    async with AsyncExitStack() as files:
        chain = []
        for part in parts:
            assert part.video_url is not None
            video = await files.enter_async_context(
                videos.download(part.video_url, max_bytes=MAX_SOURCE_BYTES))
            chain.append((part.id, part.action == "extend", video.path))
        story = await files.enter_async_context(media.joined(chain, limit, job_id=newest.id))
        yield JoinedPost(newest=newest, path=story.path, filename=f"kling-story-{newest.id}.mp4",
                         spoiler=any(part.spoiler for part in parts), parts=story.parts,
                         seconds=round(story.duration or 0.0),
                         buttons=("report",) if newest.guild_id is not None else ())
