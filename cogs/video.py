"""/video text, /video image and the "Animate with Kling" message menu (which finds the image in
the message's attachments, a forwarded message's, or an image embed).

The commands' choices come from the capability table, so an operator's added model shows up in
the model list without a code change. discord.py fixes a command's choices when the command is
defined, so the cog's class is defined once the table is known (`video_cog`); everything else
lives in `VideoCog`, its base. The duration is offered by autocomplete instead: the lengths the
model picked so far (or the server's default model) makes, 5/10 or 3 to 15 (`offer_durations`).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.app_commands import Choice, Range
from discord.ext import commands

from bot.discord.client import KlingBot
from bot.discord.command_texts import seconds_choice, verbatim
from bot.discord.errors import Refused
from bot.discord.flows import job_request, start_job
from bot.discord.modals import AnimateModal
from bot.engine import Engine
from bot.guild_settings import load_guild_settings
from bot.images import ACCEPTED_TYPES, ImageFacts, check_image
from bot.kling.capabilities import CapabilityTable, ModelCapabilities, offered_durations
from bot.kling.options import (
    ASPECT_RATIOS,
    CAMERA_MOVES,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    VideoOptions,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
MODE_NAMES = {"std": "Standard", "pro": "Professional", "4k": "4K"}

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
SHARED_CHOICES = ("model", "mode", "camera")


def image_facts(attachment: discord.Attachment) -> ImageFacts:
    """What the image checks need to know about an attachment."""
    return ImageFacts(attachment.filename, attachment.content_type, attachment.size,
                      attachment.width, attachment.height)


def embed_image_facts(embed: discord.Embed) -> tuple[str, ImageFacts] | None:
    """An embed's picture as an image to animate: `embed.image`, or the thumbnail of an
    image embed (a link Discord unfurled). Discord gives no type or size for it, so the type
    is read from the URL's extension (PNG/JPEG only) and the size is left to Kling, whose
    refusal the failed job reports and refunds; dimensions are checked when Discord gives
    them."""
    media = embed.image if embed.image.url else (
        embed.thumbnail if embed.type == "image" else None)
    if media is None or not media.url:
        return None
    name = PurePosixPath(urlsplit(media.url).path).name
    kind = mimetypes.guess_type(name)[0]
    if kind not in ACCEPTED_TYPES:
        return None
    return media.url, ImageFacts(name, kind, 0, media.width, media.height)


def first_image(message: discord.Message) -> tuple[str, ImageFacts] | None:
    """The first PNG/JPEG image of a message: its own attachments, then a forwarded
    message's attachments, then embed images (its own, then the forwarded ones)."""
    snapshots = message.message_snapshots
    attachments = [*message.attachments, *(a for s in snapshots for a in s.attachments)]
    for attachment in attachments:
        if (attachment.content_type or "").split(";")[0] in ACCEPTED_TYPES:
            return attachment.url, image_facts(attachment)
    for embed in [*message.embeds, *(e for s in snapshots for e in s.embeds)]:
        found = embed_image_facts(embed)
        if found is not None:
            return found
    return None


def table_choices(table: CapabilityTable) -> dict[str, list[Choice[Any]]]:
    """Every option's choices, from the models in the table (Discord shows 25 at most).
    Their names are translated like every command string (`bot.discord.command_texts`);
    model labels and aspect ratios read the same in every language."""
    modes = sorted({m for c in table.models.values() for m in c.modes},
                   key=lambda m: list(MODE_NAMES).index(m) if m in MODE_NAMES else 99)
    return {
        "model": [Choice(name=verbatim(f"{c.label} ({n})"[:100]), value=n)
                  for n, c in table.models.items()][:25],
        "mode": [Choice(name=MODE_NAMES.get(m, m), value=m) for m in modes][:25],
        "aspect_ratio": [Choice(name=verbatim(r), value=r) for r in ASPECT_RATIOS],
        "camera": [Choice(name=m.replace("_", " "), value=m) for m in CAMERA_MOVES][:25],
    }


