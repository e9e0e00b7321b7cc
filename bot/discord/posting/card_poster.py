"""A job's status card and its thread, posted with the bot's own token by channel and message
id, so a job that outlives the 15-minute interaction token still edits its card.

The one exception is the card's first showing (`present`), a follow-up of the member's command
made within seconds of it: it keeps the card off the channel's message bucket. Card edits go
through a `CardThrottle` (per job) and a `ChannelPacer` (per channel). Everything here is
public, so it is made in the server's language (`ServerLanguages`).

The thread is started apart from the card (`start_thread`), when the core asks, after it sent
the job to Kling; the core stores where the card and thread are. Nothing here remembers a job
between calls, so another process can carry on with it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import discord

from bot.discord.i18n.languages import ServerLanguages
from bot.discord.i18n.texts import speaking, text
from bot.discord.interactions import jump_url
from bot.discord.posting.cards import status_card, thread_name
from bot.discord.posting.components import card_view
from bot.discord.posting.pacer import ChannelPacer
from bot.discord.posting.priority import ConfirmationsFirst
from bot.discord.posting.throttle import CARD_EDIT_INTERVAL, CardThrottle
from bot.jobs import CannotPostHere
from bot.store import Job, JobState

log = logging.getLogger(__name__)

# Discord's error code for a thread started from a message that has one already.
THREAD_EXISTS = 160004


class CardPoster:
    """Posts and edits job cards and starts their threads."""

    def __init__(self, client: discord.Client, languages: ServerLanguages, *,
                 edit_interval: float = CARD_EDIT_INTERVAL, simulated: bool = False) -> None:
        self.client = client
        self.languages = languages
        self.cards = CardThrottle(edit_interval)
        self.pacer = ChannelPacer()
        self.confirmations = ConfirmationsFirst()
        # KLING_API_BASE=simulated: every card says its video is a simulation.
        self.simulated = simulated

    async def close(self) -> None:
        """Drop the card edits still waiting (the process is stopping)."""
        await self.cards.close()
        await self.pacer.close()

    def _messageable(self, channel_id: int, guild_id: int | None) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

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
        """The card's footer: no thread (when it has none, and none is being started), and
        "simulated" in that mode."""
        if no_thread is None:
            no_thread = job.thread_id is None and job.thread_pending_until is None
        notes = [text("card.no_thread")] if no_thread else []
        if self.simulated:
            notes.append(text("card.simulated"))
        return "\n".join(notes) or None

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

    def _first_card(self, job: Job) -> discord.Embed:
        """The card as first shown; its note says whether results stay in the channel."""
        if self._in_thread(job):
            # An Extend (or a command typed inside a thread): the chain stays in this thread.
            shown = dataclasses.replace(job, thread_id=job.thread_id or job.channel_id)
            return status_card(shown, note=self._note(shown))
        return status_card(job, note=self._note(job, not self._can_thread(job.channel_id)))

    async def present(self, interaction: discord.Interaction, job: Job) -> int | None:
        """Show the job's card as a public follow-up of the member's command (after the
        private confirmation, which answered the deferral): it reaches the channel at once,
        over the interaction token's own rate limit rather than the channel's message bucket
        that every card, thread and result of a busy channel shares. Returns the card's
        message id; None when Discord refused (the core then posts the card in the channel:
        `post_card`)."""
        with speaking(await self._server_language(job)):
            embed = self._first_card(job)
        try:
            message = await interaction.followup.send(embed=embed, wait=True,
                                                      **self._card_extras(job))
        except discord.HTTPException as exc:
            log.warning("Job %s: could not show its card as the response (%s)", job.id,
                        exc.status)
            return None
        return message.id

    async def post_card(self, job: Job) -> int:
        """Post the card in the job's channel (where the command's response could not show
        it: `present`); its message id. The thread is started apart (`start_thread`)."""
        try:
            with speaking(await self._server_language(job)):
                embed = self._first_card(job)
            message = await self._messageable(job.channel_id, job.guild_id).send(
                embed=embed, **self._card_extras(job))
        except (discord.Forbidden, discord.NotFound) as exc:
            raise CannotPostHere("post.forbidden") from exc
        return message.id

    async def start_thread(self, job: Job) -> int | None:
        """Start the job's thread from its card, or name the thread it belongs in already;
        None where it can have none (the card then says so). Under a busy channel's thread
        limits this can take a while: the core never waits for it (it dispatched the job
        first, and its delivery reads the outcome from the store)."""
        if job.thread_id is not None:
            return job.thread_id
        channel: discord.abc.GuildChannel | discord.Thread | discord.abc.PrivateChannel | None
        channel = self.client.get_channel(job.channel_id)
        if channel is None and job.guild_id is not None:
            # Not in this process's cache (before the gateway is ready, another shard's):
            # asked once; the permission is then found out by trying.
            channel = await self._fetch_channel(job.channel_id)
            possible = True
        else:
            possible = self._can_thread(job.channel_id)
        if isinstance(channel, discord.Thread):
            return channel.id  # a command typed inside a thread
        if not (possible and isinstance(channel, discord.TextChannel)) or \
                job.status_message_id is None:
            return None
        card = channel.get_partial_message(job.status_message_id)
        with speaking(await self._server_language(job)):
            name = await thread_name(self.client, job)  # public: the server's language
        try:
            thread = await card.create_thread(name=name, auto_archive_duration=1440)
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:
                # Started already (by a process that stopped before storing it): a thread
                # started from a message has the message's id.
                return card.id
            log.warning("Job %s: could not start a thread (%s); posting in the channel",
                        job.id, exc.status)
            with speaking(await self._server_language(job)):
                embed = status_card(job, note=self._note(job, True))
            await card.edit(embed=embed)
            return None
        return thread.id

    async def _fetch_channel(self, channel_id: int
                             ) -> discord.abc.GuildChannel | discord.Thread | None:
        try:
            channel = await self.client.fetch_channel(channel_id)
        except discord.HTTPException:
            return None
        return channel if isinstance(channel, (discord.abc.GuildChannel, discord.Thread)) \
            else None

    def _in_thread(self, job: Job) -> bool:
        """An Extend (in its chain's thread) or a command typed inside a thread."""
        return job.thread_id is not None or isinstance(self.client.get_channel(job.channel_id),
                                                       discord.Thread)

    async def progress(self, job: Job, result_link: str | None = None) -> None:
        """Refresh the job's card (paced per job and per channel; superseded states are skipped).
        `result_link` points the card at the result before the job records its message."""
        if job.status_message_id is None:
            return

        async def edit(latest: Job) -> None:
            assert latest.status_message_id is not None
            channel = self._messageable(latest.channel_id, latest.guild_id)
            link = (jump_url(latest.guild_id, latest.result_channel, latest.result_message_id)
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

    async def finish(self, job: Job, message_id: int) -> None:
        """Show the result's link on the card of a delivered job."""
        done = dataclasses.replace(job, state=JobState.DELIVERED, result_message_id=message_id)
        await self.progress(done)

