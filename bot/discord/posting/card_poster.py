"""A job's status card and its thread, posted with the bot's own token by channel and message
id, so a job that outlives the 15-minute interaction token still edits its card.

The one exception is the card's first showing (`present`), a follow-up of the member's command
made within seconds of it: it keeps the card off the channel's message bucket. Card edits go
through a `CardThrottle` (per job) and a `ChannelPacer` (per channel). Everything here is
public, so it is made in the server's language (`ServerLanguages`).
"""

from __future__ import annotations

import asyncio
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
from bot.jobs import CannotPostHere, Placement
from bot.store import Job, JobState

log = logging.getLogger(__name__)

# Seconds a started thread's placement is remembered for a delivery that read the job before
# the core stored it.
PLACEMENT_MEMORY = 60.0


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
        self._placements: dict[str, asyncio.Future[Placement]] = {}

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
        """The card's footer: no thread (when it has none), and "simulated" in that mode."""
        if no_thread is None:
            no_thread = job.thread_id is None
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

    async def placed(self, job: Job) -> Job:
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
            job = await self.placed(job)
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

