"""The Discord side of a job: its status card, its thread, its result, its failure notice.

Everything here posts with the bot's own token to a channel and message id kept in the job row,
never through an interaction webhook, so a job that outlives the 15-minute interaction token
still edits its card and posts its video. Card edits are throttled per job (Discord's message
edit buckets are tight) and coalesced: a burst of changes becomes one edit of the latest state.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.cards import (
    FAILURE_REASON_LIMIT,
    audit_line,
    result_embed,
    result_footer,
    status_card,
    thread_name,
)
from bot.download import DownloadFailed, VideoTooLarge
from bot.guild_settings import load_guild_settings
from bot.jobs import QUEUE_TIMEOUT_CODE, CannotPostHere, Placement
from bot.replies import jump_url
from bot.store import AuditEntry, Job, JobState
from bot.texts import clip, text
from bot.views import card_view, result_view

if TYPE_CHECKING:
    from bot.discord_bot import KlingBot

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
LIMIT_CACHE_SECONDS = 600.0
# Looking for a result posted before a crash: how many of the newest messages (since the
# delivery first started, less a slack for clocks that disagree) are read, per channel.
RESULT_SEARCH_LIMIT = 500
RESULT_SEARCH_SLACK = 300.0


def is_result_of(message: discord.Message, job_id: str) -> bool:
    """Whether `message` is the result of `job_id`: its embed's footer names the job (older
    results name it only in their Extend buttons' custom ids)."""
    footer = result_footer(job_id)
    if any(embed.footer.text == footer for embed in message.embeds):
        return True
    return any(
        isinstance(child, discord.Button) and child.custom_id is not None
        and child.custom_id.startswith("kling:extend") and child.custom_id.endswith(f":{job_id}")
        for row in message.components if isinstance(row, discord.ActionRow)
        for child in row.children)


class CardThrottle:
    """At most one edit per job per `interval`; later changes wait and the latest one wins.

    A job is remembered only while it matters: its latest state while an edit of it runs or
    waits, and its last edit's time for an interval after it. A job's end is one moment to
    forget it, but a job another process finished never shows this process its end, so the
    times older than an interval are swept away too.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._latest: dict[str, Job] = {}  # jobs with an edit running or waiting
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._swept = clock()

    def __len__(self) -> int:
        """How many jobs the throttle remembers anything about."""
        return len(self._last.keys() | self._latest.keys() | self._pending.keys())

    def _sweep(self, now: float) -> None:
        """Forget the edit times older than an interval of jobs with no edit running or
        waiting. Runs at most once per interval, so an edit's cost stays constant."""
        if now - self._swept < self.interval:
            return
        self._swept = now
        for job_id in [j for j, at in self._last.items()
                       if now - at >= self.interval and j not in self._latest]:
            del self._last[job_id]

    async def submit(self, job: Job, edit: Callable[[Job], Awaitable[None]]) -> None:
        now = self.clock()
        self._sweep(now)
        self._latest[job.id] = job
        if job.id in self._pending:
            return
        last = self._last.get(job.id)
        if last is None or now - last >= self.interval:
            await self._run(job.id, edit)
            return
        self._pending[job.id] = asyncio.create_task(
            self._later(job.id, self.interval - (now - last), edit), name=f"card-{job.id}")

    async def _later(self, job_id: str, delay: float,
                     edit: Callable[[Job], Awaitable[None]]) -> None:
        await asyncio.sleep(delay)
        self._pending.pop(job_id, None)
        await self._run(job_id, edit)

    async def _run(self, job_id: str, edit: Callable[[Job], Awaitable[None]]) -> None:
        job = self._latest[job_id]
        self._last[job_id] = self.clock()
        try:
            await edit(job)
        except discord.HTTPException as exc:
            # The card was deleted, or the channel closed to the bot: the job goes on.
            log.warning("Job %s: card edit refused (%s %s)", job_id, exc.status, exc.code)
        except Exception:
            log.exception("Job %s: card edit failed", job_id)
        if job_id not in self._pending:
            # A change that came in during the edit waits in `_pending` with its state.
            self._latest.pop(job_id, None)
            if job.state.terminal:
                self._last.pop(job_id, None)

    async def close(self) -> None:
        for task in self._pending.values():
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
        self._pending.clear()


