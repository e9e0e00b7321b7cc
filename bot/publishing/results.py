"""A finished job's result message, prepared in the core: the video downloaded (streamed to a
temporary file), attached when it fits the server's upload limit, re-encoded to fit when it
does not (the link button keeps the original), else posted as its link with the reason; and
the buttons under it, by what the job's model can do."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from bot.download import DownloadFailed, VideoFetcher, VideoTooLarge
from bot.kling.capabilities import CapabilityTable
from bot.media import MAX_SOURCE_BYTES, CannotFit, VideoTools
from bot.publishing.posts import Note, ResultPost, refuse_removed
from bot.store import Job

log = logging.getLogger(__name__)

REFUSED_AS_TOO_LARGE = Note("result.link_refused")


def result_buttons(job: Job, capabilities: CapabilityTable) -> tuple[str, ...]:
    """Extend and Extend with a new prompt where the job's model can extend a video, else
    Continue and Continue with a new prompt where it can start from an image (a button that
    can only refuse is worse than none); Join the story under a part of a chain; Report in a
    server."""
    kinds: list[str] = []
    model = capabilities.get(job.model)
    if model is not None and model.extend:
        kinds += ["extend", "extend-prompt"]
    elif model is not None and model.image2video:
        kinds += ["continue", "continue-prompt"]
    if job.parent_job_id is not None:
        kinds.append("join")
    if job.guild_id is not None:  # members report a result to the server's moderators
        kinds.append("report")
    return tuple(kinds)


def _mb(limit: int) -> int:
    return limit // (1024 * 1024)


@asynccontextmanager
async def result_post(job: Job, limit: int, *, videos: VideoFetcher, media: VideoTools,
                      capabilities: CapabilityTable, simulated: bool
                      ) -> AsyncIterator[ResultPost]:
    """The result of `job` for a server whose upload limit is `limit` bytes; its file is
    removed when the block ends. Raises `RemovedPart`; `UnsafeVideoUrl` goes up too (the job
    fails: no link to a private host is ever posted)."""
    refuse_removed(job)
    assert job.video_url is not None
    linked = ResultPost(
        job=job, form="link", path=None, filename=f"kling-{job.id}.mp4", spoiler=job.spoiler,
        buttons=result_buttons(job, capabilities),
        # The simulated video's address is the bot's own 127.0.0.1: no link to it.
        link=None if simulated else job.video_url, notes=(), mention_user_id=job.user_id)
    async with AsyncExitStack() as files:
        try:
            video = await files.enter_async_context(
                videos.download(job.video_url, max_bytes=MAX_SOURCE_BYTES))
            upload = await files.enter_async_context(
                media.fitted(video.path, video.size, limit, job_id=job.id))
        except VideoTooLarge:
            post = linked.as_link(Note("result.link_too_large", {"limit": _mb(limit)}))
        except CannotFit as exc:
            log.info("Job %s: the video cannot be fitted to %d bytes (%s); posting the link",
                     job.id, limit, exc.code)
            post = linked.as_link(Note(exc.code, dict(exc.params)))
        except DownloadFailed as exc:
            log.warning("Job %s: download failed (%s); posting the link", job.id, exc)
            post = linked.as_link(Note("result.link_download"))
        else:
            notes = (Note("result.fitted", {"limit": _mb(limit)}),) if upload.fitted else ()
            post = dataclasses.replace(linked, form="fitted" if upload.fitted else "attach",
                                       path=upload.path, notes=notes)
        # Outside the try: what the caller does with the post is not a download's failure.
        yield post
