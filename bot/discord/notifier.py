"""The Discord side of a job: its status card, its thread, its result, its failure notice.

Everything here posts with the bot's own token to a channel and message id kept in the job row,
so a job that outlives the 15-minute interaction token still edits its card and posts its video.
The one exception is the card's first showing (`present`), a follow-up of the member's command
made within seconds of it: it keeps the card off the channel's message bucket. Card edits go
through a `CardThrottle` (per job) and a `ChannelPacer` (per channel).

Everything posted here is public, so it is made in the server's language (`ServerLanguages`),
whoever's task calls in: a card is announced inside the member's command, whose private
replies are in the member's language.

The notifier is given everything it uses (the client, the store, the video fetcher, the model
table) when it is made; the core calls it through the `JobNotifier` interface only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from contextlib import AsyncExitStack
from typing import Any

import discord

from bot.discord.buttons import card_view, result_view
from bot.discord.cards import audit_line, result_embed, status_card, thread_name
from bot.discord.community_buttons import review_view
from bot.discord.community_posts import CommunityPosts
from bot.discord.direct_notices import DirectNotices
from bot.discord.interactions import jump_url
from bot.discord.languages import GuildFacts, ServerLanguages
from bot.discord.limits import FAILURE_REASON_LIMIT
from bot.discord.pacer import ChannelPacer
from bot.discord.priority import ConfirmationsFirst
from bot.discord.render import failure_reason, sentence
from bot.discord.result_search import earlier_result
from bot.discord.texts import clip, speaking, text
from bot.discord.throttle import CardThrottle
from bot.download import DownloadFailed, VideoFetcher, VideoTooLarge
from bot.errors import Notice
from bot.guild_settings import load_guild_settings
from bot.jobs import QUEUE_TIMEOUT_CODE, CannotPostHere, Placement
from bot.jobs.outcomes import REVIEW_REJECTED_CODE, REVIEW_TIMEOUT_CODE
from bot.kling.capabilities import CapabilityTable
from bot.media import MAX_SOURCE_BYTES, CannotFit, VideoTools
from bot.store import AuditEntry, Job, JobState, Store

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
# Seconds a started thread's placement is remembered for a delivery that read the job before
# the core stored it.
PLACEMENT_MEMORY = 60.0


class DiscordNotifier:
    """`JobNotifier` over discord.py's REST client."""

    def __init__(self, client: discord.Client, store: Store, videos: VideoFetcher,
                 capabilities: CapabilityTable, *, media: VideoTools,
                 edit_interval: float = 10.0, languages: ServerLanguages | None = None,
                 simulated: bool = False) -> None:
        self.client = client
        self.store = store
        self.videos = videos
        self.media = media
        self.capabilities = capabilities
        self.cards = CardThrottle(edit_interval)
        self.pacer = ChannelPacer()
        self.confirmations = ConfirmationsFirst()
        self.languages = languages or ServerLanguages(store, GuildFacts(client))
        self.direct = DirectNotices(client, store)
        # KLING_API_BASE=simulated: every card says its video is a simulation.
        self.simulated = simulated
        # Community moderation's posts in the log channel (reviews, reports).
        self.community = CommunityPosts(client, store, self.languages)
        self._placements: dict[str, asyncio.Future[Placement]] = {}

    async def close(self) -> None:
        """Drop the card edits still waiting (the process is stopping)."""
        await self.cards.close()
        await self.pacer.close()

    # -- where things go -----------------------------------------------------------------

    def _messageable(self, channel_id: int, guild_id: int | None) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def upload_limit(self, guild_id: int | None) -> int:
        """The server's upload limit. A guild another shard (process) owns is fetched by REST
        once and remembered for a while: its boost tier rarely changes."""
        if guild_id is None:
            return DEFAULT_UPLOAD_LIMIT
        guild = await self.languages.guilds.guild(guild_id)
        return guild.filesize_limit if guild is not None else DEFAULT_UPLOAD_LIMIT

    async def _server_language(self, job: Job) -> str:
        return await self.languages.of(job.guild_id)

    def _can_thread(self, channel_id: int) -> bool:
        channel = self.client.get_channel(channel_id)
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

    def _note(self, job: Job, no_thread: bool | None = None) -> str | None:
        """The card's footer: no thread (when it has none), and "simulated" in that mode."""
        if no_thread is None:
            no_thread = job.thread_id is None
        notes = [text("card.no_thread")] if no_thread else []
        if self.simulated:
            notes.append(text("card.simulated"))
        return "\n".join(notes) or None

    # -- the card as the member's own interaction response ---------------------------------

    def can_post(self, channel_id: int) -> bool:
        """Whether the bot may post (cards, results) in this channel, as far as the cache
        knows without I/O. An interaction response shows even where the bot may not post,
        so a job must not be started on it there: its result could never be delivered. A
        channel the cache does not hold (a DM, another shard's) is tried."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, (discord.TextChannel, discord.Thread)):
            return True
        perms = channel.permissions_for(channel.guild.me)
        return perms.send_messages_in_threads if isinstance(channel, discord.Thread) \
            else perms.send_messages

    async def present(self, interaction: discord.Interaction, job: Job) -> int | None:
        """Show the job's card as a public follow-up of the member's command (after the
        private confirmation, which answered the deferral): it reaches the channel at once,
        over the interaction token's own rate limit rather than the channel's message bucket
        that every card, thread and result of a busy channel shares. Returns the card's
        message id; None when Discord refused (`announce` then posts the card in the channel
        as before)."""
        if job.thread_id is not None or isinstance(self.client.get_channel(job.channel_id),
                                                   discord.Thread):
            # An Extend (or a command typed inside a thread): the chain stays in this thread.
            shown = dataclasses.replace(job, thread_id=job.thread_id or job.channel_id)
            note = self._note(shown)
        else:
            shown = job
            note = self._note(job, not self._can_thread(job.channel_id))
        with speaking(await self._server_language(job)):
            embed = status_card(shown, note=note)
        extras: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        view = card_view(job)
        if view is not None:
            extras["view"] = view
        try:
            message = await interaction.followup.send(embed=embed, wait=True, **extras)
        except discord.HTTPException as exc:
            log.warning("Job %s: could not show its card as the response (%s)", job.id,
                        exc.status)
            return None
        return message.id

    # -- JobNotifier ---------------------------------------------------------------------

    async def announce(self, job: Job) -> Placement:
        """Post the card where the member asked (unless it is shown already, as the
        interaction's response: `present`); start a thread from it when possible."""
        try:
            with speaking(await self._server_language(job)):
                return await self._announce(job)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise CannotPostHere("post.forbidden") from exc

    async def _announce(self, job: Job) -> Placement:
        if job.status_message_id is not None:
            return await self._thread_for_card(job, job.status_message_id)
        channel = self._messageable(job.channel_id, job.guild_id)
        if job.thread_id is not None or isinstance(self.client.get_channel(job.channel_id),
                                                   discord.Thread):
            # An Extend (or a command typed inside a thread): the chain stays in this thread.
            thread_id = job.thread_id or job.channel_id
            card_job = dataclasses.replace(job, thread_id=thread_id)
            message = await channel.send(embed=status_card(card_job, note=self._note(card_job)),
                                         **self._card_extras(job))
            return Placement(status_message_id=message.id, thread_id=thread_id)
        thread_possible = self._can_thread(job.channel_id)
        message = await channel.send(
            embed=status_card(job, note=self._note(job, not thread_possible)),
            **self._card_extras(job))
        if not thread_possible:
            return Placement(status_message_id=message.id, thread_id=None)
        name = await thread_name(self.client, job)
        try:
            thread = await message.create_thread(name=name, auto_archive_duration=1440)
        except discord.HTTPException as exc:
            log.warning("Job %s: could not start a thread (%s); posting in the channel",
                        job.id, exc.status)
            await message.edit(embed=status_card(job, note=self._note(job, True)))
            return Placement(status_message_id=message.id, thread_id=None)
        return Placement(status_message_id=message.id, thread_id=thread.id)

    async def _thread_for_card(self, job: Job, card_id: int) -> Placement:
        """Start the job's thread from its card, shown already (`present`). Under a busy
        channel's thread bucket this can take a while, and another command's dispatch may
        have sent the job to Kling meanwhile: its delivery waits for this placement
        (`_placed`) instead of posting in the channel."""
        pending: asyncio.Future[Placement] = asyncio.get_running_loop().create_future()
        self._placements[job.id] = pending
        try:
            placement = await self._start_thread(job, card_id)
        except BaseException as exc:
            pending.set_exception(exc)
            pending.exception()  # retrieved: a delivery that never waits must not warn
            raise
        else:
            pending.set_result(placement)
            return placement
        finally:
            # Kept a while: the core stores the placement just after this returns.
            asyncio.get_running_loop().call_later(PLACEMENT_MEMORY, self._placements.pop,
                                                  job.id, None)

    async def _placed(self, job: Job) -> Job:
        """The job with its thread, waiting for a thread being started for it now."""
        pending = self._placements.get(job.id)
        if pending is None or job.thread_id is not None:
            return job
        try:
            placement = await asyncio.shield(pending)
        except Exception:
            return job
        return dataclasses.replace(job, thread_id=placement.thread_id,
                                   status_message_id=placement.status_message_id)

    async def _start_thread(self, job: Job, card_id: int) -> Placement:
        if job.thread_id is not None or isinstance(self.client.get_channel(job.channel_id),
                                                   discord.Thread):
            return Placement(status_message_id=card_id, thread_id=job.thread_id or
                             job.channel_id)
        if not self._can_thread(job.channel_id):
            return Placement(status_message_id=card_id, thread_id=None)
        card = self._messageable(job.channel_id, job.guild_id).get_partial_message(card_id)
        try:
            thread = await card.create_thread(name=await thread_name(self.client, job),
                                              auto_archive_duration=1440)
        except discord.HTTPException as exc:
            log.warning("Job %s: could not start a thread (%s); posting in the channel",
                        job.id, exc.status)
            with speaking(await self._server_language(job)):
                embed = status_card(job, note=self._note(job, True))
            await card.edit(embed=embed)
            return Placement(status_message_id=card_id, thread_id=None)
        return Placement(status_message_id=card_id, thread_id=thread.id)

    async def progress(self, job: Job, result_link: str | None = None) -> None:
        if job.status_message_id is None:
            job = await self._placed(job)
        if job.status_message_id is None:
            return

        async def edit(latest: Job) -> None:
            assert latest.status_message_id is not None
            channel = self._messageable(latest.channel_id, latest.guild_id)
            link = (jump_url(latest.guild_id, latest.post_channel_id, latest.result_message_id)
                    if latest.result_message_id else result_link)
            with speaking(await self._server_language(latest)):
                embed, view = (status_card(latest, note=self._note(latest), result_link=link),
                               card_view(latest))
            card = channel.get_partial_message(latest.status_message_id)

            async def send() -> None:
                await card.edit(embed=embed, view=view)

            # The channel's edit bucket is shared by every card in it: the pacer sends the
            # newest states first and skips superseded ones.
            self.pacer.submit(latest.channel_id, latest.id, send)

        await self.cards.submit(job, edit)

    async def deliver(self, job: Job, *, resumed: bool = False) -> int:
        """Post the result in the job's thread; if the thread is gone or closed to the bot
        (deleted, locked, permission removed), in the channel the job was asked in.

        `resumed`: an earlier delivery may have posted the result and died before recording
        it. Discord's nonce catches a repeat only for a few minutes, so the bot first looks
        for that message and records it instead of posting a second one.
        """
        job = await self._placed(job)
        if resumed:
            earlier = await earlier_result(self.client, job)
            if earlier is not None:
                log.info("Job %s: its result was already posted as message %s; recording it",
                         job.id, earlier)
                await self._finish_card(job, earlier)
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
                await self._finish_card(job, message.id)
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
        await self._finish_card(job, message.id)
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

    async def _finish_card(self, job: Job, message_id: int) -> None:
        done = dataclasses.replace(job, state=JobState.DELIVERED, result_message_id=message_id)
        await self.progress(done)

    async def ask_review(self, job: Job) -> int | None:
        """Ask the log channel's moderators to approve or reject a held job."""
        return await self.community.ask_review(job, review_view(job.id))

    async def failed(self, job: Job) -> None:
        job = await self._placed(job)
        await self.progress(job)
        if job.review_message_id is not None:  # rejected, timed out or cancelled in review
            await self.community.review_closed(job)
        if job.submitted_at is None and job.error_code not in (
                QUEUE_TIMEOUT_CODE, REVIEW_REJECTED_CODE, REVIEW_TIMEOUT_CODE):
            # Refused at once: the member already got a private answer to their command. (A
            # queue timeout or a review's end comes long after it, so the member is told.)
            return
        with speaking(await self._server_language(job)):
            notice = text("result.failed", user_id=job.user_id,
                          reason=clip(failure_reason(job), FAILURE_REASON_LIMIT),
                          refund=text("failed.refunded", cost=job.cost))
        target = self._messageable(job.post_channel_id, job.guild_id)
        await target.send(
            notice,
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(id=job.user_id)]),
            nonce=f"{job.id}f")
        await self.direct.failed(job)

    async def alert(self, guild_id: int | None, notice: Notice) -> None:
        settings = await load_guild_settings(self.store, guild_id)
        with speaking(await self.languages.of(guild_id, settings)):
            message = sentence(notice)
        if settings.log_channel_id is None:
            log.warning("Moderator alert for guild %s (no log channel set): %s", guild_id,
                        message)
            return
        try:
            await self._messageable(settings.log_channel_id, guild_id).send(
                message, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("Could not post to the log channel of guild %s (%s)", guild_id,
                        exc.status)

    async def post_audit(self, entry: AuditEntry) -> None:
        """Post a moderator action to the server's log channel, when one is set."""
        settings = await load_guild_settings(self.store, entry.guild_id)
        if settings.log_channel_id is None:
            return
        with speaking(await self.languages.of(entry.guild_id, settings)):
            line = audit_line(entry)
        try:
            await self._messageable(settings.log_channel_id, entry.guild_id).send(
                line, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("Could not post to the log channel of guild %s (%s)", entry.guild_id,
                        exc.status)
