"""A job's result, a Continue's last frame and a joined story, posted with the bot's own token
in the job's thread (or its channel when the thread is gone), in the server's language.

A result is uploaded when it fits the server's upload limit, re-encoded to fit when it does not
(the link button keeps the original), else posted as its link with the reason.
"""

from __future__ import annotations

import dataclasses
import logging
from contextlib import AsyncExitStack
from typing import Any

import discord

from bot.discord.i18n.languages import ServerLanguages
from bot.discord.i18n.texts import speaking, text
from bot.discord.posting.card_poster import CardPoster
from bot.discord.posting.cards import result_embed
from bot.discord.posting.components import result_view
from bot.discord.posting.direct_notices import DirectNotices
from bot.discord.posting.result_search import earlier_result
from bot.download import DownloadFailed, VideoFetcher, VideoTooLarge
from bot.kling.capabilities import CapabilityTable
from bot.media import MAX_SOURCE_BYTES, CannotFit, VideoTools
from bot.store import Job

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024


class ResultPoster:
    """Posts finished videos, last frames and joined stories."""

    def __init__(self, client: discord.Client, languages: ServerLanguages, cards: CardPoster,
                 direct: DirectNotices, videos: VideoFetcher, media: VideoTools,
                 capabilities: CapabilityTable, *, simulated: bool = False) -> None:
        self.client = client
        self.languages = languages
        self.cards = cards
        self.direct = direct
        self.videos = videos
        self.media = media
        self.capabilities = capabilities
        self.simulated = simulated

    def _messageable(self, channel_id: int, guild_id: int | None) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def _server_language(self, job: Job) -> str:
        return await self.languages.of(job.guild_id)

    async def upload_limit(self, guild_id: int | None) -> int:
        """The server's upload limit. A guild another shard (process) owns is fetched by REST
        once and remembered for a while: its boost tier rarely changes."""
        if guild_id is None:
            return DEFAULT_UPLOAD_LIMIT
        guild = await self.languages.guilds.guild(guild_id)
        return guild.filesize_limit if guild is not None else DEFAULT_UPLOAD_LIMIT

    async def deliver(self, job: Job, *, resumed: bool = False) -> int:
        """Post the result in the job's thread; if the thread is gone or closed to the bot
        (deleted, locked, permission removed), in the channel the job was asked in.

        `resumed`: an earlier delivery may have posted the result and died before recording
        it. Discord's nonce catches a repeat only for a few minutes, so the bot first looks
        for that message and records it instead of posting a second one.
        """
        if resumed:
            earlier = await earlier_result(self.client, job)
            if earlier is not None:
                log.info("Job %s: its result was already posted as message %s; recording it",
                         job.id, earlier)
                await self.cards.finish(job, earlier)
                await self.direct.ready(job, job.post_channel_id, earlier)
                return earlier
        posted = job
        with speaking(await self._server_language(job)):
            try:
                message_id = await self._deliver_to(job)
            except (discord.Forbidden, discord.NotFound) as exc:
                if job.thread_id is None or job.thread_id == job.channel_id:
                    raise
                log.warning("Job %s: cannot post in its thread (%s); posting in the channel",
                            job.id, exc.status)
                posted = dataclasses.replace(job, thread_id=None)
                message_id = await self._deliver_to(posted)
        await self.direct.ready(job, posted.post_channel_id, message_id)
        return message_id

    async def _deliver_to(self, job: Job) -> int:
        """Upload the video when it fits the server's limit; re-encode it to fit when it does
        not (the link button keeps the original); else post its link, saying why."""
        assert job.video_url is not None
        target = self._messageable(job.post_channel_id, job.guild_id)
        limit = await self.upload_limit(job.guild_id)
        common: dict[str, Any] = {
            "embed": result_embed(job),
            "view": self._result_view(job),
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
            async with (
                self.videos.download(job.video_url, max_bytes=MAX_SOURCE_BYTES) as video,
                self.media.fitted(video.path, video.size, limit, job_id=job.id) as upload,
            ):
                # A spoiler is an attachment whose name starts SPOILER_ (Discord's docs).
                file = discord.File(upload.path, filename=f"kling-{job.id}.mp4",
                                    spoiler=job.spoiler)
                content = ready
                if upload.fitted:
                    content += "\n" + text("result.fitted", limit=limit // (1024 * 1024))
                message = await target.send(content, file=file, **common)
                await self.cards.finish(job, message.id)
                return message.id
        except VideoTooLarge:
            note = text("result.link_too_large", limit=limit // (1024 * 1024))
        except CannotFit as exc:
            log.info("Job %s: the video cannot be fitted to %d bytes (%s); posting the link",
                     job.id, limit, exc.code)
            note = text(exc.code, **exc.params)
        except DownloadFailed as exc:
            log.warning("Job %s: download failed (%s); posting the link", job.id, exc)
            note = text("result.link_download")
        except discord.HTTPException as exc:
            if exc.status != 413:
                raise
            note = text("result.link_refused")
        link = f"||{job.video_url}||" if job.spoiler else job.video_url
        message = await target.send(f"{ready}\n{note}\n{link}", **common)
        await self.cards.finish(job, message.id)
        return message.id

    def _result_view(self, job: Job) -> discord.ui.View:
        view = result_view(job, self.capabilities)
        if self.simulated:
            # The simulated video's address is the bot's own 127.0.0.1: no link to it.
            for item in [i for i in view.children if getattr(i, "url", None)]:
                view.remove_item(item)
        return view
    # -- Continue and Join the story ------------------------------------------------------

    async def post_last_frame(self, source: Job, user_id: int) -> str:
        """Post the last frame of `source`'s video in its thread, and return the attachment's
        address (the start image of the Continue `user_id` asked for). Raises `CannotFit`,
        `DownloadFailed`, `VideoTooLarge`, `UnsafeVideoUrl` or Discord's errors."""
        assert source.video_url is not None
        target = self._messageable(source.post_channel_id, source.guild_id)
        async with (
            self.videos.download(source.video_url, max_bytes=MAX_SOURCE_BYTES) as video,
            self.media.last_frame(video.path, job_id=source.id) as frame,
        ):
            with speaking(await self._server_language(source)):
                content = text("result.continue_frame", user_id=user_id)
            message = await target.send(
                content, file=discord.File(frame.path, filename=f"kling-{source.id}-frame.jpg"),
                allowed_mentions=discord.AllowedMentions.none())
        return message.attachments[0].url

    async def post_story(self, newest: Job, parts: list[Job]) -> tuple[int, int]:
        """Join `parts` (oldest first, ending at `newest`) into one video under the server's
        upload limit and post it in the thread; return (channel id, message id). Raises
        `CannotFit`, `DownloadFailed`, `VideoTooLarge`, `UnsafeVideoUrl` or Discord's
        errors."""
        limit = await self.upload_limit(newest.guild_id)
        target = self._messageable(newest.post_channel_id, newest.guild_id)
        async with AsyncExitStack() as files:
            chain = []
            for part in parts:
                assert part.video_url is not None
                video = await files.enter_async_context(
                    self.videos.download(part.video_url, max_bytes=MAX_SOURCE_BYTES))
                chain.append((part.id, part.action == "extend", video.path))
            story = await files.enter_async_context(
                self.media.joined(chain, limit, job_id=newest.id))
            with speaking(await self._server_language(newest)):
                content = text("result.story", parts=story.parts,
                               seconds=round(story.duration or 0.0))
            message = await target.send(
                content, file=discord.File(story.path, filename=f"kling-story-{newest.id}.mp4"),
                allowed_mentions=discord.AllowedMentions.none(), nonce=f"{newest.id}s")
        return newest.post_channel_id, message.id

