"""Finding a result the bot posted before a crash, so that a resumed delivery records it
instead of posting the video a second time.

Discord's nonce catches a repeated post only for a few minutes; a delivery resumed after a
longer outage reads the newest messages of the job's thread and channel instead.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import discord

from bot.discord.i18n.texts import CATALOGUES, speaking
from bot.discord.posting.cards import result_footer
from bot.publishing import Posted
from bot.store import Job

log = logging.getLogger(__name__)

# How many of the newest messages (since the delivery first started, less a slack for clocks
# that disagree) are read, per channel.
RESULT_SEARCH_LIMIT = 500
RESULT_SEARCH_SLACK = 300.0


def is_result_of(message: discord.Message, job_id: str) -> bool:
    """Whether `message` is the result of `job_id`: its embed's footer names the job, in
    whichever language the server had when it was posted (older results name it only in their
    Extend buttons' custom ids)."""
    footers = set()
    for language in CATALOGUES.languages:
        with speaking(language):
            footers.add(result_footer(job_id))
    if any(embed.footer.text in footers for embed in message.embeds):
        return True
    return any(
        isinstance(child, discord.Button) and child.custom_id is not None
        and child.custom_id.startswith("kling:extend") and child.custom_id.endswith(f":{job_id}")
        for row in message.components if isinstance(row, discord.ActionRow)
        for child in row.children)


async def earlier_result(client: discord.Client, job: Job) -> Posted | None:
    """Where a result message for `job` that the bot posted since its delivery first
    started, in the job's thread or (where a delivery falls back to) its channel; None
    when there is none. A channel the bot may not read (no Read Message History, gone)
    is skipped, and the result is posted again; any other error fails this delivery, so
    it is retried later rather than risk a second post."""
    bot_user = client.user
    if bot_user is None:
        return None
    started = job.delivery_started_at or time.time()
    since = datetime.fromtimestamp(started - RESULT_SEARCH_SLACK, tz=UTC)
    for channel_id in dict.fromkeys((job.post_channel_id, job.channel_id)):
        history = client.get_partial_messageable(channel_id, guild_id=job.guild_id).history(
            limit=RESULT_SEARCH_LIMIT, after=since, oldest_first=False)
        try:
            async for message in history:
                if message.author.id == bot_user.id and is_result_of(message, job.id):
                    return Posted(channel_id, message.id)
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("Job %s: cannot look for an earlier result in channel %s (%s %s)",
                        job.id, channel_id, exc.status, exc.code)
    return None
