"""Reaction rewards: when a result collects the server's reward emoji from enough distinct
members, its creator gets bonus credits for the period, at most a server-set number of times
per period. Off by default (no emoji, or 0 credits).

Each member counts once per result, for good: a vote is a row keyed by (job, member), so taking
a reaction away and adding it again does not count twice, and a reward is a row keyed by the
job, so a result pays at most once. Reactions by the creator and by blocked members are not
counted, and neither are reactions by bot accounts (any bot, not only this one): a reward is
what people think of a video.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.guild_settings import load_guild_settings
from bot.quotas import QuotaBook
from bot.store import CommunityStore, Job, JobState, JobStore, SettingsStore

log = logging.getLogger(__name__)


class RewardStore(JobStore, SettingsStore, CommunityStore, Protocol):
    """The voted result, the voter's block and the server's settings, the votes and rewards."""


@dataclass(frozen=True)
class RewardPaid:
    """A reward just paid: the result's job, the credits its creator got, and the votes it
    needed."""

    job: Job
    credits: int
    voters: int


class Rewards:
    """Reaction rewards: counts members' votes on results and pays the creator once a result has
    enough."""

    def __init__(self, store: RewardStore, quota: QuotaBook, clock: Clock) -> None:
        self.store = store
        self.quota = quota
        self.clock = clock

    async def reaction_added(self, guild_id: int, message_id: int, user_id: int, emoji: str,
                             *, by_bot: bool = False) -> RewardPaid | None:
        """Count a reaction on a result message (`by_bot`: a bot account's, never counted); the
        reward when this one made it due."""
        if by_bot:
            return None
        settings = await load_guild_settings(self.store, guild_id)
        if not settings.reward_emoji or settings.reward_credits <= 0:
            return None
        if emoji != settings.reward_emoji:
            return None
        job = await self.store.job_by_result_message(message_id)
        if job is None or job.guild_id != guild_id or job.state is not JobState.DELIVERED:
            return None
        if user_id == job.user_id or await self.store.block(guild_id, user_id) is not None:
            return None
        now = self.clock()
        if not await self.store.add_reaction_vote(job.id, user_id, now):
            return None  # counted before
        period = self.quota.period(now, settings)
        paid = await self.store.reward_if_due(
            guild_id, job.user_id, job.id, credits=settings.reward_credits,
            votes_needed=max(1, settings.reward_voters),
            max_per_period=settings.reward_max_per_period, period_start=period.start, at=now)
        if not paid:
            return None
        log.info("Job %s: reaction reward of %d credits to %s", job.id,
                 settings.reward_credits, job.user_id)
        return RewardPaid(job, settings.reward_credits, settings.reward_voters)
