"""The Discord side of a job, as the core calls it (`JobNotifier`): its card and thread
(`CardPoster`), its result (`ResultPoster`), its failure notice, moderators' alerts, and the
audit lines in the log channel (`AuditLines`, the core's audit sink).

The notifier is given everything it uses (the client, the store) when it is made; the core
calls it through the `JobNotifier` interface only, handing it what to post as prepared values
(`bot.publishing`).
"""

from __future__ import annotations

import logging

import discord

from bot.discord.i18n.languages import GuildFacts, ServerLanguages
from bot.discord.i18n.limits import FAILURE_REASON_LIMIT
from bot.discord.i18n.render import failure_reason, sentence
from bot.discord.i18n.texts import clip, speaking, text
from bot.discord.posting.audit_lines import AuditLines
from bot.discord.posting.card_poster import CardPoster
from bot.discord.posting.community_posts import CommunityPosts, PostsStore
from bot.discord.posting.components import review_view
from bot.discord.posting.direct_notices import DirectNotices
from bot.discord.posting.result_poster import ResultPoster
from bot.discord.posting.throttle import CARD_EDIT_INTERVAL
from bot.errors import Notice
from bot.guild_settings import load_guild_settings
from bot.jobs import QUEUE_TIMEOUT_CODE
from bot.jobs.outcomes import REVIEW_REJECTED_CODE, REVIEW_TIMEOUT_CODE
from bot.publishing import FramePost, JoinedPost, Posted, PostedFrame, ResultPost
from bot.store import Job

log = logging.getLogger(__name__)


class DiscordNotifier:
    """`JobNotifier` over discord.py's REST client."""

    def __init__(self, client: discord.Client, store: PostsStore, *,
                 edit_interval: float = CARD_EDIT_INTERVAL,
                 languages: ServerLanguages | None = None, simulated: bool = False) -> None:
        self.client = client
        self.store = store
        self.languages = languages or ServerLanguages(store, GuildFacts(client))
        self.direct = DirectNotices(client, store)
        self.card_poster = CardPoster(client, self.languages, edit_interval=edit_interval,
                                      simulated=simulated)
        self.results = ResultPoster(client, self.languages, self.card_poster, self.direct)
        self.confirmations = self.card_poster.confirmations
        # Community moderation's posts in the log channel (reviews, reports).
        self.community = CommunityPosts(client, store, self.languages)
        # The audit log's lines in the log channel: the sink the engine records into.
        self.audit = AuditLines(client, store, self.languages)

    async def close(self) -> None:
        """Post the audit lines still waiting, drop the card edits still waiting (the
        process is stopping)."""
        await self.audit.close()
        await self.card_poster.close()

    def can_post(self, channel_id: int) -> bool:
        """Whether the bot may post in this channel (see `CardPoster.can_post`)."""
        return self.card_poster.can_post(channel_id)

    async def present(self, interaction: discord.Interaction, job: Job) -> int | None:
        """Show the job's card as a follow-up of the member's command."""
        return await self.card_poster.present(interaction, job)

    async def post_card(self, job: Job) -> int:
        """Post the job's card in its channel (where the command's response did not show it)."""
        return await self.card_poster.post_card(job)

    async def start_thread(self, job: Job) -> int | None:
        """Start the job's thread from its card (None: it has none)."""
        return await self.card_poster.start_thread(job)

    async def progress(self, job: Job) -> None:
        """Refresh the job's card."""
        await self.card_poster.progress(job)

    async def upload_limit(self, guild_id: int | None) -> int:
        """The server's upload limit in bytes."""
        return await self.results.upload_limit(guild_id)

    async def post_result(self, post: ResultPost, *, resumed: bool = False) -> Posted:
        """Post a prepared result (see `ResultPoster.post_result`)."""
        return await self.results.post_result(post, resumed=resumed)

    async def post_frame(self, post: FramePost) -> PostedFrame:
        """Post a Continue's start frame (see `ResultPoster.post_frame`)."""
        return await self.results.post_frame(post)

    async def withdraw(self, posted: Posted, guild_id: int | None) -> None:
        """Delete a post of a job that did not go ahead (see `ResultPoster.withdraw`)."""
        await self.results.withdraw(posted, guild_id)

    async def post_joined(self, post: JoinedPost) -> Posted:
        """Post a joined story (see `ResultPoster.post_joined`)."""
        return await self.results.post_joined(post)

    def _messageable(self, channel_id: int, guild_id: int | None) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def _server_language(self, job: Job) -> str:
        return await self.languages.of(job.guild_id)

    async def ask_review(self, job: Job) -> int | None:
        """Ask the log channel's moderators to approve or reject a held job."""
        return await self.community.ask_review(job, review_view(job.id))

    async def failed(self, job: Job) -> None:
        """Tell the requester the job ended and was refunded, where they will see it; a job refused
        at once was answered privately already, so only its card changes."""
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
        """Tell the server's moderators (the log channel), or the operator's log when no log
        channel is set."""
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
