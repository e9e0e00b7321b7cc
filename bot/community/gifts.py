"""Gifts: a member gives some of their unused credits for the period to another member.

A server turns it on with a share (`give_share`, percent of the giver's allowance per period;
0, the default, is off). The store checks and writes both sides in one transaction under the
same lock as a reservation, so a gift and the giver's own spending can never both use the same
credits. What a gift gives is the giver's to spend, so it never adds to what the whole server
can spend: the server's cap is checked on every job as before, whoever's credits pay for it.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.clock import Clock
from bot.errors import DomainError
from bot.guild_settings import load_guild_settings
from bot.moderation import Moderation
from bot.quotas import QuotaBook
from bot.store import AuditEntry, LedgerStore, SettingsStore

log = logging.getLogger(__name__)


class GiftStore(LedgerStore, SettingsStore, Protocol):
    """A gift's checks (the giver's block, the server's settings) and its ledger entries."""


class GiftRefused(DomainError):
    """`gift.off`, `gift.self`, `gift.blocked`, `gift.to_bot` (a bot account spends nothing),
    `gift.to_blocked` (a blocked member could not spend it), `gift.remaining` (with `remaining`), or
    `gift.share` (with `left`, what the share still allows, and `share`, the percentage)."""


class Gifts:
    """Members giving credits to each other, checked against the server's share and the giver's
    unused allowance; every gift is audited."""

    def __init__(self, store: GiftStore, quota: QuotaBook, moderation: Moderation,
                 clock: Clock) -> None:
        self.store = store
        self.quota = quota
        self.moderation = moderation
        self.clock = clock

    async def give(self, guild_id: int, giver_id: int, giver_roles: tuple[int, ...],
                   receiver_id: int, credits: int, *, receiver_is_bot: bool = False
                   ) -> AuditEntry:
        """Move `credits` of the giver's allowance this period to the receiver. Raises `GiftRefused`
        saying which rule refused it; nothing moves then. Credits that could never be spent (a
        bot account's, a blocked member's) are refused rather than lost."""
        settings = await load_guild_settings(self.store, guild_id)
        if settings.give_share <= 0:
            raise GiftRefused("gift.off")
        if giver_id == receiver_id:
            raise GiftRefused("gift.self")
        if await self.store.block(guild_id, giver_id) is not None:
            raise GiftRefused("gift.blocked")
        if receiver_is_bot:
            raise GiftRefused("gift.to_bot")
        if await self.store.block(guild_id, receiver_id) is not None:
            raise GiftRefused("gift.to_blocked")
        now = self.clock()
        period = self.quota.period(now, settings)
        limit = await self.quota.limit_for(guild_id, giver_id, giver_roles, settings)
        share_limit = limit.credits * settings.give_share // 100
        outcome = await self.store.give_credits(
            guild_id, giver_id, receiver_id, credits, giver_limit=limit.credits,
            share_limit=share_limit, period_start=period.start, at=now,
            note=f"gift {giver_id}->{receiver_id}")
        if outcome.refusal == "remaining":
            raise GiftRefused("gift.remaining", {"remaining": outcome.remaining})
        if outcome.refusal == "share":
            raise GiftRefused("gift.share", {"left": max(0, share_limit - outcome.given_before),
                                             "share": settings.give_share})
        log.info("Guild %s: %s gave %d credits to %s", guild_id, giver_id, credits, receiver_id)
        return await self.moderation.record(guild_id, giver_id, "gift", receiver_id, None,
                                            credits, None)
