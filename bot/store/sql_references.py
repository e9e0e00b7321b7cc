"""The store's queries about the images members set aside for their next /video omni
("Use as reference"): add, list, clear, each member's set kept apart and expiring by itself."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.models import PendingReference
from bot.store.sql_base import SqlPrimitives, Tx

_SELECT = ("SELECT url, filename, added_at, expires_at FROM pending_references "
           "WHERE guild_id = ? AND user_id = ? AND expires_at > ? ORDER BY added_at, position")


class ReferenceQueries(SqlPrimitives):
    """Pending references in portable SQL."""

    @staticmethod
    async def _pending(tx: Tx, guild_id: int, user_id: int, now: float
                       ) -> list[PendingReference]:
        rows = await tx.fetch(_SELECT, (guild_id, user_id, now))
        return [PendingReference(url=str(r["url"]), filename=str(r["filename"]),
                                 added_at=float(r["added_at"]),
                                 expires_at=float(r["expires_at"])) for r in rows]

    async def add_references(self, guild_id: int, user_id: int,
                             references: Sequence[PendingReference], *, now: float,
                             limit: int) -> list[PendingReference]:
        """See `ReferenceStore.add_references`."""
        async with self._tx() as tx:
            # The member's lock (the one their reservations take) keeps two menus used at
            # once from passing the limit together.
            await self._lock_spender(tx, guild_id, user_id)
            await tx.execute("DELETE FROM pending_references WHERE expires_at <= ?", (now,))
            pending = await self._pending(tx, guild_id, user_id, now)
            held = {ref.url for ref in pending}
            room = limit - len(pending)
            for position, ref in enumerate(references):
                if room <= 0:
                    break
                if ref.url in held:
                    continue
                await tx.execute(
                    "INSERT INTO pending_references (guild_id, user_id, url, filename, "
                    "added_at, position, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (guild_id, user_id, ref.url, ref.filename, ref.added_at, position,
                     ref.expires_at))
                held.add(ref.url)
                room -= 1
            return await self._pending(tx, guild_id, user_id, now)

    async def pending_references(self, guild_id: int, user_id: int, now: float
                                 ) -> list[PendingReference]:
        """See `ReferenceStore.pending_references`."""
        async with self._read() as tx:
            return await self._pending(tx, guild_id, user_id, now)

    async def clear_references(self, guild_id: int, user_id: int) -> int:
        """See `ReferenceStore.clear_references`."""
        async with self._tx() as tx:
            return await tx.execute(
                "DELETE FROM pending_references WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id))
