"""Direct messages to a member who asked for them (`/video notify on`): their video is ready,
with a jump link to it, or their job failed (and was refunded), with a link to its card.

A notice is a courtesy on top of the public post, never part of delivering the job: it is
sent after the result is posted, and nothing that goes wrong here reaches the delivery. A
member whose DMs are closed to the bot (Discord answers 403 with code 50007, "Cannot send
messages to this user") is skipped silently: they chose that, and there is no one else to
tell.
"""

from __future__ import annotations

import logging

import discord

from bot.discord.i18n.render import failure_reason, shown_prompt
from bot.discord.i18n.texts import DEFAULT_LANGUAGE, clip, speaking, text
from bot.discord.interactions import jump_url
from bot.store import Job, SettingsStore

log = logging.getLogger(__name__)

DMS_CLOSED = 50007  # "Cannot send messages to this user"
PROMPT_CLIP = 100


class DirectNotices:
    """Sends a member's job notices by direct message, when they asked for them."""

    def __init__(self, client: discord.Client, store: SettingsStore) -> None:
        self.client = client
        self.store = store

    async def ready(self, job: Job, channel_id: int, message_id: int) -> None:
        """The video of `job` was posted as `message_id` in `channel_id` (nothing is sent
        for a video a moderator removed: there is nothing to link to). A spoiler's link is a
        spoiler too, as its post is."""
        if job.removed:
            return
        link = jump_url(job.guild_id, channel_id, message_id)
        if job.spoiler:
            link = f"||{link}||"
        await self._send(job, "dm.ready", link=link, nonce=f"{job.id}d")

    async def failed(self, job: Job) -> None:
        """`job` failed (its requester was told in the channel): tell them by DM too."""
        where = (jump_url(job.guild_id, job.channel_id, job.status_message_id)
                 if job.status_message_id else f"<#{job.post_channel_id}>")
        await self._send(job, "dm.failed", link=where, nonce=f"{job.id}x",
                         reason=failure_reason(job))

    async def _send(self, job: Job, key: str, *, link: str, nonce: str, **fields: object
                    ) -> None:
        try:
            preferences = await self.store.member_preferences(job.guild_id or 0, job.user_id)
            if not preferences.notify_dm:
                return
            prompt = shown_prompt(job, PROMPT_CLIP, one_line=True)
            with speaking(preferences.language or DEFAULT_LANGUAGE):
                message = clip(text(key, link=link, prompt=prompt, **fields), 2000)
            channel = await self.client.create_dm(discord.Object(id=job.user_id))
            await channel.send(message, allowed_mentions=discord.AllowedMentions.none(),
                               nonce=nonce)
            log.info("Job %s: told member %s by DM (%s)", job.id, job.user_id, key)
        except discord.Forbidden as exc:
            if exc.code == DMS_CLOSED:
                log.info("Job %s: member %s does not take DMs from the bot; no notice",
                         job.id, job.user_id)
                return
            log.warning("Job %s: could not DM member %s (%s)", job.id, job.user_id, exc.code)
        except Exception:
            # A notice is a courtesy: whatever went wrong must not touch the job.
            log.warning("Job %s: could not DM member %s", job.id, job.user_id, exc_info=True)
