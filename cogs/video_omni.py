"""Omni jobs and stories: the bodies of `/video omni` and `/video story` (declared with the
other /video commands in `cogs.video`).

/video omni takes up to 7 reference images and one reference video. The images a member set
aside with "Use as reference" (images already posted, forwarded or unfurled in the channel,
which an attachment option cannot reach) join the ones attached to the command, after them;
they are used up by the job that takes them. Each image is checked as /video image checks one,
the video by type and size; the core checks the counts, the citations in the prompt and the
model's rules, all before anything is spent. The images set aside come from the "Use as
reference" menu (`cogs.references`).
"""

from __future__ import annotations

import logging

import discord

from bot.discord.errors import Refused
from bot.discord.flows.message_images import image_facts
from bot.discord.flows.start import job_request, start_job
from bot.discord.interactions import acknowledge
from bot.discord.services import Services
from bot.discord.ui.shots_modal import StoryModal
from bot.images import check_image
from bot.kling.omni import ReferenceVideo, ReferUse, VideoFacts, check_reference_video
from bot.kling.options import InvalidOptions, VideoOptions
from bot.store import JobState

log = logging.getLogger(__name__)


def video_facts(attachment: discord.Attachment) -> VideoFacts:
    """What the core needs to check an attachment as a reference video: name, type and size."""
    return VideoFacts(attachment.filename, attachment.content_type, attachment.size)


async def start_omni(services: Services, interaction: discord.Interaction, *, prompt: str,
                     images: list[discord.Attachment | None],
                     video: discord.Attachment | None, video_use: str | None,
                     keep_sound: bool | None, model: str | None, mode: str | None,
                     duration: int | None, aspect_ratio: str | None,
                     audio: bool | None = None, spoiler: bool | None = None) -> None:
    """/video omni: check the attachments, add the member's pending references, start."""
    given = [number for number, image in enumerate(images, 1) if image is not None]
    if given and given[-1] != len(given):  # image3 without image2 would be cited as image_2
        missing = next(n for n in range(1, given[-1]) if n not in given)
        raise Refused("omni.image_gap", {"missing": f"image{missing}",
                                         "given": f"image{given[-1]}"})
    attached = [image for image in images if image is not None]
    for number, image in enumerate(attached, 1):
        check_image(image_facts(image), f"image{number}")
    reference = None
    if video is not None:
        check_reference_video(video_facts(video))
        use: ReferUse = "base" if video_use == "base" else "feature"
        # Editing a video keeps its sound unless told otherwise; a style reference does not.
        keep = keep_sound if keep_sound is not None else use == "base"
        reference = ReferenceVideo(video.url, use, keep)
    await acknowledge(interaction)  # the pending references are read from the store
    guild_id = interaction.guild_id or 0
    pending = await services.references.pending(guild_id, interaction.user.id)
    urls = (*(image.url for image in attached), *(ref.url for ref in pending))
    if not urls:
        raise Refused("omni.no_images")
    options = VideoOptions(action="text2video", prompt=prompt, model=model, mode=mode,
                           duration=duration, aspect_ratio=aspect_ratio, image_urls=urls,
                           reference_video=reference, audio=audio)
    job = await start_job(services.jobs, interaction,
                          job_request(interaction, options, spoiler=bool(spoiler)))
    # Used up by this job; kept when it did not start (its price not confirmed, or failed).
    if pending and job is not None and job.state is not JobState.FAILED:
        await services.references.clear(guild_id, interaction.user.id)


async def open_story(services: Services, interaction: discord.Interaction, *, model: str | None,
                     mode: str | None, duration: int | None, aspect_ratio: str | None,
                     audio: bool | None = None, spoiler: bool | None = None) -> None:
    """/video story: a model that cannot cut shots is refused before the form opens; the
    form's shots then start the job."""
    if model is not None:
        caps = services.capabilities.get(model)
        if caps is not None and not caps.multi_shot:
            able = [n for n, c in services.capabilities.models.items() if c.multi_shot]
            raise InvalidOptions("invalid.story_unsupported", {"model": caps.name,
                                                               "allowed": able},
                                 option="model")

    async def start(submitted: discord.Interaction, options: VideoOptions) -> None:
        await start_job(services.jobs, submitted,
                        job_request(submitted, options, spoiler=bool(spoiler)))

    await interaction.response.send_modal(StoryModal(
        VideoOptions(action="text2video", model=model, mode=mode, duration=duration,
                     aspect_ratio=aspect_ratio, audio=audio), start))
