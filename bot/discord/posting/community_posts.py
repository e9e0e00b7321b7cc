"""What community moderation posts in the log channel (a job held for review, a member's
report) and how those posts change once a moderator decides, in the server's language.

Posted with the bot's own token by channel and message id, like every job post, so a review
decided days later (or after a restart) still edits its message. The buttons (the
persistent items of `community_buttons`) are handed in by the caller, which keeps this module
free of them (the buttons use it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from bot.discord.i18n.languages import ServerLanguages
from bot.discord.i18n.limits import EMBED_FIELD_LIMIT
from bot.discord.i18n.texts import clip, speaking, text
from bot.discord.interactions import jump_url
from bot.discord.posting.cards import settings_line
from bot.guild_settings import load_guild_settings
from bot.store import CommunityStore, Job, Report, SettingsStore

log = logging.getLogger(__name__)


class PostsStore(SettingsStore, CommunityStore, Protocol):
    """The server's settings (its log channel, its language) and the stories joined with a
    result in them (removed with it)."""

REVIEW_COLOUR = discord.Colour.orange()
# Discord's answers to a delete that mean the message is gone already: Unknown Message, and
# Unknown Channel (its thread or channel was deleted, and every message in it).
ALREADY_GONE = frozenset({10008, 10003})


@dataclass
class Removal:
    """What a Remove did on Discord: messages deleted, found gone already (both count as
    done), the joined stories among them, and the status of the first delete Discord refused
    (None: nothing refused, the report may close)."""

    deleted: int = 0
    gone: int = 0
    stories: int = 0
    refused: int | None = None
REPORT_COLOUR = discord.Colour.red()


def job_images(job: Job) -> list[str]:
    """The image addresses a request carries (start and end frames, omni references)."""
    found: list[str] = []

    def visit(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                visit(inner, name)
        elif isinstance(value, list):
            for inner in value:
                visit(inner, key)
        elif isinstance(value, str) and "image" in key and value.startswith("http"):
            found.append(value)

    visit(job.request)
    return found


def review_embed(job: Job, decision: str | None = None) -> discord.Embed:
    """The log channel's view of a job held for review: prompt, images, member, cost."""
    embed = discord.Embed(title=text("review.title"), description=clip(job.prompt, 2000) or "—",
                          colour=REVIEW_COLOUR)
    embed.add_field(name="\u200b", value=text("review.member", user_id=job.user_id,
                                               cost=job.cost), inline=False)
    embed.add_field(name="\u200b", value=clip(settings_line(job), EMBED_FIELD_LIMIT),
                    inline=False)
    negative = job.request.get("negative_prompt")
    if negative:
        embed.add_field(name="\u200b", value=clip(text("review.negative", text=negative),
                                                 EMBED_FIELD_LIMIT), inline=False)
    images = job_images(job)
    if images:
        embed.add_field(name="\u200b", value=clip(text("review.images", links=" ".join(
            images)), EMBED_FIELD_LIMIT), inline=False)
        embed.set_image(url=images[0])
    if decision:
        embed.add_field(name="\u200b", value=clip(decision, EMBED_FIELD_LIMIT), inline=False)
    return embed


def report_embed(report: Report, job: Job, decision: str | None = None) -> discord.Embed:
    """The log channel's view of a member's report: the job's prompt, who reported whom and why, and
    links to the result; `decision` once a moderator decided."""
    embed = discord.Embed(title=text("report.title"), description=clip(job.prompt, 2000) or "—",
                          colour=REPORT_COLOUR)
    embed.add_field(name="\u200b", value=text("report.details", requester=report.requester_id,
                                               reporter=report.reporter_id), inline=False)
    embed.add_field(name="\u200b", value=clip(text("report.reason", reason=report.reason),
                                             EMBED_FIELD_LIMIT), inline=False)
    links = []
    if job.result_message_id:
        links.append(jump_url(job.guild_id, job.result_channel, job.result_message_id))
    if job.video_url:
        links.append(job.video_url)
    if links:
        embed.add_field(name="\u200b", value=clip(text("report.link", link=" ".join(links)),
                                                 EMBED_FIELD_LIMIT), inline=False)
    if decision:
        embed.add_field(name="\u200b", value=clip(decision, EMBED_FIELD_LIMIT), inline=False)
    return embed


def review_decision(job: Job) -> str:
    """How a review ended, for the log channel's message."""
    if job.error_code == "review_rejected":
        reason = (job.error_params or {}).get("reason", "")
        return text("review.rejected", actor=job.reviewed_by or 0, reason=reason)
    if job.error_code == "review_timeout":
        return text("review.timed_out")
    if job.error_code == "cancelled":
        return text("review.cancelled")
    return text("review.approved", actor=job.reviewed_by or 0)


