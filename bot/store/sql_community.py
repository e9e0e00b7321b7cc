"""The store's queries for community moderation: prompt filters, reports, gifts between
members and reaction rewards. Gifts and rewards are ledger rows (kinds `gift_out`, `gift_in`,
`reward`) written in the same kind of locked transaction as a reservation, so the ledger stays
exact whatever runs at the same time."""

from __future__ import annotations

import uuid
from typing import Any

from bot.store.models import FilterRow, GiftOutcome, JoinedStory, Report
from bot.store.sql_base import MEMBER_SPENT, SqlPrimitives

REPORT_COLUMNS = ("id", "guild_id", "job_id", "reporter_id", "requester_id", "reason", "status",
                  "created_at", "log_message_id", "decided_by", "decided_at")
GIVEN = ("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE guild_id = ? AND user_id = ? "
         "AND kind = 'gift_out' AND created_at >= ?")


def _report(row: dict[str, Any]) -> Report:
    return Report(**{column: row[column] for column in REPORT_COLUMNS})


class CommunityQueries(SqlPrimitives):
    """Filters, reports, gifts and rewards, in portable SQL."""

    # -- prompt filters ----------------------------------------------------------------------

    async def prompt_filters(self, guild_id: int) -> list[FilterRow]:
        """See `CommunityStore.prompt_filters`; read through the guild cache."""
        return list(await self.guild_cache.read("filters", guild_id,
                                                lambda: self._prompt_filters(guild_id)))

    async def _prompt_filters(self, guild_id: int) -> list[FilterRow]:
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT pattern, is_regex, added_by, added_at FROM prompt_filters "
                "WHERE guild_id = ? ORDER BY added_at, pattern", (guild_id,))
        return [FilterRow(str(r["pattern"]), bool(r["is_regex"]), int(r["added_by"]),
                          float(r["added_at"])) for r in rows]

    async def add_prompt_filter(self, guild_id: int, rule: FilterRow) -> bool:
        """See `CommunityStore.add_prompt_filter`; the server's cached rows are dropped either
        way."""
        try:
            return await self._add_prompt_filter(guild_id, rule)
        finally:
            self.guild_cache.forget(guild_id)

    async def _add_prompt_filter(self, guild_id: int, rule: FilterRow) -> bool:
        async with self._tx() as tx:
            return bool(await tx.execute(
                "INSERT INTO prompt_filters (guild_id, pattern, is_regex, added_by, added_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, pattern) DO NOTHING",
                (guild_id, rule.pattern, int(rule.is_regex), rule.added_by, rule.added_at)))

    async def remove_prompt_filter(self, guild_id: int, pattern: str) -> FilterRow | None:
        """See `CommunityStore.remove_prompt_filter`; the server's cached rows are dropped either
        way."""
        try:
            return await self._remove_prompt_filter(guild_id, pattern)
        finally:
            self.guild_cache.forget(guild_id)

    async def _remove_prompt_filter(self, guild_id: int, pattern: str) -> FilterRow | None:
        async with self._tx() as tx:
            rows = await tx.fetch(
                "DELETE FROM prompt_filters WHERE guild_id = ? AND pattern = ? "
                "RETURNING pattern, is_regex, added_by, added_at", (guild_id, pattern))
        if not rows:
            return None
        r = rows[0]
        return FilterRow(str(r["pattern"]), bool(r["is_regex"]), int(r["added_by"]),
                         float(r["added_at"]))

    # -- reports -----------------------------------------------------------------------------

    async def add_report(self, report: Report) -> bool:
        """Store a report; False when this member already reported this job."""
        async with self._tx() as tx:
            return bool(await tx.execute(
                f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) VALUES "
                f"({', '.join('?' for _ in REPORT_COLUMNS)}) "
                "ON CONFLICT (job_id, reporter_id) DO NOTHING",
                tuple(getattr(report, column) for column in REPORT_COLUMNS)))

    async def has_reported(self, job_id: str, reporter_id: int) -> bool:
        """See `CommunityStore.has_reported`."""
        async with self._read() as tx:
            return bool(await self._scalar(
                tx, "SELECT COUNT(*) AS n FROM reports WHERE job_id = ? AND reporter_id = ?",
                (job_id, reporter_id)))

    async def get_report(self, report_id: str) -> Report | None:
        """See `CommunityStore.get_report`."""
        async with self._read() as tx:
            rows = await tx.fetch("SELECT * FROM reports WHERE id = ?", (report_id,))
        return _report(rows[0]) if rows else None

    async def set_report_message(self, report_id: str, message_id: int) -> None:
        """See `CommunityStore.set_report_message`."""
        async with self._tx() as tx:
            await tx.execute("UPDATE reports SET log_message_id = ? WHERE id = ?",
                             (message_id, report_id))

    async def decide_report(self, report_id: str, status: str, decided_by: int, at: float
                            ) -> Report | None:
        """Close an open report (compare-and-set: one moderator's decision wins). A removal
        marks the reported job removed in the same transaction, so no path can post it again
        once the decision stands."""
        async with self._tx() as tx:
            changed = await tx.execute(
                "UPDATE reports SET status = ?, decided_by = ?, decided_at = ? "
                "WHERE id = ? AND status = 'open'", (status, decided_by, at, report_id))
            if changed and status == "removed":
                await tx.execute(
                    "UPDATE jobs SET removed_at = ?, removed_by = ? WHERE removed_at IS NULL "
                    "AND id = (SELECT job_id FROM reports WHERE id = ?)",
                    (at, decided_by, report_id))
        return await self.get_report(report_id) if changed else None

    async def mark_removed(self, job_id: str, removed_by: int, at: float) -> None:
        """See `CommunityStore.mark_removed`: the first removal's time and moderator stand."""
        async with self._tx() as tx:
            await tx.execute(
                "UPDATE jobs SET removed_at = ?, removed_by = ? WHERE id = ? "
                "AND removed_at IS NULL", (at, removed_by, job_id))

    async def stories_with_part(self, job_id: str) -> list[JoinedStory]:
        """See `CommunityStore.stories_with_part`: the stories joined under the job or under any
        later part of its chain (its descendants by `parent_job_id`; UNION, not UNION ALL,
        so a loop in the rows ends)."""
        async with self._read() as tx:
            rows = await tx.fetch(
                "WITH RECURSIVE later (id) AS ("
                " SELECT id FROM jobs WHERE id = ?"
                " UNION SELECT jobs.id FROM jobs JOIN later ON jobs.parent_job_id = later.id) "
                "SELECT s.job_id, s.channel_id, s.message_id, s.claimed_until "
                "FROM joined_stories s JOIN later ON s.job_id = later.id "
                "WHERE s.message_id IS NOT NULL ORDER BY s.job_id", (job_id,))
        return [JoinedStory(job_id=str(row["job_id"]), channel_id=int(row["channel_id"]),
                            message_id=int(row["message_id"]),
                            claimed_until=float(row["claimed_until"])) for row in rows]

    # -- gifts -------------------------------------------------------------------------------

    async def give_credits(self, guild_id: int, giver_id: int, receiver_id: int, credits: int,
                           *, giver_limit: int, share_limit: int, period_start: float,
                           at: float, note: str | None = None) -> GiftOutcome:
        """See `LedgerStore.give_credits`."""
        async with self._tx() as tx:
            # The same lock as a reservation: a gift and the giver's own spending (or a
            # second gift) cannot both pass on the same credits.
            await self._lock_spender(tx, guild_id, giver_id)
            [row] = await tx.fetch(
                f"SELECT ({MEMBER_SPENT}) AS spent, ({GIVEN}) AS given",
                (guild_id, giver_id, period_start, guild_id, giver_id, period_start))
            spent, given = int(row["spent"] or 0), int(row["given"] or 0)
            remaining = max(0, giver_limit - spent)
            if credits > remaining:
                return GiftOutcome(False, remaining, given, refusal="remaining")
            if given + credits > share_limit:
                return GiftOutcome(False, remaining, given, refusal="share")
            for user, kind, amount in ((giver_id, "gift_out", credits),
                                       (receiver_id, "gift_in", -credits)):
                await tx.execute(
                    "INSERT INTO ledger (id, guild_id, user_id, job_id, kind, amount, status, "
                    "created_at, note) VALUES (?, ?, ?, NULL, ?, ?, 'committed', ?, ?)",
                    (uuid.uuid4().hex, guild_id, user, kind, amount, at, note))
        return GiftOutcome(True, remaining, given)

    # -- reaction rewards --------------------------------------------------------------------

    async def add_reaction_vote(self, job_id: str, user_id: int, at: float) -> bool:
        """Count a member's reaction on a result once; False when it was counted before."""
        async with self._tx() as tx:
            return bool(await tx.execute(
                "INSERT INTO reaction_votes (job_id, user_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (job_id, user_id) DO NOTHING", (job_id, user_id, at)))

    async def reward_if_due(self, guild_id: int, user_id: int, job_id: str, *, credits: int,
                            votes_needed: int, max_per_period: int, period_start: float,
                            at: float) -> bool:
        """Pay the creator of `job_id` its reward when its votes reach `votes_needed`, once
        per job and at most `max_per_period` times in the period; True when paid now."""
        async with self._tx() as tx:
            await self._lock_spender(tx, guild_id, user_id)
            [row] = await tx.fetch(
                "SELECT (SELECT COUNT(*) FROM reaction_votes WHERE job_id = ?) AS votes, "
                "(SELECT COUNT(*) FROM reaction_rewards WHERE job_id = ?) AS paid, "
                "(SELECT COUNT(*) FROM reaction_rewards WHERE guild_id = ? AND user_id = ? "
                "AND created_at >= ?) AS times",
                (job_id, job_id, guild_id, user_id, period_start))
            if int(row["votes"]) < votes_needed or int(row["paid"]) or (
                    int(row["times"]) >= max_per_period):
                return False
            await tx.execute(
                "INSERT INTO reaction_rewards (job_id, guild_id, user_id, credits, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (job_id, guild_id, user_id, credits, at))
            await tx.execute(
                "INSERT INTO ledger (id, guild_id, user_id, job_id, kind, amount, status, "
                "created_at, note) VALUES (?, ?, ?, NULL, 'reward', ?, 'committed', ?, ?)",
                (uuid.uuid4().hex, guild_id, user_id, -credits, at, job_id))
        return True
