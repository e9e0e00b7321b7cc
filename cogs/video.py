"""/video text, /video image and the "Animate with Kling" message menu (which finds the image in
the message's attachments, a forwarded message's, or an image embed).

The commands' choices come from the capability table (`bot.discord.ui.video_choices`), so an
operator's added model shows up in the model list without a code change. discord.py fixes a
command's choices when the command is defined, so the cog's class is defined once the table is
known (`video_cog`); everything else lives in `VideoCog`, its base. The duration is offered by
autocomplete instead: the lengths of the model the job would run on as filled in so far, 5/10
or 3 to 15 (`offer_durations`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from bot.discord.client import KlingBot
from bot.discord.errors import Refused
from bot.discord.feature_cog import VIDEO, FeatureCog
from bot.discord.flows.message_images import first_image, image_facts
from bot.discord.flows.start import job_request, start_job
from bot.discord.i18n.command_texts import seconds_choice
from bot.discord.services import Services
from bot.discord.ui.job_buttons import JobButton
from bot.discord.ui.prompt_modals import AnimateModal
from bot.discord.ui.video_choices import video_choices
from bot.guild_settings import load_guild_settings
from bot.images import check_image
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import NEGATIVE_PROMPT_LIMIT, PROMPT_LIMIT, VideoOptions
from bot.policy import offered_lengths
from cogs.video_omni import open_story, start_omni

log = logging.getLogger(__name__)

T = TypeVar("T")

# The options /video text and /video image share: their types, descriptions and choices.
Prompt = Range[str, 1, PROMPT_LIMIT]
CfgScale = Range[float, 0.0, 1.0]
NegativePrompt = Range[str, 1, NEGATIVE_PROMPT_LIMIT]
Seconds = Range[int, 1, None]  # which lengths a model makes is validation's (and the list's)
SHARED_DESCRIPTIONS = {
    "model": "Which Kling model (default: the server's choice)",
    "mode": "Standard is faster and cheaper; Professional looks better",
    "duration": "Length in seconds: the list shows what the chosen model makes",
    "cfg_scale": "How closely to follow the prompt, 0 to 1",
    "negative_prompt": "What to keep out of the video",
    "camera": "A camera move (text to video on models that support it)",
    "audio": "Sound and speech made with the video (some models; costs more)",
}
# Per command, not in the shared table: the shared table is applied to commands without it.
SPOILER = "Post the video as a spoiler, hidden until clicked"
SHARED_CHOICES = ("model", "mode", "camera")


OMNI_DESCRIPTIONS = {
    "prompt": "What happens; cite images as <<<image_1>>>... (if none is cited, all are, in order)",
    "image1": "Reference image <<<image_1>>> (optional with images set aside by Use as reference)",
    **{f"image{n}": f"Reference image <<<image_{n}>>>" for n in range(2, 8)},
    "video": "A reference video: MP4 or MOV, at most 200 MB (then at most 4 images)",
    "video_use": "Follow the video's style and motion (default), or edit the video itself",
    "keep_sound": "Keep the video's own sound (default: only when editing it)",
    "model": "Which omni model (default: the server's if it is one, else the first)",
    "mode": SHARED_DESCRIPTIONS["mode"],
    "duration": SHARED_DESCRIPTIONS["duration"],
    "aspect_ratio": "Shape of the video",
    "audio": "Sound made with the video (kling-v3-omni; not beside a reference video)",
    "spoiler": SPOILER,
}
STORY_DESCRIPTIONS = {
    "model": "Which model (one that makes videos in several shots)",
    "mode": SHARED_DESCRIPTIONS["mode"],
    "duration": "Length in seconds (default: the shots' lengths added up, or 5)",
    "aspect_ratio": "Shape of the video",
    "audio": SHARED_DESCRIPTIONS["audio"],
    "spoiler": SPOILER,
}


def shared_options(choices: dict[str, list[Choice[Any]]]) -> Callable[[T], T]:
    """The decorator that gives a /video subcommand the shared options' descriptions and
    choices."""
    describe = app_commands.describe(**SHARED_DESCRIPTIONS)
    choose = app_commands.choices(**{name: choices[name] for name in SHARED_CHOICES})

    def decorate(command: T) -> T:
        return describe(choose(command))

    return decorate


class VideoCog(FeatureCog):
    """Turns the member's options into a job request; the core applies the server's policy.
    Its commands go under /video, and the buttons under a job's card and result are its."""

    group = VIDEO
    items = (JobButton,)

    def __init__(self, bot: KlingBot) -> None:
        super().__init__(bot)
        self.services: Services = bot.services
        self.menus = [app_commands.guild_only(app_commands.ContextMenu(
            name="Animate with Kling", callback=self.animate_message))]

    async def start_video(self, interaction: discord.Interaction, options: VideoOptions,
                          spoiler: bool | None = None) -> None:
        """Start the job the member asked for, where they asked (see `start_job`)."""
        await start_job(self.services.jobs, interaction,
                        job_request(interaction, options, spoiler=bool(spoiler)))

    async def offer_durations(self, interaction: discord.Interaction, current: str
                              ) -> list[Choice[int]]:
        """The duration's autocomplete: the lengths of the model the job would run on as filled
        in so far, under the server's policy (`bot.policy.offered_lengths`), those starting
        with what was typed first."""
        settings = await load_guild_settings(self.services.store, interaction.guild_id)
        ns = interaction.namespace
        image = interaction.command is not None and interaction.command.name == "image"
        picked = ns.model if isinstance(ns.model, str) else None
        so_far = VideoOptions(action="image2video" if image else "text2video", model=picked,
                              end_image_url="end" if ns.end_image is not None else None,
                              loop=bool(ns.loop), camera=ns.camera or None)
        lengths = offered_lengths(so_far, settings, self.services.capabilities)
        typed = current.strip() if isinstance(current, str) else ""
        matching = [d for d in lengths if str(d).startswith(typed)] or list(lengths)
        return [seconds_choice(d) for d in matching][:25]

    async def animate_message(self, interaction: discord.Interaction,
                              message: discord.Message) -> None:
        """The message menu: ask for a prompt, then animate the message's first image."""
        found = first_image(message)
        if found is None:
            raise Refused("image.none_in_message")
        url, facts = found
        if facts.size or (facts.width and facts.height):  # an embed may tell neither
            check_image(facts, "image")
        await interaction.response.send_modal(AnimateModal(url, self.start_video))


