"""Logging set-up with secrets scrubbed from every line.

Modules already avoid logging tokens; this is the second line of defence for what third-party
libraries print at DEBUG (request URLs with interaction or callback tokens in their path).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import discord

_PATTERNS = (
    re.compile(r"(/kling/callback/)[^/\s?#'\"]+"),
    re.compile(r"(/webhooks/\d+/)[^/\s?#'\"]+"),
    re.compile(r"(/interactions/\d+/)[^/\s?#'\"]+"),
)


class SecretFilter(logging.Filter):
    """Replaces known secrets and token-bearing URL parts with placeholders."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def scrub(self, message: str) -> str:
        for secret in self.secrets:
            message = message.replace(secret, "<secret>")
        for pattern in _PATTERNS:
            message = pattern.sub(r"\1<token>", message)
        return message

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    secret_filter = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
