"""The images in a Discord message, wherever Discord put them: the message's own attachments,
a forwarded message's (`message_snapshots`), and image embeds (links Discord unfurled).

"Animate with Kling" takes the first of them; "Use as reference" takes them all.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import discord

from bot.images import ACCEPTED_TYPES, ImageFacts


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


def message_images(message: discord.Message) -> list[tuple[str, ImageFacts]]:
    """Every PNG/JPEG image of a message, in this order: its own attachments, a forwarded
    message's attachments, then embed images (its own, then the forwarded ones)."""
    snapshots = message.message_snapshots
    attachments = [*message.attachments, *(a for s in snapshots for a in s.attachments)]
    found = [(attachment.url, image_facts(attachment)) for attachment in attachments
             if (attachment.content_type or "").split(";")[0] in ACCEPTED_TYPES]
    for embed in [*message.embeds, *(e for s in snapshots for e in s.embeds)]:
        image = embed_image_facts(embed)
        if image is not None:
            found.append(image)
    return found


def first_image(message: discord.Message) -> tuple[str, ImageFacts] | None:
    """The first PNG/JPEG image of a message (see `message_images` for the order)."""
    return next(iter(message_images(message)), None)


def told_facts(facts: ImageFacts) -> bool:
    """Whether Discord told enough about an image to check it here (an embed may tell
    neither size nor dimensions: Kling then judges it, and its refusal refunds)."""
    return bool(facts.size or (facts.width and facts.height))
