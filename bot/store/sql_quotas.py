"""The store's queries about credits and staff: the ledger (spend, grants, usage), member and
role limits, blocks, per-server settings and the audit log. The job queries are in `sql`."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Sequence
from typing import Any

from bot.store.models import AuditEntry, Block, MemberPreferences
from bot.store.sql_base import SPENDING, SqlPrimitives, Tx


class QuotaQueries(SqlPrimitives):
    """Credits, limits, blocks, settings and the audit log, in portable SQL."""

    # -- the ledger --------------------------------------------------------------------------

    async def credits_spent(self, guild_id: int, user_id: int, since: float) -> int:
        """See `LedgerStore.credits_spent`."""
        async with self._read() as tx:
            return await self._member_spent(tx, guild_id, user_id, since)

    async def add_grant(self, guild_id: int, user_id: int, credits: int, at: float,
                        note: str | None) -> None:
        """See `LedgerStore.add_grant`; a grant is a negative committed entry, so spending sums
        net it."""
        async with self._tx() as tx:
            await tx.execute(
                "INSERT INTO ledger (id, guild_id, user_id, job_id, kind, amount, status, "
                "created_at, note) VALUES (?, ?, ?, NULL, 'grant', ?, 'committed', ?, ?)",
                (uuid.uuid4().hex, guild_id, user_id, -credits, at, note))

    async def usage(self, guild_id: int, since: float, until: float, *, limit: int = 20
                    ) -> list[tuple[int, int, int]]:
        """See `LedgerStore.usage`; only job entries count, so grants do not lower a member's
        spend."""
        async with self._read() as tx:
            rows = await tx.fetch(
                f"SELECT user_id, SUM(amount) AS credits, COUNT(*) AS jobs FROM ledger "
                f"WHERE guild_id = ? AND kind = 'job' AND created_at >= ? AND created_at < ? "
                f"AND {SPENDING} GROUP BY user_id ORDER BY credits DESC, user_id LIMIT ?",
                (guild_id, since, until, limit))
        return [(int(r["user_id"]), int(r["credits"]), int(r["jobs"])) for r in rows]

    # -- limits, blocks and settings ---------------------------------------------------------

    async def member_limit(self, guild_id: int, user_id: int) -> int | None:
        """See `SettingsStore.member_limit`."""
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT credits FROM member_limits WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id))
        return int(rows[0]["credits"]) if rows else None

    async def set_member_limit(self, guild_id: int, user_id: int, credits: int | None
                               ) -> None:
        """See `SettingsStore.set_member_limit`."""
        async with self._tx() as tx:
            if credits is None:
                await tx.execute("DELETE FROM member_limits WHERE guild_id = ? AND user_id = ?",
                                 (guild_id, user_id))
            else:
                await tx.execute(
                    "INSERT INTO member_limits (guild_id, user_id, credits) VALUES (?, ?, ?) "
                    "ON CONFLICT (guild_id, user_id) DO UPDATE SET credits = excluded.credits",
                    (guild_id, user_id, credits))

    async def role_limits(self, guild_id: int) -> dict[int, int]:
        """See `SettingsStore.role_limits`; read through the guild cache."""
        return dict(await self.guild_cache.read("roles", guild_id,
                                                lambda: self._role_limits(guild_id)))

    async def _role_limits(self, guild_id: int) -> dict[int, int]:
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT role_id, credits FROM role_limits WHERE guild_id = ?", (guild_id,))
        return {int(r["role_id"]): int(r["credits"]) for r in rows}

    async def set_role_limit(self, guild_id: int, role_id: int, credits: int | None
                             ) -> None:
        """See `SettingsStore.set_role_limit`; the server's cached rows are dropped either way."""
        try:
            await self._set_role_limit(guild_id, role_id, credits)
        finally:
            self.guild_cache.forget(guild_id)

    async def _set_role_limit(self, guild_id: int, role_id: int, credits: int | None
                              ) -> None:
        async with self._tx() as tx:
            if credits is None:
                await tx.execute("DELETE FROM role_limits WHERE guild_id = ? AND role_id = ?",
                                 (guild_id, role_id))
            else:
                await tx.execute(
                    "INSERT INTO role_limits (guild_id, role_id, credits) VALUES (?, ?, ?) "
                    "ON CONFLICT (guild_id, role_id) DO UPDATE SET credits = excluded.credits",
                    (guild_id, role_id, credits))

    async def block(self, guild_id: int, user_id: int) -> Block | None:
        """See `SettingsStore.block`."""
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT reason, blocked_by, blocked_at FROM member_blocks "
                "WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        if not rows:
            return None
        row = rows[0]
        return Block(str(row["reason"]), int(row["blocked_by"]), float(row["blocked_at"]))

    async def set_block(self, guild_id: int, user_id: int, block: Block | None) -> None:
        """See `SettingsStore.set_block`."""
        async with self._tx() as tx:
            await tx.execute("DELETE FROM member_blocks WHERE guild_id = ? AND user_id = ?",
                             (guild_id, user_id))
            if block is not None:
                await tx.execute(
                    "INSERT INTO member_blocks (guild_id, user_id, reason, blocked_by, "
                    "blocked_at) VALUES (?, ?, ?, ?, ?)",
                    (guild_id, user_id, block.reason, block.blocked_by, block.blocked_at))

    async def guild_settings(self, guild_id: int) -> dict[str, Any]:
        """See `SettingsStore.guild_settings`."""
        # A deep copy: values are JSON (lists too), and callers may change what they get.
        return copy.deepcopy(await self.guild_cache.read(
            "settings", guild_id, lambda: self._guild_settings(guild_id)))

    async def _guild_settings(self, guild_id: int) -> dict[str, Any]:
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return {str(r["key"]): json.loads(r["value"]) for r in rows}

    async def set_guild_setting(self, guild_id: int, key: str, value: Any) -> None:
        """See `SettingsStore.set_guild_setting`; the server's cached rows are dropped either
        way."""
        try:
            await self._set_guild_setting(guild_id, key, value)
        finally:
            self.guild_cache.forget(guild_id)

    async def _set_guild_setting(self, guild_id: int, key: str, value: Any) -> None:
        async with self._tx() as tx:
            await self._write_setting(tx, guild_id, key, value)

    async def change_guild_settings(self, guild_id: int, changes: dict[str, Any],
                                    entries: Sequence[AuditEntry]) -> None:
        """See `SettingsStore.change_guild_settings`; the server's cached rows are dropped either
        way."""
        try:
            async with self._tx() as tx:
                for key, value in changes.items():
                    await self._write_setting(tx, guild_id, key, value)
                for entry in entries:
                    await self._insert_audit(tx, entry)
        finally:
            self.guild_cache.forget(guild_id)

    @staticmethod
    async def _write_setting(tx: Tx, guild_id: int, key: str, value: Any) -> None:
        if value is None:
            await tx.execute("DELETE FROM guild_settings WHERE guild_id = ? AND key = ?",
                             (guild_id, key))
            return
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
            (guild_id, key, json.dumps(value)))

    async def member_preferences(self, guild_id: int, user_id: int) -> MemberPreferences:
        """See `SettingsStore.member_preferences`."""
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT notify_dm, language FROM member_preferences "
                "WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        if not rows:
            return MemberPreferences()
        return MemberPreferences(notify_dm=bool(rows[0]["notify_dm"]),
                                 language=rows[0]["language"])

    async def set_member_preferences(self, guild_id: int, user_id: int,
                                     preferences: MemberPreferences) -> None:
        """See `SettingsStore.set_member_preferences`."""
        async with self._tx() as tx:
            await tx.execute(
                "INSERT INTO member_preferences (guild_id, user_id, notify_dm, language) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                "notify_dm = excluded.notify_dm, language = excluded.language",
                (guild_id, user_id, preferences.notify_dm, preferences.language))

    # -- the audit log -----------------------------------------------------------------------

    async def add_audit(self, entry: AuditEntry) -> None:
        """See `CommunityStore.add_audit`."""
        async with self._tx() as tx:
            await self._insert_audit(tx, entry)

    @staticmethod
    async def _insert_audit(tx: Tx, entry: AuditEntry) -> None:
        await tx.execute(
            "INSERT INTO audit_log (id, guild_id, actor_id, action, target_id, old_value, "
            "new_value, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, entry.guild_id, entry.actor_id, entry.action, entry.target_id,
             entry.old_value, entry.new_value, entry.reason, entry.created_at))

    async def audit_entries(self, guild_id: int, target_id: int | None = None, *,
                            limit: int = 10) -> list[AuditEntry]:
        """See `CommunityStore.audit_entries`."""
        where, params = "guild_id = ?", [guild_id]
        if target_id is not None:
            where += " AND target_id = ?"
            params.append(target_id)
        async with self._read() as tx:
            rows = await tx.fetch(
                f"SELECT guild_id, actor_id, action, target_id, old_value, new_value, reason, "
                f"created_at FROM audit_log WHERE {where} ORDER BY created_at DESC LIMIT ?",
                (*params, limit))
        return [AuditEntry(
            guild_id=int(r["guild_id"]), actor_id=int(r["actor_id"]), action=str(r["action"]),
            target_id=int(r["target_id"]) if r["target_id"] is not None else None,
            old_value=r["old_value"], new_value=r["new_value"], reason=r["reason"],
            created_at=float(r["created_at"])) for r in rows]
