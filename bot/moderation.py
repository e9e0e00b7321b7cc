"""What server staff can change, each change recorded in the audit log.

Every action stores an `AuditEntry` (who, what, the value before and after, why, when) and hands
it to the `AuditSink` the engine was assembled with: the Discord layer's posts it in the
server's log channel. Recording is the one place, so no command or button has to remember to
post its line, and none can post it twice. The action also returns the entry, for the
moderator's own reply. Permission checks happen before these calls; the core trusts its caller
on who is a moderator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from bot.clock import Clock
from bot.guild_settings import GuildSettings, load_guild_settings
from bot.quotas import Period, QuotaBook
from bot.store import AuditEntry, Block, CommunityStore, LedgerStore, SettingsStore


class ModerationStore(LedgerStore, SettingsStore, CommunityStore, Protocol):
    """What moderator actions change: limits, blocks, settings, grants, and the audit log."""


class AuditSink(Protocol):
    """Where a stored moderator action goes next (the Discord layer posts it in the log
    channel). Told, not awaited: the moderator's reply never waits on that post."""

    def recorded(self, entry: AuditEntry) -> None:
        """`entry` was stored; pass it on (in the order entries were recorded)."""


class StoredOnly:
    """The sink of an engine with nothing to post to (tests and benchmarks of the core): the
    audit log keeps the entry, and that is all."""

    def recorded(self, entry: AuditEntry) -> None:
        """Nothing to do: the entry is in the store already."""


# The longest reason a moderator may give (the commands' max_length); echoes clip older ones.
REASON_LIMIT = 500


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class UsageRow:
    """One line of the usage leaderboard: a member, the credits they spent and how many jobs."""

    user_id: int
    credits: int
    jobs: int


class Moderation:
    """Moderator actions on limits, blocks, settings and grants, and the audit log that
    records them (community moderation's decisions are recorded through `record` too)."""

    def __init__(self, store: ModerationStore, quota: QuotaBook, clock: Clock = time.time, *,
                 audit: AuditSink | None = None) -> None:
        self.store = store
        self.quota = quota
        self.clock = clock
        self.audit = audit or StoredOnly()

    async def record(self, guild_id: int, actor_id: int, action: str, target_id: int | None,
                     old: Any, new: Any, reason: str | None) -> AuditEntry:
        """Store one moderator action in the audit log and hand it to the audit sink
        (community moderation's decisions come through here too)."""
        return await self._record(guild_id, actor_id, action, target_id, old, new, reason)

    async def _record(self, guild_id: int, actor_id: int, action: str, target_id: int | None,
                      old: Any, new: Any, reason: str | None) -> AuditEntry:
        entry = AuditEntry(guild_id=guild_id, actor_id=actor_id, action=action,
                           target_id=target_id, old_value=_shown(old), new_value=_shown(new),
                           reason=reason, created_at=self.clock())
        await self.store.add_audit(entry)
        self.audit.recorded(entry)
        return entry

    async def set_member_limit(self, guild_id: int, actor_id: int, user_id: int,
                               credits: int | None, reason: str | None = None) -> AuditEntry:
        """Set (or with None, clear) a member's own limit, and record it."""
        old = await self.store.member_limit(guild_id, user_id)
        await self.store.set_member_limit(guild_id, user_id, credits)
        return await self._record(guild_id, actor_id, "set_member_limit", user_id, old,
                                  credits, reason)

    async def set_role_limit(self, guild_id: int, actor_id: int, role_id: int,
                             credits: int | None, reason: str | None = None) -> AuditEntry:
        """Set (or with None, clear) a role's limit, and record it."""
        old = (await self.store.role_limits(guild_id)).get(role_id)
        await self.store.set_role_limit(guild_id, role_id, credits)
        return await self._record(guild_id, actor_id, "set_role_limit", role_id, old, credits,
                                  reason)

    async def set_setting(self, guild_id: int, actor_id: int, key: str, value: Any,
                          reason: str | None = None) -> AuditEntry:
        """Set (or with None, remove) one server setting, and record the old and new value."""
        old = (await self.store.guild_settings(guild_id)).get(key)
        await self.store.set_guild_setting(guild_id, key, value)
        return await self._record(guild_id, actor_id, f"set_{key}", None, old, value, reason)

    async def set_server_default(self, guild_id: int, actor_id: int, credits: int | None
                                 ) -> AuditEntry:
        """The limit of members with no limit of their own or from a role (None: the bot's
        default)."""
        return await self.set_setting(guild_id, actor_id, "default_credits", credits)

    async def set_server_cap(self, guild_id: int, actor_id: int, credits: int | None
                             ) -> AuditEntry:
        """The most credits the whole server may spend per period (None: no cap)."""
        return await self.set_setting(guild_id, actor_id, "server_cap", credits)

    async def grant(self, guild_id: int, actor_id: int, user_id: int, credits: int,
                    reason: str) -> AuditEntry:
        """Bonus credits, usable in the current period."""
        await self.store.add_grant(guild_id, user_id, credits, self.clock(), reason)
        return await self._record(guild_id, actor_id, "grant", user_id, None, credits, reason)

    async def block(self, guild_id: int, actor_id: int, user_id: int, reason: str
                    ) -> AuditEntry:
        """Stop a member from making videos, with the moderator's reason, and record it."""
        old = await self.store.block(guild_id, user_id)
        await self.store.set_block(guild_id, user_id, Block(reason, actor_id, self.clock()))
        return await self._record(guild_id, actor_id, "block", user_id,
                                  "blocked" if old else "not blocked", "blocked", reason)

    async def unblock(self, guild_id: int, actor_id: int, user_id: int,
                      reason: str | None = None) -> AuditEntry:
        """Let a blocked member make videos again, and record it."""
        old = await self.store.block(guild_id, user_id)
        await self.store.set_block(guild_id, user_id, None)
        return await self._record(guild_id, actor_id, "unblock", user_id,
                                  "blocked" if old else "not blocked", "not blocked", reason)

    async def history(self, guild_id: int, user_id: int, limit: int = 10) -> list[AuditEntry]:
        """The audit entries about this member, newest first."""
        return await self.store.audit_entries(guild_id, user_id, limit=limit)

    async def usage(self, guild_id: int, *, previous: bool = False, limit: int = 20
                    ) -> tuple[Period, list[UsageRow]]:
        """The leaderboard of the current (or the previous) period."""
        settings: GuildSettings = await load_guild_settings(self.store, guild_id)
        period = self.quota.period(self.clock(), settings)
        if previous:
            period = Period(period.start - 86400, period.start)
        rows = await self.store.usage(guild_id, period.start, period.end, limit=limit)
        return period, [UsageRow(u, c, j) for u, c, j in rows]
