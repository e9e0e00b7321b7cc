"""Building jobs for the pure dispatch tests (no store needed)."""

from __future__ import annotations

from bot.store import Job, JobState


def job(job_id: str, guild: int, user: int, created: float) -> Job:
    return Job(id=job_id, guild_id=guild, channel_id=1, user_id=user, state=JobState.QUEUED,
               action="text2video", model="kling-v1", mode="std", duration=5, prompt="p",
               request={}, cost=1, callback_token="t", created_at=created, updated_at=created,
               deadline_at=created + 60)
