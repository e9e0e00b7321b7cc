"""The fair queue's queries: the slots in use, the heads of the members' lines, and the places
told on the cards, in portable SQL (window functions run on SQLite and PostgreSQL alike).

A dispatch pass runs on every command and every freed slot, so none of these reads the whole
queue into Python: lines are counted and ranked inside the database, and only the jobs a pass
plans with come out, with the few columns it needs.
"""

from __future__ import annotations

from bot.store.models import IN_FLIGHT, InFlight, Job, QueuedJob
from bot.store.sql_base import SqlPrimitives, marks, row_to_job

IN_FLIGHT_VALUES = tuple(state.value for state in IN_FLIGHT)
# Ids per statement when places are stored in bulk (within every driver's parameter limit).
CHUNK = 500


class QueueQueries(SqlPrimitives):
    """The reads a dispatch pass plans with, and the places it stores."""

    async def in_flight(self) -> InFlight:
        """See `JobStore.in_flight`."""
        async with self._read() as tx:
            # An unconfirmed job (SUBMITTED with no task id: its create was cut off) holds no
            # slot: it may never have reached Kling, and it can wait for its deadline for a
            # long time; counting it would block its member's queue that long.
            rows = await tx.fetch(
                f"SELECT guild_id, user_id, COUNT(*) AS n FROM jobs "
                f"WHERE state IN ({marks(IN_FLIGHT_VALUES)}) "
                f"AND NOT (state = 'submitted' AND task_id IS NULL) "
                f"GROUP BY guild_id, user_id", IN_FLIGHT_VALUES)
        by_guild: dict[int, int] = {}
        by_member: dict[tuple[int, int], int] = {}
        for row in rows:
            guild, user, count = int(row["guild_id"] or 0), int(row["user_id"]), int(row["n"])
            by_guild[guild] = by_guild.get(guild, 0) + count
            by_member[(guild, user)] = count
        return InFlight(sum(by_member.values()), by_guild, by_member)

    async def queue_line_lengths(self) -> list[int]:
        """See `JobStore.queue_line_lengths`."""
        async with self._read() as tx:
            rows = await tx.fetch("SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued' "
                                  "GROUP BY guild_id, user_id")
        return [int(row["n"]) for row in rows]

    async def queue_lines(self, depth: int, *, near: int) -> list[QueuedJob]:
        """See `JobStore.queue_lines`."""
        # ROW_NUMBER ranks each member's queued jobs inside the database; only the heads of
        # the lines (and the few jobs whose place needs telling) come out, five columns each.
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT id, guild_id, user_id, created_at, queue_position FROM (SELECT id, "
                "guild_id, user_id, created_at, queue_position, ROW_NUMBER() OVER (PARTITION "
                "BY guild_id, user_id ORDER BY created_at, id) AS line_rank FROM jobs "
                "WHERE state = 'queued') AS line WHERE line_rank <= ? "
                "OR queue_position IS NULL OR queue_position <= ? ORDER BY created_at, id",
                (depth, near))
        return [QueuedJob(str(row["id"]), row["guild_id"], int(row["user_id"]),
                          float(row["created_at"]), row["queue_position"]) for row in rows]

    async def place_in_queue(self, places: dict[str, int]) -> list[Job]:
        """See `JobStore.place_in_queue`."""
        by_place: dict[int, list[str]] = {}
        for job_id, place in places.items():
            by_place.setdefault(place, []).append(job_id)
        # One statement per place and chunk: most jobs of a long queue share one place (beyond
        # the ones told exactly), so a backlog's first pass is a few statements, not thousands.
        async with self._tx() as tx:
            for place, ids in by_place.items():
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start:start + CHUNK]
                    await tx.execute(
                        f"UPDATE jobs SET queue_position = ? WHERE state = 'queued' "
                        f"AND id IN ({marks(chunk)})", (place, *chunk))
        ids = list(places)
        placed: list[Job] = []
        async with self._read() as tx:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                rows = await tx.fetch(f"SELECT * FROM jobs WHERE state = 'queued' "
                                      f"AND id IN ({marks(chunk)})", chunk)
                placed += (row_to_job(row) for row in rows)
        return [job for job in placed if job.queue_position == places[job.id]]

    async def last_dispatch_times(self) -> dict[tuple[int, int], float]:
        """See `JobStore.last_dispatch_times`."""
        async with self._read() as tx:
            rows = await tx.fetch(
                "SELECT guild_id, user_id, MAX(dispatched_at) AS t FROM jobs "
                "WHERE dispatched_at IS NOT NULL AND (guild_id, user_id) IN "
                "(SELECT guild_id, user_id FROM jobs WHERE state = 'queued') "
                "GROUP BY guild_id, user_id")
        return {(int(r["guild_id"] or 0), int(r["user_id"])): float(r["t"]) for r in rows}
