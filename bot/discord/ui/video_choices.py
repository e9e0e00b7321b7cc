"""The choices the /video commands offer, built in one place from the capability table, so an
operator's added model shows up in every list without a code change, worded the same in each.

Each command offers what the models that can do its kind of job make: /video text and /video
image every model; /video omni the omni models (never in 4K: Kling takes no reference lists
there); /video story the models that cut a video into shots. discord.py fixes a command's
choices when the command is defined, so the cogs build their commands from these once the
table is known. Their names are translated like every command string
(`bot.discord.i18n.command_texts`); model labels and aspect ratios read the same in every
language. Discord shows 25 choices at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from discord.app_commands import Choice

from bot.discord.i18n.command_texts import seconds_choice, verbatim
from bot.kling.camera import CAMERA_MOVES
from bot.kling.capabilities import CapabilityTable, ModelCapabilities
from bot.kling.options import ASPECT_RATIOS

MODE_NAMES = {"std": "Standard", "pro": "Professional", "4k": "4K"}
DISCORD_MAX_CHOICES = 25
Choices = dict[str, list[Choice[Any]]]


def _mode_order(mode: str) -> int:
    """The modes in the order of `MODE_NAMES`, an unknown one after them."""
    order = list(MODE_NAMES)
    return order.index(mode) if mode in order else len(order)


def choices_for(models: Sequence[ModelCapabilities], *, no_4k: bool = False) -> Choices:
    """Every option's choices for a command whose jobs can run on `models` (in the table's
    order): the models, the modes and lengths any of them makes, the aspect ratios, the camera
    moves, and what a reference video is for."""
    modes = sorted({m for c in models for m in c.modes if not (no_4k and m == "4k")},
                   key=_mode_order)
    durations = sorted({d for c in models for d in c.durations})
    every: Choices = {
        "model": [Choice(name=verbatim(f"{c.label} ({c.name})"[:100]), value=c.name)
                  for c in models],
        "mode": [Choice(name=MODE_NAMES.get(m, m), value=m) for m in modes],
        "duration": [seconds_choice(d) for d in durations],
        "aspect_ratio": [Choice(name=verbatim(r), value=r) for r in ASPECT_RATIOS],
        "camera": [Choice(name=m.replace("_", " "), value=m) for m in CAMERA_MOVES],
        "video_use": [Choice(name="Follow its style and motion (feature)", value="feature"),
                      Choice(name="Edit this video (base)", value="base")],
    }
    return {name: listed[:DISCORD_MAX_CHOICES] for name, listed in every.items()}


def video_choices(table: CapabilityTable) -> dict[str, Choices]:
    """The choices of each /video command that offers some, by subcommand name."""
    models = list(table.models.values())
    every = choices_for(models)
    return {
        "text": every,
        "image": every,
        "omni": choices_for([c for c in models if c.omni], no_4k=True),
        "story": choices_for([c for c in models if c.multi_shot]),
    }
