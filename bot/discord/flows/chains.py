"""Continue and Join the story, as the buttons under a result run them.

Continue: the bot posts the video's last frame where its result is (a spoiler when the video
is one) and starts an image-to-video job
from that attachment, with the source's model, mode and prompt (or a new prompt), as a child of
the source (`parent_job_id`), so the chain is known. Join the story: the chain's parts in order
joined into one video, posted in the thread once (a spoiler when any part is one); a second
press points at the first. What is posted is prepared by the core (`Publisher`), which
refuses a video, or a story with a part, that a moderator removed.

Both answer privately after deferring: fetching and FFmpeg take longer than Discord's 3 s.
"""

from __future__ import annotations

import logging

import discord

from bot.discord.errors import Refused
from bot.discord.flows.price_confirmation import confirm_price, confirmed_as
from bot.discord.flows.start import job_request, start_job
from bot.discord.i18n.texts import text
from bot.discord.interactions import acknowledge, jump_url, send_ephemeral
from bot.discord.services import services_of
from bot.download import DownloadFailed, VideoTooLarge
from bot.jobs import JobRequest
from bot.kling.multishot import last_shot
from bot.kling.options import VideoOptions
from bot.media import CannotFit
from bot.publishing import RemovedPart
from bot.store import Job

log = logging.getLogger(__name__)

# Stands for the frame's address in the check made before the frame exists.
PENDING_FRAME = "https://cdn.discordapp.com/attachments/0/0/frame.jpg"


def continue_request(interaction: discord.Interaction, source: Job, prompt: str | None,
                     start_image_url: str) -> JobRequest:
    """A Continue of `source`: image-to-video from its last frame, its model, mode, length
    and (unless a new one is given) prompt, in its thread. A story goes on from its last
    shot: its shots joined are no prompt the member typed, and may be longer than one may be."""
    if prompt is None:
        prompt = last_shot(source.request) or source.prompt
    options = VideoOptions(action="image2video", model=source.model, mode=source.mode,
                           duration=source.duration, prompt=prompt,
                           start_image_url=start_image_url)
    return job_request(interaction, options, fallback_channel_id=source.post_channel_id,
                       parent_job_id=source.id, thread_id=source.thread_id,
                       spoiler=source.spoiler)


async def continue_video(interaction: discord.Interaction, source: Job, prompt: str | None
                         ) -> Job | None:
    """Post `source`'s last frame in its thread and start the Continue from it (None: its
    price was not confirmed).

    The frame is posted for everyone in the thread, so only for a Continue that will be
    reserved: a member who cannot pay (or may not ask for this here) is refused first, and a
    price above the server's threshold is confirmed first (a cancelled offer posts nothing).
    The confirmed Continue is then reserved as exactly what was offered."""
    services = services_of(interaction)
    caps = services.capabilities.get(source.model)
    if caps is None or not caps.image2video:
        raise Refused("access.no_frame")
    pending = continue_request(interaction, source, prompt, PENDING_FRAME)
    # What needs no I/O is checked before the frame is taken and posted (answered at once).
    services.jobs.check(pending)
    await acknowledge(interaction)
    quote = await services.jobs.precheck(pending)
    if quote.needs_confirmation:
        if not await confirm_price(interaction, quote):
            return None
        await services.jobs.precheck(pending)  # credits may have gone while they decided
    try:
        async with services.publisher.frame(source, interaction.user.id) as frame:
            posted = await services.notifier.post_frame(frame)
    except (CannotFit, DownloadFailed, VideoTooLarge) as exc:
        log.warning("Job %s: no last frame to continue from (%s)", source.id, exc)
        raise Refused("access.no_frame") from None
    request = continue_request(interaction, source, prompt, posted.url)
    if quote.needs_confirmation:
        request = confirmed_as(request, quote)
    try:
        job = await start_job(services.jobs, interaction, request)
    except BaseException:
        # Refused after all (the server's cap, credits spent meanwhile): no frame without a job.
        await services.notifier.withdraw(posted, source.guild_id)
        raise
    if job is None:  # a new offer the member did not confirm
        await services.notifier.withdraw(posted, source.guild_id)
    return job


async def join_story(interaction: discord.Interaction, newest: Job) -> None:
    """Join the story ending at `newest` and post it in the thread, or point at the one
    joined before. Refused (privately, nothing posted, the claim released) when too many
    Joins run now."""
    services = services_of(interaction)
    chains = services.chains
    await acknowledge(interaction)
    parts = await chains.chain(newest.id)  # NoChain: answered as a refusal
    if not await chains.claim(newest.id):
        earlier = await chains.earlier(newest.id)
        if earlier is not None and earlier.message_id is not None and \
                earlier.channel_id is not None:
            await send_ephemeral(interaction, text(
                "ack.story_reused",
                link=jump_url(newest.guild_id, earlier.channel_id, earlier.message_id)))
        else:
            await send_ephemeral(interaction, text("ack.story_busy"))
        return
    try:
        # JoinsBusy (answered as a refusal) before anything is downloaded.
        with chains.turns.turn(interaction.user.id):
            async with chains.heartbeat(newest.id):
                limit = await services.notifier.upload_limit(newest.guild_id)
                async with services.publisher.joined(parts, limit) as post:
                    posted = await services.notifier.post_joined(post)
    except (CannotFit, DownloadFailed, VideoTooLarge) as exc:
        await chains.abandon(newest.id)
        log.warning("Job %s: the story could not be joined (%s)", newest.id, exc)
        reason = text(exc.code, **exc.params) if isinstance(exc, CannotFit) \
            else text("ack.story_fetch")
        await send_ephemeral(interaction, text("ack.story_failed", reason=reason))
        return
    except BaseException:
        await chains.abandon(newest.id)
        raise
    await chains.posted(newest.id, posted.channel_id, posted.message_id)
    try:
        # A part removed while the story was being posted: Remove could not know of the story
        # until now it is recorded, so the Join takes it down itself.
        await chains.chain(newest.id)
    except RemovedPart:
        await services.notifier.withdraw(posted, newest.guild_id)
        raise
    await send_ephemeral(interaction, text(
        "ack.story_posted", link=jump_url(newest.guild_id, posted.channel_id,
                                          posted.message_id)))
