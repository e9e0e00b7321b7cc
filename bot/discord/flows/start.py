"""Starting a job from an interaction: one request built the same way, one defer, one private
confirmation.

Shared by the slash commands, the context menu, the Extend buttons and the modals. Each builds a
`JobRequest` from the interaction (`job_request`: the member's options as given, where they
asked); the core applies the server's policy to every one of them when it reserves the job. The
flow validates what needs no I/O before deferring (those errors come back at once), defers
before the core reads the database (Discord drops an interaction not answered within 3 s), and
words its answers the same way. A job priced above the server's threshold waits for the
member's confirmation before it is reserved (`bot.discord.flows.price_confirmation`).

The REST calls of a job's start are few and off the channel's message bucket, which every card,
thread and result of a busy channel shares (5 per 5 s). The deferral is private, and the private
confirmation answers it as soon as the job is reserved (an error found then answers it instead,
privately, and nothing shows in the channel). The public card is the command's next follow-up
(`CardPoster.present`, over the interaction token's own bucket); only then does the core start
the job (the queue, Kling; its thread in the background, never in the job's way). Under a
burst, that public work waits for the burst's pending confirmations (`ConfirmationsFirst`; a
member reading a price is not pending). Where the bot may not post (so no result could ever be
delivered) the core posts the card or refuses the job, as before (`_start_privately`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

import discord

from bot.discord.flows.price_confirmation import reserve_confirmed
from bot.discord.i18n.limits import MESSAGE_LIMIT
from bot.discord.i18n.render import failure_reason
from bot.discord.i18n.texts import clip, text
from bot.discord.interactions import acknowledge, jump_url, role_ids, send_ephemeral
from bot.discord.posting.priority import ConfirmationsFirst
from bot.discord.services import services_of
from bot.jobs import JobRequest, PriceNeedsConfirmation
from bot.kling.options import VideoOptions
from bot.logs import job_context
from bot.store import Job, JobState

log = logging.getLogger(__name__)


class JobStarter(Protocol):
    """What the flow needs of the core's job service."""

    def check(self, request: JobRequest) -> None:
        """Validate what can be without I/O; raises before anything is spent."""
        ...

    async def request(self, request: JobRequest) -> Job:
        """Apply the server's policy, reserve and queue the job (or fail it, refunded)."""
        ...

    async def reserve(self, request: JobRequest) -> Job:
        """Apply the server's policy, validate, price and hold the credits (QUEUED)."""
        ...

    async def start(self, job: Job) -> Job:
        """Store the reserved job's card, dispatch it, start its thread in the background."""
        ...


class CardPoster(Protocol):
    """What the flow needs of the notifier: where it may post, and the card as the
    interaction's response."""

    confirmations: ConfirmationsFirst

    def can_post(self, channel_id: int) -> bool:
        """Whether the bot may post in the channel (else the job could never be delivered)."""

    async def present(self, interaction: discord.Interaction, job: Job) -> int | None:
        """Show the card as the command's follow-up; its message id, None if refused."""


def job_request(interaction: discord.Interaction, options: VideoOptions, *,
                fallback_channel_id: int | None = None, **extra: Any) -> JobRequest:
    """The member's ask as the core takes it: who, where (the channel, and the channel a thread
    belongs to, for the server's allowed channels), and the options as given."""
    channel_id = interaction.channel_id or fallback_channel_id or interaction.user.id
    joined = getattr(interaction.user, "joined_at", None)  # a Member's, from the payload
    return JobRequest(guild_id=interaction.guild_id, channel_id=channel_id,
                      parent_channel_id=getattr(interaction.channel, "parent_id", None),
                      user_id=interaction.user.id, options=options,
                      role_ids=role_ids(interaction.user),
                      joined_at=joined.timestamp() if joined is not None else None,
                      staff=bool(interaction.permissions.manage_guild), **extra)


def extend_request(interaction: discord.Interaction, source: Job, prompt: str | None,
                   duration: int | None = None) -> JobRequest:
    """An Extend continues `source`: its model, mode and video, in its thread, by `duration`
    seconds (None: the model's default). The core refuses a source too old for Kling, dated
    from when it was sent to Kling (the video is a little younger: the refusal errs early)."""
    options = VideoOptions(action="extend", model=source.model, mode=source.mode,
                           prompt=source.prompt if prompt is None else prompt,
                           video_id=source.video_id, duration=duration)
    return job_request(interaction, options, fallback_channel_id=source.post_channel_id,
                       parent_job_id=source.id, thread_id=source.thread_id,
                       source_made_at=source.submitted_at or source.created_at,
                       spoiler=source.spoiler)


