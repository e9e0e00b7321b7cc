"""Chains: a chain of jobs, each an Extend or a Continue of the one before (`parent_job_id`),
joined into one video by the Join the story button. Here: which jobs make the story under a
part, and the claim that keeps one story from being joined and posted twice."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.clock import Clock
from bot.errors import DomainError
from bot.publishing import refuse_removed
from bot.store import ChainStore, Job, JobState, JobStore, JoinedStory

log = logging.getLogger(__name__)


class StoryStore(JobStore, ChainStore, Protocol):
    """A chain's jobs, and the claim that joins its story once."""


# A chain longer than this is cut at its newest parts (a guard against a loop in the rows).
MAX_PARTS = 30
JOIN_LEASE_SECONDS = 900.0
DONE = (JobState.SUCCEEDED, JobState.DELIVERED)


class NoChain(DomainError):
    """There is nothing to join under this part: `access.story_short` (fewer than two
    finished parts) or `access.gone`."""


def continues(job: Job) -> bool:
    """Whether `job` is a Continue: an image-to-video job started from its parent's last
    frame (an Extend carries action "extend")."""
    return job.parent_job_id is not None and job.action == "image2video"


class Chains:
    """Which parts make the story under a result, and the claim that joins it once."""

    def __init__(self, store: StoryStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def chain(self, job_id: str) -> list[Job]:
        """The finished parts of the story ending at `job_id`, oldest first. Raises
        `NoChain`, or `RemovedPart` when a moderator removed any part (a removed video is
        never posted again, not even inside a story)."""
        newest = await self.store.get_job(job_id)
        if newest is None:
            raise NoChain("access.gone")
        parts = [newest]
        seen = {newest.id}
        while parts[-1].parent_job_id is not None and len(parts) < MAX_PARTS:
            parent = await self.store.get_job(parts[-1].parent_job_id)
            if parent is None or parent.id in seen:
                break
            seen.add(parent.id)
            parts.append(parent)
        parts.reverse()
        if len(parts) < 2 or any(p.state not in DONE or not p.video_url for p in parts):
            raise NoChain("access.story_short")
        refuse_removed(*parts)
        return parts

    async def earlier(self, job_id: str) -> JoinedStory | None:
        """The story already joined (or being joined) under `job_id`."""
        return await self.store.joined_story(job_id)

    async def claim(self, job_id: str) -> bool:
        """The right to join the story under `job_id` now (False: posted already, or being
        joined)."""
        now = self.clock()
        return await self.store.claim_story(job_id, now, now + JOIN_LEASE_SECONDS)

    async def posted(self, job_id: str, channel_id: int, message_id: int) -> None:
        """Record the joined story's message: a second press points at it."""
        await self.store.record_story(job_id, channel_id, message_id)
        log.info("Story under job %s joined and posted as message %s", job_id, message_id)

    async def abandon(self, job_id: str) -> None:
        """Give up a claim that posted nothing, so a later press may try again."""
        await self.store.release_story(job_id)