def video_cog(table: CapabilityTable) -> type[VideoCog]:
    """`VideoCog` with /video, its choices read from `table`."""
    offered = video_choices(table)
    choices, omni, story = offered["text"], offered["omni"], offered["story"]

    class VideoCommands(VideoCog):
        @app_commands.command(name="text", description="Turn a prompt into a video")
        @app_commands.describe(prompt="What should happen in the video",
                               aspect_ratio="Shape of the video")
        @app_commands.choices(aspect_ratio=choices["aspect_ratio"])
        @app_commands.describe(spoiler=SPOILER)
        @shared_options(choices)
        async def text_to_video(
                self, interaction: discord.Interaction, prompt: Prompt,
                model: str | None = None, mode: str | None = None,
                duration: Seconds | None = None, aspect_ratio: str | None = None,
                cfg_scale: CfgScale | None = None, negative_prompt: NegativePrompt | None = None,
                camera: str | None = None, audio: bool | None = None,
                spoiler: bool | None = None,
        ) -> None:
            await self.start_video(interaction, VideoOptions(
                action="text2video", model=model, mode=mode, prompt=prompt, duration=duration,
                aspect_ratio=aspect_ratio, cfg_scale=cfg_scale,
                negative_prompt=negative_prompt, camera=camera, audio=audio), spoiler)

        text_to_video.autocomplete("duration")(VideoCog.offer_durations)

        @app_commands.command(name="image", description="Animate an image")
        @app_commands.describe(image="The first frame: PNG or JPEG, at least 300 px",
                               end_image="Optional last frame (some models only)",
                               prompt="What should happen",
                               loop="End on the start image, for a video that loops "
                                    "(models with end frames)")
        @app_commands.describe(spoiler=SPOILER)
        @shared_options(choices)
        async def image_to_video(
                self, interaction: discord.Interaction, image: discord.Attachment,
                end_image: discord.Attachment | None = None, prompt: Prompt | None = None,
                model: str | None = None, mode: str | None = None,
                duration: Seconds | None = None, cfg_scale: CfgScale | None = None,
                negative_prompt: NegativePrompt | None = None, camera: str | None = None,
                audio: bool | None = None, loop: bool | None = None,
                spoiler: bool | None = None,
        ) -> None:
            check_image(image_facts(image), "image")
            if end_image is not None:
                check_image(image_facts(end_image), "end_image")
            # Attachment URLs are signed and expire: they go to the API now, not later.
            await self.start_video(interaction, VideoOptions(
                action="image2video", model=model, mode=mode, prompt=prompt,
                duration=duration, cfg_scale=cfg_scale, negative_prompt=negative_prompt,
                camera=camera, start_image_url=image.url,
                end_image_url=end_image.url if end_image else None, audio=audio,
                loop=bool(loop)), spoiler)

        image_to_video.autocomplete("duration")(VideoCog.offer_durations)

        # /video omni and /video story: their bodies are in cogs.video_omni.
        @app_commands.command(name="omni", description="A video from up to 7 reference images "
                              "and a video, cited in the prompt as <<<image_1>>>")
        @app_commands.describe(**OMNI_DESCRIPTIONS)
        @app_commands.choices(aspect_ratio=choices["aspect_ratio"],
                              **{n: omni[n] for n in ("model", "mode", "duration", "video_use")})
        async def omni_video(
                self, interaction: discord.Interaction, prompt: Prompt,
                image1: discord.Attachment | None = None,
                image2: discord.Attachment | None = None,
                image3: discord.Attachment | None = None,
                image4: discord.Attachment | None = None,
                image5: discord.Attachment | None = None,
                image6: discord.Attachment | None = None,
                image7: discord.Attachment | None = None,
                video: discord.Attachment | None = None, video_use: str | None = None,
                keep_sound: bool | None = None, model: str | None = None,
                mode: str | None = None, duration: int | None = None,
                aspect_ratio: str | None = None, audio: bool | None = None,
                spoiler: bool | None = None,
        ) -> None:
            await start_omni(self.services, interaction, prompt=prompt,
                             images=[image1, image2, image3, image4, image5, image6, image7],
                             video=video, video_use=video_use, keep_sound=keep_sound,
                             model=model, mode=mode, duration=duration,
                             aspect_ratio=aspect_ratio, audio=audio, spoiler=spoiler)

        @app_commands.command(name="story", description="A video in several shots: type them "
                              "one per line, e.g. 3s: a fox wakes up")
        @app_commands.describe(**STORY_DESCRIPTIONS)
        @app_commands.choices(aspect_ratio=choices["aspect_ratio"],
                              **{n: story[n] for n in ("model", "mode", "duration")})
        async def story_video(self, interaction: discord.Interaction, model: str | None = None,
                              mode: str | None = None, duration: int | None = None,
                              aspect_ratio: str | None = None, audio: bool | None = None,
                              spoiler: bool | None = None) -> None:
            await open_story(self.services, interaction, model=model, mode=mode,
                             duration=duration, aspect_ratio=aspect_ratio, audio=audio,
                             spoiler=spoiler)

    return VideoCommands


async def setup(bot: KlingBot) -> None:
    """Load the cog, its /video choices read from the capability table."""
    await bot.add_cog(video_cog(bot.services.capabilities)(bot))
