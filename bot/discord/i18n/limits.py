"""Discord's size limits, in characters: a message over any of them is refused whole
(400, code 50035), so everything the bot posts is clipped to them first."""

from __future__ import annotations

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
THREAD_NAME_LIMIT = 100
LINK_BUTTON_URL_LIMIT = 512
# Kling's own failure text, echoed in a message with a mention and the refund sentence.
FAILURE_REASON_LIMIT = 1500
