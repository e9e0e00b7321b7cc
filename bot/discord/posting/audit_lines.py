"""The audit log's lines in the server's log channel: the core's `AuditSink`.

The core records every moderator action (`bot.moderation.Moderation.record`) and tells this
sink, which posts the line in the log channel, in the server's language. The posts run in the
background, one at a time in the order the actions were recorded, so a moderator's reply never
waits on the log channel and a command that records several changes posts them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

from bot.discord.i18n.languages import ServerLanguages
from bot.discord.i18n.texts import speaking
from bot.discord.posting.cards import audit_line
from bot.guild_settings import load_guild_settings
from bot.store import AuditEntry, SettingsStore

log = logging.getLogger(__name__)

# How long closing waits for the lines still waiting to be posted.
CLOSE_SECONDS = 5.0


class AuditLines:
    """Posts each recorded moderator action in its server's log channel, when one is set."""

    def __init__(self, client: discord.Client, store: SettingsStore, languages: ServerLanguages
                 ) -> None:
        self.client = client
        self.store = store
        self.languages = languages
        self._waiting: asyncio.Queue[AuditEntry] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def recorded(self, entry: AuditEntry) -> None:
        """Queue `entry`'s line; one worker posts the queue in order (started when needed)."""
        self._waiting.put_nowait(entry)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._post_waiting(), name="audit-lines")

    async def _post_waiting(self) -> None:
        while not self._waiting.empty():
            entry = self._waiting.get_nowait()
            try:
                await self.post(entry)
            except Exception:
                log.exception("Could not post the audit line of guild %s", entry.guild_id)

    async def post(self, entry: AuditEntry) -> None:
        """Post a moderator action to the server's log channel, when one is set."""
        settings = await load_guild_settings(self.store, entry.guild_id)
        if settings.log_channel_id is None:
            return
        with speaking(await self.languages.of(entry.guild_id, settings)):
            line = audit_line(entry)
        try:
            await self.client.get_partial_messageable(
                settings.log_channel_id, guild_id=entry.guild_id).send(
                line, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("Could not post to the log channel of guild %s (%s)", entry.guild_id,
                        exc.status)

    async def close(self) -> None:
        """Let the lines still waiting be posted (a few seconds at most), then stop."""
        worker = self._worker
        if worker is None or worker.done():
            return
        await asyncio.wait({worker}, timeout=CLOSE_SECONDS)
        if not worker.done():
            log.warning("Stopping with %d audit lines not posted", self._waiting.qsize() + 1)
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