async def start_job(jobs: JobStarter, interaction: discord.Interaction, request: JobRequest
                    ) -> Job | None:
    """Validate (answering at once if wrong), defer privately, reserve (a price above the
    server's threshold is confirmed by the member first: None if they did not), confirm
    privately, show the card publicly, start the job."""
    jobs.check(request)  # raises InvalidOptions before anything is spent or deferred
    cards: CardPoster = services_of(interaction).notifier
    if not cards.can_post(request.channel_id):
        return await _start_privately(jobs, interaction, request)
    reserved = await _reserve_and_confirm(jobs, interaction, request, cards.confirmations)
    if reserved is None:
        return None
    job, told = reserved
    await cards.confirmations.public_turn()
    # Untold, the deferral is still open: a follow-up would take its place, privately. The
    # core posts the card in the channel instead, so the member sees the job and its Cancel.
    card_id = await cards.present(interaction, job) if told else None
    if card_id is not None:
        job = replace(job, status_message_id=card_id)
    with job_context(job.id):
        job = await jobs.start(job)
    if job.state is JobState.FAILED:
        await send_ephemeral(interaction, text("ack.failed", reason=failure_reason(job)))
    return job


async def _reserve_and_confirm(jobs: JobStarter, interaction: discord.Interaction,
                               request: JobRequest, confirmations: ConfirmationsFirst
                               ) -> tuple[Job, bool] | None:
    """Defer, reserve and confirm privately; an expensive job's price is confirmed by the
    member first (None if they did not). Errors answer the deferral, privately. The
    confirmation answers the private deferral (a follow-up sent before it would take its
    place, private); the card follows as a public follow-up. The job, and whether the member
    was told (`_tell_accepted`)."""
    with confirmations.confirming():
        await acknowledge(interaction)
        try:
            job = await jobs.reserve(request)
        except PriceNeedsConfirmation as expensive:  # nothing reserved: ask the member first
            asked = expensive
        else:
            return job, await _tell_accepted(interaction, job)
    told = False

    async def reserve(confirmed: JobRequest) -> Job:
        nonlocal told
        # Reserved now as any job (credits are checked again), as exactly what was offered.
        with confirmations.confirming():
            job = await jobs.reserve(confirmed)
            told = await _tell_accepted(interaction, job)
            return job
    # The member reads the offer: nothing pending meanwhile.
    confirmed = await reserve_confirmed(interaction, request, asked, reserve)
    return None if confirmed is None else (confirmed, told)


async def _tell_accepted(interaction: discord.Interaction, job: Job) -> bool:
    """Tell the member privately that the job is reserved; True once the deferral is answered.

    The job is reserved and goes on whatever Discord answers, so a refusal here is no error
    for the member (they would read "something went wrong" about a job that runs): the
    deferral is answered by editing it instead, and when that fails too, False (the card is
    then posted in the channel, with its Cancel)."""
    said = _accepted(job)
    try:
        await send_ephemeral(interaction, said)
        return True
    except discord.HTTPException as exc:
        log.warning("Job %s: the private confirmation failed (%s); editing the deferral",
                    job.id, exc.status)
    try:
        await interaction.edit_original_response(
            content=clip(said, MESSAGE_LIMIT), allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("Job %s: the member could not be told privately (%s)", job.id, exc.status)
        return False
    return True


def _accepted(job: Job) -> str:
    """The private confirmation of a reserved job (held for review, or on its way); its card
    follows in the channel."""
    where = f"<#{job.post_channel_id}>"
    if job.state is JobState.REVIEW:
        return text("ack.review", link=where)
    return text("ack.started", link=where)


async def _start_privately(jobs: JobStarter, interaction: discord.Interaction,
                           request: JobRequest) -> Job | None:
    """The flow where no public card can be shown: defer privately, let the core post the
    card (or refuse the job, refunded, where the bot may not post), confirm privately."""
    await acknowledge(interaction)
    try:
        job = await jobs.request(request)
    except PriceNeedsConfirmation as expensive:  # nothing reserved: ask the member first
        confirmed = await reserve_confirmed(interaction, request, expensive, jobs.request)
        if confirmed is None:
            return None
        job = confirmed
    if job.state is JobState.FAILED:
        await send_ephemeral(interaction, text("ack.failed", reason=failure_reason(job)))
    else:
        where = (jump_url(job.guild_id, job.channel_id, job.status_message_id)
                 if job.status_message_id else f"<#{job.post_channel_id}>")
        key = "ack.review" if job.state is JobState.REVIEW else "ack.started"
        await send_ephemeral(interaction, text(key, link=where))
    return job
