"""A member's pending omni references: images set aside with the "Use as reference" message
menu, used by their next /video omni.

The point of the menu is images already posted in the channel (or forwarded, or unfurled from
a link), which a slash command's attachment options cannot reach. The set lives in the store,
so it survives a restart and every process of a sharded bot sees the same one. Each image is
kept `ttl` seconds (10 minutes): Discord's attachment links are signed and expire after about
a day, so a short wait between gathering and using them is safe, and a forgotten set does not
linger. A set holds at most as many images as an omni job takes (7).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.store import PendingReference, ReferenceStore

log = logging.getLogger(__name__)

REFERENCE_TTL_SECONDS = 600.0
MAX_REFERENCES = 7


@dataclass(frozen=True)
class FoundImage:
    """An image found in a message: where Kling can fetch it, and its name to list it by."""

    url: str
    filename: str


@dataclass(frozen=True)
class AddOutcome:
    """What an add did: how many images were new, how many did not fit, and the set now."""

    added: int
    left_out: int
    pending: list[PendingReference]


class PendingReferences:
    """Adds, lists and clears members' pending references (per server)."""

    def __init__(self, store: ReferenceStore, clock: Clock, *, ttl: float = REFERENCE_TTL_SECONDS,
                 limit: int = MAX_REFERENCES) -> None:
        self.store = store
        self.clock = clock
        self.ttl = ttl
        self.limit = limit

    async def add(self, guild_id: int, user_id: int, images: Sequence[FoundImage]
                  ) -> AddOutcome:
        """Set `images` aside for the member's next /video omni (those already set aside are
        kept once; past the limit, the rest are left out)."""
        now = self.clock()
        before = await self.store.pending_references(guild_id, user_id, now)
        fresh = [PendingReference(url=image.url, filename=image.filename, added_at=now,
                                  expires_at=now + self.ttl) for image in images]
        pending = await self.store.add_references(guild_id, user_id, fresh, now=now,
                                                  limit=self.limit)
        known = {ref.url for ref in before}
        added = len({ref.url for ref in pending} - known)
        new = len({image.url for image in images} - known)
        log.info("Guild %s user %s: %d reference(s) added, %d pending", guild_id, user_id,
                 added, len(pending))
        return AddOutcome(added=added, left_out=new - added, pending=pending)

    async def pending(self, guild_id: int, user_id: int) -> list[PendingReference]:
        """The member's set, oldest first (expired images are not in it)."""
        return await self.store.pending_references(guild_id, user_id, self.clock())

    async def clear(self, guild_id: int, user_id: int) -> None:
        """Forget the member's pending references (the Clear button)."""
        await self.store.clear_references(guild_id, user_id)
