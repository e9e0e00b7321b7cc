"""A job's result, a Continue's start frame and a joined story, as the core prepared them,
posted with the bot's own token in the server's language; and where each one went, reported
back for the core to record.

What is posted (attached, fitted or linked; the buttons; the notes; the spoiler) is decided in
the core (`bot.publishing`). Here it is only worded and sent: a spoiler's file is named
SPOILER_ and its link wrapped in ||, and a result whose thread is gone or closed to the bot
(deleted, locked, permission removed) goes to the channel the job was asked in.
"""

from __future__ import annotations

import dataclasses
import logging

import discord

from bot.discord.i18n.languages import ServerLanguages
from bot.discord.i18n.texts import speaking, text
from bot.discord.posting.card_poster import CardPoster
from bot.discord.posting.cards import result_embed
from bot.discord.posting.components import result_view
from bot.discord.posting.direct_notices import DirectNotices
from bot.discord.posting.result_search import earlier_result
from bot.publishing import FramePost, JoinedPost, Posted, PostedFrame, ResultPost, UploadRefused
from bot.store import Job

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024


def result_content(post: ResultPost) -> str:
    """The result message's words: the mention, the notes, and the link in the link form
    (hidden behind || for a spoiler)."""
    lines = [text("result.ready", user_id=post.mention_user_id)]
    lines += [text(note.code, **note.params) for note in post.notes]
    if post.form == "link":
        url = post.job.video_url or ""
        lines.append(f"||{url}||" if post.spoiler else url)
    return "\n".join(lines)


class ResultPoster:
    """Sends prepared results, start frames and joined stories."""

    def __init__(self, client: discord.Client, languages: ServerLanguages, cards: CardPoster,
                 direct: DirectNotices) -> None:
        self.client = client
        self.languages = languages
        self.cards = cards
        self.direct = direct

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

    async def post_result(self, post: ResultPost, *, resumed: bool = False) -> Posted:
        """Post the result in the job's thread; if the thread is gone or closed to the bot,
        in the channel the job was asked in. Report where it went.

        `resumed`: an earlier delivery may have posted the result and died before recording
        it. Discord's nonce catches a repeat only for a few minutes, so the bot first looks
        for that message and reports it instead of posting a second one.
        """
        job = post.job
        if resumed:
            earlier = await earlier_result(self.client, job)
            if earlier is not None:
                log.info("Job %s: its result was already posted as message %s; recording it",
                         job.id, earlier.message_id)
                await self.cards.finish(
                    dataclasses.replace(job, result_channel_id=earlier.channel_id),
                    earlier.message_id)
                await self.direct.ready(job, earlier.channel_id, earlier.message_id)
                return earlier
        with speaking(await self._server_language(job)):
            try:
                posted = await self._send_result(job, post)
            except (discord.Forbidden, discord.NotFound) as exc:
                if job.thread_id is None or job.thread_id == job.channel_id:
                    raise
                log.warning("Job %s: cannot post in its thread (%s); posting in the channel",
                            job.id, exc.status)
                posted = await self._send_result(dataclasses.replace(job, thread_id=None), post)
        # The card links the result where it really went.
        await self.cards.finish(dataclasses.replace(job, result_channel_id=posted.channel_id),
                                posted.message_id)
        await self.direct.ready(job, posted.channel_id, posted.message_id)
        return posted

    async def _send_result(self, job: Job, post: ResultPost) -> Posted:
        """Send `post` in `job`'s post channel. Raises `UploadRefused` on Discord's 413."""
        target = self._messageable(job.post_channel_id, job.guild_id)
        file = (discord.File(post.path, filename=post.filename, spoiler=post.spoiler)
                if post.path is not None else discord.utils.MISSING)
        try:
            message = await target.send(
                result_content(post), file=file, embed=result_embed(job),
                view=result_view(job.id, post.buttons, post.link),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, replied_user=False,
                    users=[discord.Object(id=post.mention_user_id)]),
                # Discord returns the earlier message for a repeated nonce: a delivery retried
                # after a crash between posting and recording does not post twice.
                nonce=job.id)
        except discord.HTTPException as exc:
            if exc.status == 413 and post.path is not None:
                raise UploadRefused() from exc
            raise
        return Posted(job.post_channel_id, message.id)

    # -- Continue and Join the story ------------------------------------------------------

    async def post_frame(self, post: FramePost) -> PostedFrame:
        """Post a Continue's start frame where the source's result is; where it went and the
        attachment's address (the start image of the Continue)."""
        source = post.source
        with speaking(await self._server_language(source)):
            content = text("result.continue_frame", user_id=post.user_id)
        message = await self._messageable(post.channel_id, source.guild_id).send(
            content, file=discord.File(post.path, filename=post.filename, spoiler=post.spoiler),
            allowed_mentions=discord.AllowedMentions.none())
        return PostedFrame(post.channel_id, message.id, message.attachments[0].url)

    async def withdraw(self, posted: Posted, guild_id: int | None) -> None:
        """Delete something posted for a job that did not go ahead (a Continue's frame whose
        reservation was refused); a message gone already is fine, a refusal is logged."""
        try:
            await self._messageable(posted.channel_id, guild_id).get_partial_message(
                posted.message_id).delete()
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.warning("Could not withdraw message %s (%s)", posted.message_id, exc.status)

    async def post_joined(self, post: JoinedPost) -> Posted:
        """Post a joined story where its newest part's result is, with the buttons the core
        chose (Report in a server: a report on it is one on that part; Remove deletes
        both)."""
        newest = post.newest
        with speaking(await self._server_language(newest)):
            content = text("result.story", parts=post.parts, seconds=post.seconds)
            view = result_view(newest.id, post.buttons, None)
        message = await self._messageable(post.channel_id, newest.guild_id).send(
            content, file=discord.File(post.path, filename=post.filename, spoiler=post.spoiler),
            view=view, allowed_mentions=discord.AllowedMentions.none(), nonce=f"{newest.id}s")
        return Posted(post.channel_id, message.id)
