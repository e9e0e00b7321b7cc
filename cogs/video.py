"""/video text, /video image and the "Animate with Kling" message menu.

The commands are built from the capability table at load time, so an operator's added model
shows up in the model list without a code change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

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
from bot.replies import acknowledge, kling_bot, role_ids, start_job
from bot.texts import text
from bot.views import PromptModal

if TYPE_CHECKING:
    from bot.discord_bot import KlingBot

log = logging.getLogger(__name__)

MODE_NAMES = {"std": "Standard", "pro": "Professional", "4k": "4K"}


def image_facts(attachment: discord.Attachment) -> ImageFacts:
    return ImageFacts(attachment.filename, attachment.content_type, attachment.size,
                      attachment.width, attachment.height)


async def make_request(interaction: discord.Interaction, options: VideoOptions) -> JobRequest:
    """Fill in the server's defaults, marked as such (never refused, only fallen back from).

    Reads the server's settings, so callers acknowledge the interaction first (`acknowledge`):
    the 3-second deadline must not depend on how busy the database is.
    """
    store = kling_bot(interaction).engine.store
    settings = await load_guild_settings(store, interaction.guild_id)
    if settings.allowed_channel_ids:
        channel = interaction.channel
        here = {interaction.channel_id, getattr(channel, "parent_id", None)}
        if not here & set(settings.allowed_channel_ids):
            where = ", ".join(f"<#{c}>" for c in settings.allowed_channel_ids)
            raise UserFacingError(text("settings.not_allowed_here", channels=where))
    if options.model is None and settings.default_model is not None:
        await _check_default_model(interaction, settings.default_model)
    # What the server's defaults fill in is never refused: validation falls back from it.
    options = options.with_defaults(settings.default_model, settings.default_mode,
                                    settings.default_duration)
    return JobRequest(guild_id=interaction.guild_id,
                      channel_id=interaction.channel_id or interaction.user.id,
                      user_id=interaction.user.id, options=options,
                      role_ids=role_ids(interaction.user))


async def _check_default_model(interaction: discord.Interaction, model: str) -> None:
    """Tell the server's log channel, once, that its default model is no longer in the model
    table (the operator removed it); jobs meanwhile run on the bot's default model."""
    bot = kling_bot(interaction)
    table = bot.engine.capabilities
    if interaction.guild_id is None or table.get(model) is not None:
        return
    if not await first_notice_of_removed_model(bot.engine.store, interaction.guild_id, model):
        return
    log.warning("Guild %s: default model %s is not in the model table; using %s",
                interaction.guild_id, model, table.default_model)
    try:
        await bot.notifier.alert(interaction.guild_id, text(
            "alert.default_model_removed", model=model, fallback=table.default_model))
    except discord.HTTPException as exc:
        log.warning("Could not post to the log channel of guild %s (%s)",
                    interaction.guild_id, exc.status)


def _choices(table: CapabilityTable) -> dict[str, list[Choice[Any]]]:
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


def build_video_group(table: CapabilityTable) -> app_commands.Group:
    choices = _choices(table)
    group = app_commands.Group(name="video", description="Make a video with Kling",
                               guild_only=True)
    shared_descriptions = {
        "model": "Which Kling model (default: the server's choice)",
        "mode": "Standard is faster and cheaper; Professional looks better",
        "duration": "Length in seconds",
        "cfg_scale": "How closely to follow the prompt, 0 to 1",
        "negative_prompt": "What to keep out of the video",
        "camera": "A camera move (text to video on models that support it)",
    }

    @group.command(name="text", description="Turn a prompt into a video")
    @app_commands.describe(prompt="What should happen in the video",
                           aspect_ratio="Shape of the video", **shared_descriptions)
    @app_commands.choices(model=choices["model"], mode=choices["mode"],
                          duration=choices["duration"], aspect_ratio=choices["aspect_ratio"],
                          camera=choices["camera"])
    async def text_to_video(
        interaction: discord.Interaction,
        prompt: Range[str, 1, PROMPT_LIMIT],
        model: str | None = None,
        mode: str | None = None,
        duration: int | None = None,
        aspect_ratio: str | None = None,
        cfg_scale: Range[float, 0.0, 1.0] | None = None,
        negative_prompt: Range[str, 1, NEGATIVE_PROMPT_LIMIT] | None = None,
        camera: str | None = None,
    ) -> None:
        options = VideoOptions(action="text2video", model=model, mode=mode, prompt=prompt,
                               duration=duration, aspect_ratio=aspect_ratio,
                               cfg_scale=cfg_scale, negative_prompt=negative_prompt,
                               camera=camera)
        await acknowledge(interaction)
        await start_job(interaction, await make_request(interaction, options))

    @group.command(name="image", description="Animate an image")
    @app_commands.describe(image="The first frame: PNG or JPEG, at least 300 px",
                           end_image="Optional last frame (some models only)",
                           prompt="What should happen", **shared_descriptions)
    @app_commands.choices(model=choices["model"], mode=choices["mode"],
                          duration=choices["duration"], camera=choices["camera"])
    async def image_to_video(
        interaction: discord.Interaction,
        image: discord.Attachment,
        end_image: discord.Attachment | None = None,
        prompt: Range[str, 1, PROMPT_LIMIT] | None = None,
        model: str | None = None,
        mode: str | None = None,
        duration: int | None = None,
        cfg_scale: Range[float, 0.0, 1.0] | None = None,
        negative_prompt: Range[str, 1, NEGATIVE_PROMPT_LIMIT] | None = None,
        camera: str | None = None,
    ) -> None:
        check_image(image_facts(image), "image")
        if end_image is not None:
            check_image(image_facts(end_image), "end_image")
        # Attachment URLs are signed and expire: they go to the API now, not later.
        options = VideoOptions(action="image2video", model=model, mode=mode, prompt=prompt,
                               duration=duration, cfg_scale=cfg_scale,
                               negative_prompt=negative_prompt, camera=camera,
                               start_image_url=image.url,
                               end_image_url=end_image.url if end_image else None)
        await acknowledge(interaction)
        await start_job(interaction, await make_request(interaction, options))

    return group


class AnimateModal(PromptModal):
    """Asks for an optional prompt, then animates the image the menu was used on."""

    def __init__(self, image_url: str) -> None:
        super().__init__(text("modal.animate.title"), required=False,
                         placeholder=text("modal.animate.placeholder"))
        self.image_url = image_url

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        options = VideoOptions(action="image2video", prompt=self.prompt.value or None,
                               start_image_url=self.image_url)
        await acknowledge(interaction)
        await start_job(interaction, await make_request(interaction, options))


async def animate_message(interaction: discord.Interaction, message: discord.Message) -> None:
    images = [a for a in message.attachments
              if (a.content_type or "").split(";")[0] in ACCEPTED_TYPES]
    if not images:
        raise UserFacingError(text("image.none_in_message"))
    check_image(image_facts(images[0]), "image")
    await interaction.response.send_modal(AnimateModal(images[0].url))


async def setup(bot: KlingBot) -> None:
    bot.tree.add_command(build_video_group(bot.engine.capabilities))
    menu = app_commands.ContextMenu(name="Animate with Kling", callback=animate_message)
    bot.tree.add_command(app_commands.guild_only(menu))