class CommunityPosts:
    """Posts and edits community moderation's messages in the log channel."""

    def __init__(self, client: discord.Client, store: PostsStore, languages: ServerLanguages
                 ) -> None:
        self.client = client
        self.store = store
        self.languages = languages

    async def _log_channel(self, guild_id: int | None) -> tuple[int | None, str]:
        settings = await load_guild_settings(self.store, guild_id)
        return settings.log_channel_id, await self.languages.of(guild_id, settings)

    async def _post(self, guild_id: int | None, render: Callable[[], discord.Embed],
                    view: discord.ui.View) -> int | None:
        """Post `render()`'s embed, in the server's language, with `view` in the log channel;
        its message id, or None when the server has no log channel."""
        channel_id, language = await self._log_channel(guild_id)
        if channel_id is None:
            return None
        with speaking(language):
            embed = render()
        message = await self.client.get_partial_messageable(channel_id, guild_id=guild_id).send(
            embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none())
        return message.id

    async def _close(self, guild_id: int | None, message_id: int | None,
                     render: Callable[[], discord.Embed], what: str) -> None:
        """Replace a log-channel message's embed with `render()`'s and take its buttons away;
        a Discord refusal is logged (`what` names the message's subject)."""
        if message_id is None:
            return
        channel_id, language = await self._log_channel(guild_id)
        if channel_id is None:
            return
        with speaking(language):
            embed = render()
        try:
            await self.client.get_partial_messageable(channel_id, guild_id=guild_id
                                                      ).get_partial_message(
                message_id).edit(embed=embed, view=None)
        except discord.HTTPException as exc:
            log.warning("%s: could not update its log-channel message (%s)", what, exc.status)

    async def ask_review(self, job: Job, view: discord.ui.View) -> int | None:
        """Post the job held for review, with the moderators' buttons, in the log channel; its
        message id to keep on the job, or None when the server has no log channel."""
        message_id = await self._post(job.guild_id, lambda: review_embed(job), view)
        if message_id is None:
            log.warning("Job %s waits for review but guild %s has no log channel", job.id,
                        job.guild_id)
        return message_id

    async def review_closed(self, job: Job) -> None:
        """Show how the review ended on its log-channel message, without the buttons."""
        await self._close(job.guild_id, job.review_message_id,
                          lambda: review_embed(job, review_decision(job)), f"Job {job.id}")

    async def post_report(self, report: Report, job: Job, view: discord.ui.View
                          ) -> int | None:
        """Post a report, with the moderators' buttons, in the log channel; its message id to keep
        on the report, or None when the server has no log channel."""
        message_id = await self._post(report.guild_id, lambda: report_embed(report, job), view)
        if message_id is None:
            log.warning("Report %s: guild %s has no log channel", report.id, report.guild_id)
        return message_id

    async def report_closed(self, report: Report, job: Job, decision_key: str,
                            **params: object) -> None:
        """Show the moderator's decision (`decision_key` with its `params`) on the report's
        log-channel message, without the buttons."""
        await self._close(report.guild_id, report.log_message_id,
                          lambda: report_embed(report, job, text(decision_key, **params)),
                          f"Report {report.id}")

    async def remove_result(self, job: Job) -> Removal:
        """Delete the job's result message where it really is, and every story joined with it
        in it (under it or under a later part); what was deleted, already gone or refused. A
        refusal is the moderator's to hear about, never an unhandled error."""
        removal = Removal()
        if job.result_message_id is not None:
            await self._delete(job, job.result_channel, job.result_message_id, removal)
        for story in await self.store.stories_with_part(job.id):
            assert story.channel_id is not None and story.message_id is not None
            await self._delete(job, story.channel_id, story.message_id, removal, story=True)
        return removal

    async def removed_notice(self, job: Job) -> None:
        """Say where the result was that a moderator removed it (a channel gone meanwhile
        is logged: the removal itself is done)."""
        with speaking(await self.languages.of(job.guild_id)):
            notice = text("report.removed_notice")
        try:
            await self.client.get_partial_messageable(job.result_channel, guild_id=job.guild_id
                                                      ).send(
                notice, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("Job %s: could not say where it was that it was removed (%s)", job.id,
                        exc.status)

    async def _delete(self, job: Job, channel_id: int, message_id: int, removal: Removal, *,
                      story: bool = False) -> None:
        try:
            await self.client.get_partial_messageable(channel_id, guild_id=job.guild_id
                                                      ).get_partial_message(message_id).delete()
        except discord.NotFound as exc:
            if exc.code not in ALREADY_GONE:
                log.warning("Job %s: Discord refused to delete message %s (404, %s)", job.id,
                            message_id, exc.code)
                removal.refused = removal.refused or exc.status
                return
            log.info("Job %s: message %s was already gone", job.id, message_id)
            removal.gone += 1
        except discord.HTTPException as exc:
            log.warning("Job %s: Discord refused to delete message %s (%s, %s)", job.id,
                        message_id, exc.status, exc.code)
            removal.refused = removal.refused or exc.status
            return
        else:
            removal.deleted += 1
        if story:
            removal.stories += 1

    async def say_in_thread(self, job: Job, message: str) -> None:
        """A public line where the job's result is (a reaction reward)."""
        await self.client.get_partial_messageable(job.result_channel, guild_id=job.guild_id
                                                  ).send(
            message, allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(id=job.user_id)]))
