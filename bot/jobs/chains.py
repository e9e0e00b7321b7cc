"""Chains: a chain of jobs, each an Extend or a Continue of the one before (`parent_job_id`),
joined into one video by the Join the story button. Here: which jobs make the story under a
part, and the claim that keeps one story from being joined and posted twice.

The claim carries the process's INSTANCE_ID and lives by a heartbeat: a running Join renews it
every `JOIN_RENEW_SECONDS` for as long as it runs (downloads, FFmpeg and upload together may
take longer than any fixed lease), so a claim whose process died runs out within
`JOIN_HEARTBEAT_SECONDS`, and a restarted process releases its own claims at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from bot.clock import Clock
from bot.errors import DomainError
from bot.jobs.join_turns import JoinTurns
from bot.publishing import refuse_removed
from bot.store import ChainStore, Job, JobState, JobStore, JoinedStory

log = logging.getLogger(__name__)


class StoryStore(JobStore, ChainStore, Protocol):
    """A chain's jobs, and the claim that joins its story once."""


# A chain longer than this is cut at its newest parts (a guard against a loop in the rows).
MAX_PARTS = 30
# A claim nobody renews runs out after this; a running Join renews it well before.
JOIN_HEARTBEAT_SECONDS = 120.0
JOIN_RENEW_SECONDS = 30.0
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

    def __init__(self, store: StoryStore, clock: Clock, *, instance_id: str = "local",
                 turns: JoinTurns | None = None) -> None:
        self.store = store
        self.clock = clock
        self.instance_id = instance_id
        # The Joins running at once (see `JoinTurns`); `turns.turn(user_id)` before a claim.
        self.turns = turns or JoinTurns(total=1, per_member=1)

    async def release_dead_claims(self, *, single_process: bool) -> None:
        """At start: the claims this process held before it stopped (every claim, when it is
        the only process) belong to Joins that died with it."""
        released = await self.store.release_story_claims(
            None if single_process else self.instance_id)
        if released:
            log.info("Released %d story claim(s) of Joins that did not finish", released)

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
        return await self.store.claim_story(job_id, now, now + JOIN_HEARTBEAT_SECONDS,
                                            self.instance_id)

    async def renew(self, job_id: str) -> bool:
        """Keep a running Join's claim alive; False when it was lost."""
        now = self.clock()
        return await self.store.renew_story_claim(job_id, now, now + JOIN_HEARTBEAT_SECONDS,
                                                  self.instance_id)

    @contextlib.asynccontextmanager
    async def heartbeat(self, job_id: str) -> AsyncIterator[None]:
        """Renew the claim on `job_id` while the block runs."""
        task = asyncio.create_task(self._beat(job_id), name=f"join-heartbeat-{job_id}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _beat(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(JOIN_RENEW_SECONDS)
            try:
                if not await self.renew(job_id):
                    log.warning("Job %s: the story's claim ran out while it was joined", job_id)
                    return
            except Exception:
                log.warning("Job %s: the story's claim could not be renewed", job_id,
                            exc_info=True)

    async def posted(self, job_id: str, channel_id: int, message_id: int) -> None:
        """Record the joined story's message: a second press points at it."""
        await self.store.record_story(job_id, channel_id, message_id)
        log.info("Story under job %s joined and posted as message %s", job_id, message_id)

    async def abandon(self, job_id: str) -> None:
        """Give up a claim that posted nothing, so a later press may try again."""
        await self.store.release_story(job_id)
