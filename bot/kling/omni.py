"""Omni requests: several reference images and one reference video, cited from the prompt.

Kling's omni models (`kling-o1`, `kling-v3-omni`) take an `image_list` of up to 7 images (4
beside a video) that the prompt cites as `<<<image_1>>>` ... in list order, and a `video_list`
of one video used as the base to edit (`base`) or as a reference for style and motion
(`feature`), keeping its sound or not. This module builds those lists and the prompt:

- a prompt that cites no image gets every image cited after it, in order, and the job records
  it (`note.omni_cited`), so the card can say the bot did it;
- a prompt citing an image that is not there is refused before anything is spent;
- with a video, the job makes no sound of its own (`generate_audio` false), as Kling requires.

The bot never marks an image as a first or end frame, so Kling's rule that a `base` video takes
no first/end frame cannot be broken from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.errors import Notice
from bot.kling.invalid import InvalidOptions

ReferUse = Literal["base", "feature"]
CITATION = re.compile(r"<<<image_(\d+)>>>")


@dataclass(frozen=True)
class ReferenceVideo:
    """The omni job's reference video: edited (`base`) or followed (`feature`)."""

    url: str
    use: ReferUse = "feature"
    keep_sound: bool = False

    def item(self) -> dict[str, Any]:
        """The reference video as Kling's omni request lists it."""
        return {"video_url": self.url, "refer_type": self.use,
                "keep_original_sound": "yes" if self.keep_sound else "no"}


def citation(number: int) -> str:
    """How a prompt cites the `number`th image (from 1)."""
    return f"<<<image_{number}>>>"


def cited_images(prompt: str) -> list[int]:
    """The image numbers a prompt cites, in the order it first cites them."""
    seen: list[int] = []
    for match in CITATION.finditer(prompt):
        number = int(match[1])
        if number not in seen:
            seen.append(number)
    return seen


def cite_images(prompt: str, count: int) -> tuple[str, Notice | None]:
    """The prompt to send for `count` images, and the card's note when the bot cited them.

    A prompt that cites images must cite only those there are (else `invalid.omni_citation`);
    one that cites none gets all of them, in order, after its text."""
    cited = cited_images(prompt)
    missing = [number for number in cited if not 1 <= number <= count]
    if missing:
        raise InvalidOptions("invalid.omni_citation",
                             {"cited": citation(missing[0]), "count": count}, option="prompt")
    if cited or count == 0:
        return prompt, None
    added = " ".join(citation(number) for number in range(1, count + 1))
    return f"{prompt.rstrip()} {added}".strip(), Notice("note.omni_cited", {"count": count})


VIDEO_TYPES = {"video/mp4": "MP4", "video/quicktime": "MOV"}
VIDEO_EXTENSIONS = {".mp4": "video/mp4", ".mov": "video/quicktime"}
MAX_VIDEO_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class VideoFacts:
    """What Discord tells of an attached video, enough for the checks made before spending:
    its length and resolution are Kling's to judge (its refusal is shown and refunded)."""

    filename: str
    content_type: str | None
    size: int


def check_reference_video(video: VideoFacts, option: str = "video") -> None:
    """Raise `InvalidOptions` unless the video is an MP4 or MOV of at most 200 MB."""
    kind = (video.content_type or "").split(";")[0].strip().lower()
    if not kind:
        suffix = video.filename[video.filename.rfind("."):].lower() if "." in video.filename \
            else ""
        kind = VIDEO_EXTENSIONS.get(suffix, "")
    if kind not in VIDEO_TYPES:
        raise InvalidOptions("video.type", {"name": video.filename, "kind": kind or "?"},
                             option=option)
    if video.size > MAX_VIDEO_BYTES:
        raise InvalidOptions("video.size", {"name": video.filename,
                                            "size": video.size / 1_048_576,
                                            "limit": MAX_VIDEO_BYTES // 1_048_576},
                             option=option)
