"""Video options: what a member asked for (`VideoOptions`) and what the bot will send and bill
(`ValidatedRequest`), with the limits every command shares.

`bot.kling.validation.validate` turns the one into the other; `bot.kling.resolution` decides
which model, mode and length a request runs on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.errors import Notice
from bot.kling.invalid import InvalidOptions
from bot.kling.multishot import Story
from bot.kling.omni import ReferenceVideo

Action = Literal["text2video", "image2video", "extend"]

PROMPT_LIMIT = 2500
NEGATIVE_PROMPT_LIMIT = 200
# Kling extends only videos it made less than 30 days ago.
EXTEND_MAX_AGE_DAYS = 30
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
__all__ = ["Action", "InvalidOptions", "ValidatedRequest", "VideoOptions"]


@dataclass(frozen=True)
class VideoOptions:
    """What the user asked for; `None` means "use the default"."""

    action: Action
    model: str | None = None
    mode: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = None
    aspect_ratio: str | None = None
    duration: int | None = None
    start_image_url: str | None = None
    end_image_url: str | None = None
    camera: str | None = None
    video_id: str | None = None
    image_urls: tuple[str, ...] = ()
    # Native sound (`generate_audio`); None: the model's own default.
    audio: bool | None = None
    # Image to video: the start image is also the end frame (a video that loops).
    loop: bool = False
    # Omni: the reference video (`video_list`); multi-shot: the member's story
    # (bot.kling.multishot).
    reference_video: ReferenceVideo | None = None
    story: Story | None = None
    # Which of model/mode/duration a server default filled in: the member did not choose them,
    # so `validate` never refuses them but falls back to the nearest value the model has.
    defaulted: frozenset[str] = frozenset()

    def with_defaults(self, model: str | None, mode: str | None, duration: int | None
                      ) -> VideoOptions:
        """Fill unset model/mode/duration from a server's defaults, remembering which."""
        filled = {name for name, mine, default in (("model", self.model, model),
                                                   ("mode", self.mode, mode),
                                                   ("duration", self.duration, duration))
                  if mine is None and default is not None}
        return replace(
            self,
            model=self.model or model,
            mode=self.mode or mode,
            duration=self.duration or duration,
            defaulted=self.defaulted | filled,
        )


@dataclass(frozen=True)
class ValidatedRequest:
    """A request the API should accept: the body to send and the facts the bot bills on."""

    action: Action
    model: str
    mode: str | None
    duration: int
    prompt: str
    body: dict[str, Any] = field(hash=False)
    # Whether the video has sound (asked for, or always on for the model): it is billed.
    audio: bool = False
    # What the bot did on the member's behalf, for the card (cited images, filled lengths).
    notes: tuple[Notice, ...] = ()
