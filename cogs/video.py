"""/video text, /video image and the "Animate with Kling" message menu.

The commands' choices come from the capability table, so an operator's added model shows up in
the model list without a code change. discord.py fixes a command's choices when the command is
defined, so the cog's class is defined once the table is known (`video_cog`); everything else
lives in `VideoCog`, its base.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.app_commands import Choice, Range
from discord.ext import commands

from bot.discord.client import KlingBot
from bot.discord.flows import start_job
from bot.discord.interactions import acknowledge, role_ids
from bot.discord.modals import AnimateModal
from bot.discord.notifier import DiscordNotifier
from bot.engine import Engine
from bot.errors import UserFacingError
from bot.guild_settings import first_notice_of_removed_model, load_guild_settings
from bot.images import ACCEPTED_TYPES, ImageFacts, check_image
from bot.jobs import JobRequest
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import (
    ASPECT_RATIOS,
    CAMERA_MOVES,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    VideoOptions,
)
from bot.texts import text

log = logging.getLogger(__name__)

T = TypeVar("T")
MODE_NAMES = {"std": "Standard", "pro": "Professional", "4k": "4K"}

# The options /video text and /video image share: their types, descriptions and choices.
Prompt = Range[str, 1, PROMPT_LIMIT]
CfgScale = Range[float, 0.0, 1.0]
NegativePrompt = Range[str, 1, NEGATIVE_PROMPT_LIMIT]
SHARED_DESCRIPTIONS = {
    "model": "Which Kling model (default: the server's choice)",
    "mode": "Standard is faster and cheaper; Professional looks better",
    "duration": "Length in seconds",
    "cfg_scale": "How closely to follow the prompt, 0 to 1",
    "negative_prompt": "What to keep out of the video",
    "camera": "A camera move (text to video on models that support it)",
}
SHARED_CHOICES = ("model", "mode", "duration", "camera")


def image_facts(attachment: discord.Attachment) -> ImageFacts:
    """What the image checks need to know about an attachment."""
    return ImageFacts(attachment.filename, attachment.content_type, attachment.size,
                      attachment.width, attachment.height)


def table_choices(table: CapabilityTable) -> dict[str, list[Choice[Any]]]:
    """Every option's choices, from the models in the table (Discord shows 25 at most)."""
    modes = sorted({m for c in table.models.values() for m in c.modes},
                   key=lambda m: list(MODE_NAMES).index(m) if m in MODE_NAMES else 99)
    durations = sorted({d for c in table.models.values() for d in c.durations})
    return {
        "model": [Choice(name=f"{c.label} ({n})"[:100], value=n)
                  for n, c in table.models.items()][:25],
        "mode": [Choice(name=MODE_NAMES.get(m, m), value=m) for m in modes][:25],
        "duration": [Choice(name=f"{d} seconds", value=d) for d in durations][:25],
        "aspect_ratio": [Choice(name=r, value=r) for r in ASPECT_RATIOS],
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
    """Turns the member's options into a job: the server's policy, then the start-job flow."""

    def __init__(self, engine: Engine, notifier: DiscordNotifier,
                 tree: app_commands.CommandTree[Any]) -> None:
        self.engine = engine
        self.notifier = notifier
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
        """Acknowledge, apply the server's policy, and start the job."""
        await acknowledge(interaction)
        await start_job(self.engine.jobs, interaction, await self.make_request(interaction,
                                                                               options))

    async def make_request(self, interaction: discord.Interaction, options: VideoOptions
                           ) -> JobRequest:
        """Fill in the server's defaults, marked as such (never refused, only fallen back from).

        Reads the server's settings, so callers acknowledge the interaction first (`acknowledge`):
        the 3-second deadline must not depend on how busy the database is.
        """
        settings = await load_guild_settings(self.engine.store, interaction.guild_id)
        if settings.allowed_channel_ids:
            channel = interaction.channel
            here = {interaction.channel_id, getattr(channel, "parent_id", None)}
            if not here & set(settings.allowed_channel_ids):
                where = ", ".join(f"<#{c}>" for c in settings.allowed_channel_ids)
                raise UserFacingError(text("settings.not_allowed_here", channels=where))
        if options.model is None and settings.default_model is not None:
            await self._check_default_model(interaction, settings.default_model)
        # What the server's defaults fill in is never refused: validation falls back from it.
        options = options.with_defaults(settings.default_model, settings.default_mode,
                                        settings.default_duration)
        return JobRequest(guild_id=interaction.guild_id,
                          channel_id=interaction.channel_id or interaction.user.id,
                          user_id=interaction.user.id, options=options,
                          role_ids=role_ids(interaction.user))

    async def _check_default_model(self, interaction: discord.Interaction, model: str) -> None:
        """Tell the server's log channel, once, that its default model is no longer in the
        model table (the operator removed it); jobs meanwhile run on the bot's default model."""
        table = self.engine.capabilities
        if interaction.guild_id is None or table.get(model) is not None:
            return
        if not await first_notice_of_removed_model(self.engine.store, interaction.guild_id,
                                                   model):
            return
        log.warning("Guild %s: default model %s is not in the model table; using %s",
                    interaction.guild_id, model, table.default_model)
        try:
            await self.notifier.alert(interaction.guild_id, text(
                "alert.default_model_removed", model=model, fallback=table.default_model))
        except discord.HTTPException as exc:
            log.warning("Could not post to the log channel of guild %s (%s)",
                        interaction.guild_id, exc.status)

    async def animate_message(self, interaction: discord.Interaction,
                              message: discord.Message) -> None:
        """The message menu: ask for a prompt, then animate the message's first image."""
        images = [a for a in message.attachments
                  if (a.content_type or "").split(";")[0] in ACCEPTED_TYPES]
        if not images:
            raise UserFacingError(text("image.none_in_message"))
        check_image(image_facts(images[0]), "image")
        await interaction.response.send_modal(AnimateModal(images[0].url, self.start_video))


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
                model: str | None = None, mode: str | None = None, duration: int | None = None,
                aspect_ratio: str | None = None, cfg_scale: CfgScale | None = None,
                negative_prompt: NegativePrompt | None = None, camera: str | None = None,
        ) -> None:
            await self.start_video(interaction, VideoOptions(
                action="text2video", model=model, mode=mode, prompt=prompt, duration=duration,
                aspect_ratio=aspect_ratio, cfg_scale=cfg_scale,
                negative_prompt=negative_prompt, camera=camera))

        @video.command(name="image", description="Animate an image")
        @app_commands.describe(image="The first frame: PNG or JPEG, at least 300 px",
                               end_image="Optional last frame (some models only)",
                               prompt="What should happen")
        @shared_options(choices)
        async def image_to_video(
                self, interaction: discord.Interaction, image: discord.Attachment,
                end_image: discord.Attachment | None = None, prompt: Prompt | None = None,
                model: str | None = None, mode: str | None = None, duration: int | None = None,
                cfg_scale: CfgScale | None = None,
                negative_prompt: NegativePrompt | None = None, camera: str | None = None,
        ) -> None:
            check_image(image_facts(image), "image")
            if end_image is not None:
                check_image(image_facts(end_image), "end_image")
            # Attachment URLs are signed and expire: they go to the API now, not later.
            await self.start_video(interaction, VideoOptions(
                action="image2video", model=model, mode=mode, prompt=prompt,
                duration=duration, cfg_scale=cfg_scale, negative_prompt=negative_prompt,
                camera=camera, start_image_url=image.url,
                end_image_url=end_image.url if end_image else None))

    return VideoCommands


async def setup(bot: KlingBot) -> None:
    await bot.add_cog(video_cog(bot.engine.capabilities)(bot.engine, bot.notifier, bot.tree))