def shared_options(choices: dict[str, list[Choice[Any]]]) -> Callable[[T], T]:
    """The decorator that gives a /video subcommand the shared options' descriptions and
    choices."""
    describe = app_commands.describe(**SHARED_DESCRIPTIONS)
    choose = app_commands.choices(**{name: choices[name] for name in SHARED_CHOICES})

    def decorate(command: T) -> T:
        return describe(choose(command))

    return decorate


class VideoCog(commands.Cog):
    """Turns the member's options into a job request; the core applies the server's policy."""

    def __init__(self, engine: Engine, tree: app_commands.CommandTree[Any]) -> None:
        self.engine = engine
        self.tree = tree
        # A context menu cannot be a cog member: it is added and removed with the cog.
        self.menu = app_commands.guild_only(app_commands.ContextMenu(
            name="Animate with Kling", callback=self.animate_message))

    async def cog_load(self) -> None:
        self.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.tree.remove_command(self.menu.name, type=self.menu.type)

    async def start_video(self, interaction: discord.Interaction, options: VideoOptions
                          ) -> None:
        """Start the job the member asked for, where they asked (see `start_job`)."""
        await start_job(self.engine.jobs, interaction, job_request(interaction, options))

    async def model_for(self, interaction: discord.Interaction) -> ModelCapabilities:
        """The model a /video command would run on as filled in so far: the one picked, else
        the server's default, else the table's (as validation falls back)."""
        table = self.engine.capabilities
        picked = interaction.namespace.model
        if not isinstance(picked, str) or table.get(picked) is None:
            settings = await load_guild_settings(self.engine.store, interaction.guild_id)
            picked = settings.default_model or table.default_model
        return table.get(picked) or table.models[table.default_model]

    async def offer_durations(self, interaction: discord.Interaction, current: str
                              ) -> list[Choice[int]]:
        """The duration's autocomplete: the lengths the model makes (only 5 where an end
        frame, a loop or a camera move needs it), those starting with what was typed first."""
        caps = await self.model_for(interaction)
        ns = interaction.namespace
        lengths = offered_durations(caps, end_frame=ns.end_image is not None or bool(ns.loop),
                                    camera=bool(ns.camera))
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
    choices = table_choices(table)

    class VideoCommands(VideoCog):
        video = app_commands.Group(name="video", description="Make a video with Kling",
                                   guild_only=True)

        @video.command(name="text", description="Turn a prompt into a video")
        @app_commands.describe(prompt="What should happen in the video",
                               aspect_ratio="Shape of the video")
        @app_commands.choices(aspect_ratio=choices["aspect_ratio"])
        @shared_options(choices)
        async def text_to_video(
                self, interaction: discord.Interaction, prompt: Prompt,
                model: str | None = None, mode: str | None = None,
                duration: Seconds | None = None, aspect_ratio: str | None = None,
                cfg_scale: CfgScale | None = None, negative_prompt: NegativePrompt | None = None,
                camera: str | None = None, audio: bool | None = None,
        ) -> None:
            await self.start_video(interaction, VideoOptions(
                action="text2video", model=model, mode=mode, prompt=prompt, duration=duration,
                aspect_ratio=aspect_ratio, cfg_scale=cfg_scale,
                negative_prompt=negative_prompt, camera=camera, audio=audio))

        text_to_video.autocomplete("duration")(VideoCog.offer_durations)

        @video.command(name="image", description="Animate an image")
        @app_commands.describe(image="The first frame: PNG or JPEG, at least 300 px",
                               end_image="Optional last frame (some models only)",
                               prompt="What should happen",
                               loop="End on the start image, for a video that loops "
                                    "(models with end frames)")
        @shared_options(choices)
        async def image_to_video(
                self, interaction: discord.Interaction, image: discord.Attachment,
                end_image: discord.Attachment | None = None, prompt: Prompt | None = None,
                model: str | None = None, mode: str | None = None,
                duration: Seconds | None = None, cfg_scale: CfgScale | None = None,
                negative_prompt: NegativePrompt | None = None, camera: str | None = None,
                audio: bool | None = None, loop: bool | None = None,
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
                loop=bool(loop)))

        image_to_video.autocomplete("duration")(VideoCog.offer_durations)

    return VideoCommands


async def setup(bot: KlingBot) -> None:
    await bot.add_cog(video_cog(bot.engine.capabilities)(bot.engine, bot.tree))
