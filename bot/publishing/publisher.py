"""The core's one place to prepare a post about a job, given what it uses once (the fetcher,
FFmpeg, the model table). Each preparation reads the job's facts fresh from the store, so a
removal decided a moment ago holds against a button pressed before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.download import VideoFetcher
from bot.errors import DomainError
from bot.kling.capabilities import CapabilityTable
from bot.media import VideoTools
from bot.publishing.frames import frame_post
from bot.publishing.joins import joined_post
from bot.publishing.posts import FramePost, JoinedPost, ResultPost, refuse_removed
from bot.publishing.results import result_post
from bot.store import Job, Store


class Publisher:
    """Prepares results, Continue frames and joined stories as values to post."""

    def __init__(self, store: Store, videos: VideoFetcher, media: VideoTools,
                 capabilities: CapabilityTable, *, simulated: bool = False) -> None:
        self.store = store
        self.videos = videos
        self.media = media
        self.capabilities = capabilities
        self.simulated = simulated

    async def _fresh(self, job: Job) -> Job:
        latest = await self.store.get_job(job.id)
        if latest is None:
            raise DomainError("access.gone")
        return latest

    async def postable(self, job: Job) -> Job:
        """`job` as the store has it now, if it may still be posted. Raises `RemovedPart`."""
        latest = await self._fresh(job)
        refuse_removed(latest)
        return latest

    @asynccontextmanager
    async def result(self, job: Job, limit: int) -> AsyncIterator[ResultPost]:
        """`job`'s result message for an upload limit of `limit` bytes."""
        async with result_post(job, limit, videos=self.videos, media=self.media,
                               capabilities=self.capabilities,
                               simulated=self.simulated) as post:
            yield post

    @asynccontextmanager
    async def frame(self, source: Job, user_id: int) -> AsyncIterator[FramePost]:
        """The start frame of a Continue of `source` by `user_id`."""
        async with frame_post(await self._fresh(source), user_id, videos=self.videos,
                              media=self.media) as post:
            yield post

    @asynccontextmanager
    async def joined(self, parts: list[Job], limit: int) -> AsyncIterator[JoinedPost]:
        """The story of `parts` (oldest first) joined under `limit` bytes."""
        fresh = [await self._fresh(part) for part in parts]
        async with joined_post(fresh, limit, videos=self.videos, media=self.media) as post:
            yield post
