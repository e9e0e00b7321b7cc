"""The store's queries about joined stories (the Join the story button): a claim while one is
joined, then where it was posted."""

from __future__ import annotations

from bot.store.models import JoinedStory
from bot.store.sql_base import SqlPrimitives


class StoryQueries(SqlPrimitives):
    """Joined stories, in portable SQL."""

    async def joined_story(self, job_id: str) -> JoinedStory | None:
        """See `ChainStore.joined_story`."""
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT job_id, channel_id, message_id, claimed_until FROM joined_stories "
                "WHERE job_id = ?", (job_id,))
        if not rows:
            return None
        row = rows[0]
        return JoinedStory(
            job_id=str(row["job_id"]),
            channel_id=None if row["channel_id"] is None else int(row["channel_id"]),
            message_id=None if row["message_id"] is None else int(row["message_id"]),
            claimed_until=float(row["claimed_until"]))

    async def claim_story(self, job_id: str, now: float, until: float,
                          owner: str | None = None) -> bool:
        """See `ChainStore.claim_story`: one statement, so two processes never both win."""
        async with self._tx() as tx:
            # One statement: a new row, or an abandoned claim (expired, nothing posted) taken
            # over; a posted story or a live claim is left alone and counts no row.
            changed = await tx.execute(
                "INSERT INTO joined_stories (job_id, claimed_until, created_at, owner) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
                "claimed_until = excluded.claimed_until, owner = excluded.owner "
                "WHERE joined_stories.message_id IS NULL AND joined_stories.claimed_until < ?",
                (job_id, until, now, owner, now))
        return changed > 0

    async def renew_story_claim(self, job_id: str, now: float, until: float, owner: str
                                ) -> bool:
        """See `ChainStore.renew_story_claim`."""
        async with self._tx() as tx:
            changed = await tx.execute(
                "UPDATE joined_stories SET claimed_until = ? WHERE job_id = ? "
                "AND message_id IS NULL AND owner = ? "
                "AND claimed_until >= ?", (until, job_id, owner, now))
        return changed > 0

    async def release_story_claims(self, owner: str | None) -> int:
        """See `ChainStore.release_story_claims`."""
        async with self._tx() as tx:
            if owner is None:
                return await tx.execute("DELETE FROM joined_stories WHERE message_id IS NULL")
            return await tx.execute(
                "DELETE FROM joined_stories WHERE message_id IS NULL AND owner = ?", (owner,))

    async def record_story(self, job_id: str, channel_id: int, message_id: int) -> None:
        """See `ChainStore.record_story`."""
        async with self._tx() as tx:
            await tx.execute(
                "UPDATE joined_stories SET channel_id = ?, message_id = ? WHERE job_id = ?",
                (channel_id, message_id, job_id))

    async def release_story(self, job_id: str) -> None:
        """See `ChainStore.release_story`: a posted story is kept."""
        async with self._tx() as tx:
            await tx.execute(
                "DELETE FROM joined_stories WHERE job_id = ? AND message_id IS NULL", (job_id,))
