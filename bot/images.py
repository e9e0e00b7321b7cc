"""Checks on images a member attaches, made before anything is spent.

Discord tells us each attachment's type, size and dimensions, so the checks need no download;
the limits are Kling's (kling-api.md, "Input images").
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kling.options import InvalidOptions

ACCEPTED_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/jpg": "JPEG"}
MAX_BYTES = 10 * 1024 * 1024
MIN_SIDE = 300
MAX_RATIO = 2.5


@dataclass(frozen=True)
class ImageFacts:
    """What Discord says of an attachment: enough to check it against Kling's limits without
    downloading it. Width and height are None when Discord could not read the image."""

    filename: str
    content_type: str | None
    size: int
    width: int | None
    height: int | None


def check_image(image: ImageFacts, option: str = "image") -> None:
    """Raise `InvalidOptions` naming the first rule the image breaks."""
    kind = (image.content_type or "").split(";")[0].strip().lower()
    name = image.filename
    if kind not in ACCEPTED_TYPES:
        if not kind:
            raise InvalidOptions("image.type_unknown", {"name": name}, option=option)
        raise InvalidOptions("image.type", {"name": name, "kind": kind}, option=option)
    if image.size > MAX_BYTES:
        raise InvalidOptions("image.size", {"name": name, "size": image.size / 1_048_576,
                                            "limit": MAX_BYTES // 1_048_576}, option=option)
    if not image.width or not image.height:
        raise InvalidOptions("image.unreadable", {"name": name}, option=option)
    sides = {"name": name, "width": image.width, "height": image.height}
    short = min(image.width, image.height)
    if short < MIN_SIDE:
        raise InvalidOptions("image.small", {**sides, "minimum": MIN_SIDE}, option=option)
    if max(image.width, image.height) / short > MAX_RATIO:
        raise InvalidOptions("image.ratio", sides, option=option)