class DiscordNotifier:
    """`JobNotifier` over discord.py's REST client."""

    def __init__(self, bot: KlingBot, *, edit_interval: float = 10.0) -> None:
        self.bot = bot
        self.cards = CardThrottle(edit_interval)
        self._limits: dict[int, tuple[int, float]] = {}

    # -- where things go -----------------------------------------------------------------

    def _messageable(self, channel_id: int, guild_id: int | None) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)

    async def upload_limit(self, guild_id: int | None) -> int:
        """The server's upload limit. A guild another shard (process) owns is fetched by REST
        once and remembered for a while: its boost tier rarely changes."""
        if guild_id is None:
            return DEFAULT_UPLOAD_LIMIT
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.filesize_limit
        known = self._limits.get(guild_id)
        if known is not None and time.monotonic() - known[1] < LIMIT_CACHE_SECONDS:
            return known[0]
        try:
            limit = (await self.bot.fetch_guild(guild_id)).filesize_limit
        except discord.HTTPException:
            return DEFAULT_UPLOAD_LIMIT
        self._limits[guild_id] = (limit, time.monotonic())
        return limit

    def _can_thread(self, channel_id: int) -> bool:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, (discord.TextChannel,)) or isinstance(channel, discord.Thread):
            return False
        perms = channel.permissions_for(channel.guild.me)
        return perms.create_public_threads and perms.send_messages_in_threads

    @staticmethod
    def _card_extras(job: Job) -> dict[str, Any]:
        extras: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        view = card_view(job)
        if view is not None:
            extras["view"] = view
        return extras

    @staticmethod
    def _note(job: Job) -> str | None:
        return text("card.no_thread") if job.thread_id is None else None

    # -- JobNotifier ---------------------------------------------------------------------

    async def announce(self, job: Job) -> Placement:
        """Post the card where the member asked; start a thread from it when possible."""
        try:
            return await self._announce(job)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise CannotPostHere(text("post.forbidden")) from exc

    async def _announce(self, job: Job) -> Placement:
        channel = self._messageable(job.channel_id, job.guild_id)
        if job.thread_id is not None or isinstance(self.bot.get_channel(job.channel_id),
                                                   discord.Thread):
            # An Extend (or a command typed inside a thread): the chain stays in this thread.
            thread_id = job.thread_id or job.channel_id
            card_job = dataclasses.replace(job, thread_id=thread_id)
            message = await channel.send(embed=status_card(card_job), **self._card_extras(job))
            return Placement(status_message_id=message.id, thread_id=thread_id)
        thread_possible = self._can_thread(job.channel_id)
        message = await channel.send(
            embed=status_card(job, note=None if thread_possible else text("card.no_thread")),
            **self._card_extras(job))
        if not thread_possible:
            return Placement(status_message_id=message.id, thread_id=None)
        name = await thread_name(self.bot, job)
        try:
            thread = await message.create_thread(name=name, auto_archive_duration=1440)
        except discord.HTTPException as exc:
            log.warning("Job %s: could not start a thread (%s); posting in the channel",
                        job.id, exc.status)
            await message.edit(embed=status_card(job, note=text("card.no_thread")))
            return Placement(status_message_id=message.id, thread_id=None)
        return Placement(status_message_id=message.id, thread_id=thread.id)

    async def progress(self, job: Job, result_link: str | None = None) -> None:
        if job.status_message_id is None:
            return

        async def edit(latest: Job) -> None:
            assert latest.status_message_id is not None
            channel = self._messageable(latest.channel_id, latest.guild_id)
            link = (jump_url(latest.guild_id, latest.post_channel_id, latest.result_message_id)
                    if latest.result_message_id else result_link)
            await channel.get_partial_message(latest.status_message_id).edit(
                embed=status_card(latest, note=self._note(latest), result_link=link),
                view=card_view(latest))

        await self.cards.submit(job, edit)

    async def deliver(self, job: Job, *, resumed: bool = False) -> int:
        """Post the result in the job's thread; if the thread is gone or closed to the bot
        (deleted, locked, permission removed), in the channel the job was asked in.

        `resumed`: an earlier delivery may have posted the result and died before recording
        it. Discord's nonce catches a repeat only for a few minutes, so the bot first looks
        for that message and records it instead of posting a second one.
        """
        if resumed:
            earlier = await self._earlier_result(job)
            if earlier is not None:
                log.info("Job %s: its result was already posted as message %s; recording it",
                         job.id, earlier)
                await self._finish_card(job, earlier)
                return earlier
        try:
            return await self._deliver_to(job)
        except (discord.Forbidden, discord.NotFound) as exc:
            if job.thread_id is None or job.thread_id == job.channel_id:
                raise
            log.warning("Job %s: cannot post in its thread (%s); posting in the channel",
                        job.id, exc.status)
            return await self._deliver_to(dataclasses.replace(job, thread_id=None))

    async def _earlier_result(self, job: Job) -> int | None:
        """The id of a result message for `job` that the bot posted since its delivery first
        started, in the job's thread or (where a delivery falls back to) its channel; None
        when there is none. A channel the bot may not read (no Read Message History, gone)
        is skipped, and the result is posted again; any other error fails this delivery, so
        it is retried later rather than risk a second post."""
        bot_user = self.bot.user
        if bot_user is None:
            return None
        started = job.delivery_started_at or time.time()
        since = datetime.fromtimestamp(started - RESULT_SEARCH_SLACK, tz=UTC)
        for channel_id in dict.fromkeys((job.post_channel_id, job.channel_id)):
            history = self._messageable(channel_id, job.guild_id).history(
                limit=RESULT_SEARCH_LIMIT, after=since, oldest_first=False)
            try:
                async for message in history:
                    if message.author.id == bot_user.id and is_result_of(message, job.id):
                        return message.id
            except (discord.Forbidden, discord.NotFound) as exc:
                log.warning("Job %s: cannot look for an earlier result in channel %s (%s %s)",
                            job.id, channel_id, exc.status, exc.code)
        return None

    async def _deliver_to(self, job: Job) -> int:
        """Upload the video when it fits the server's limit, else post its link."""
        assert job.video_url is not None
        target = self._messageable(job.post_channel_id, job.guild_id)
        limit = await self.upload_limit(job.guild_id)
        common: dict[str, Any] = {
            "embed": result_embed(job),
            "view": result_view(job, self.bot.engine.capabilities),
            "allowed_mentions": discord.AllowedMentions(
                everyone=False, roles=False, replied_user=False,
                users=[discord.Object(id=job.user_id)]),
            # Discord returns the earlier message for a repeated nonce: a delivery retried
            # after a crash between posting and recording does not post twice.
            "nonce": job.id,
        }
        ready = text("result.ready", user_id=job.user_id)
        note: str
        try:
            # UnsafeVideoUrl goes up: the job service fails the job (no link to a private host).
            async with self.bot.engine.videos.download(job.video_url, max_bytes=limit) as video:
                file = discord.File(video.path, filename=f"kling-{job.id}.mp4")
                message = await target.send(ready, file=file, **common)
                await self._finish_card(job, message.id)
                return message.id
        except VideoTooLarge:
            note = text("result.link_too_large", limit=limit // (1024 * 1024))
        except DownloadFailed as exc:
            log.warning("Job %s: download failed (%s); posting the link", job.id, exc)
            note = text("result.link_download")
        except discord.HTTPException as exc:
            if exc.status != 413:
                raise
            note = text("result.link_refused")
        message = await target.send(f"{ready}\n{note}\n{job.video_url}", **common)
        await self._finish_card(job, message.id)
        return message.id

    async def _finish_card(self, job: Job, message_id: int) -> None:
        done = dataclasses.replace(job, state=JobState.DELIVERED, result_message_id=message_id)
        await self.progress(done)

    async def failed(self, job: Job) -> None:
        await self.progress(job)
        if job.submitted_at is None and job.error_code != QUEUE_TIMEOUT_CODE:
            # Refused at once: the member already got a private answer to their command. (A
            # queue timeout comes long after it, so the member is told.)
            return
        refund = text("failed.refunded", cost=job.cost)
        target = self._messageable(job.post_channel_id, job.guild_id)
        await target.send(
            text("result.failed", user_id=job.user_id,
                 reason=clip(job.error_message or "", FAILURE_REASON_LIMIT), refund=refund),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(id=job.user_id)]),
            nonce=f"{job.id}f")

    async def alert(self, guild_id: int | None, message: str) -> None:
        settings = await load_guild_settings(self.bot.engine.store, guild_id)
        if settings.log_channel_id is None:
            log.warning("Moderator alert for guild %s (no log channel set): %s", guild_id,
                        message)
            return
        await self._messageable(settings.log_channel_id, guild_id).send(
            message, allowed_mentions=discord.AllowedMentions.none())

    async def post_audit(self, entry: AuditEntry) -> None:
        """Post a moderator action to the server's log channel, when one is set."""
        settings = await load_guild_settings(self.bot.engine.store, entry.guild_id)
        if settings.log_channel_id is None:
            return
        try:
            await self._messageable(settings.log_channel_id, entry.guild_id).send(
                audit_line(entry), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("Could not post to the log channel of guild %s (%s)", entry.guild_id,
                        exc.status)
