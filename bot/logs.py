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
    """discord.py's log format, coloured only on a terminal, with secrets scrubbed.

    discord.py colours its output inside any Docker container, so `docker logs` and every log
    collector would show raw escape codes; colour is for a person at a terminal only.
    """
    handler = logging.StreamHandler()
    plain = logging.Formatter("[{asctime}] [{levelname:<8}] {name}: {message}",
                              "%Y-%m-%d %H:%M:%S", style="{")
    # Without a formatter discord.py picks its colour one.
    colour: dict[str, logging.Formatter] = {} if handler.stream.isatty() else {"formatter": plain}
    discord.utils.setup_logging(handler=handler, level=getattr(logging, level), root=True,
                                **colour)
    # The bot has no voice: discord.py's "voice will NOT be supported" warnings are noise.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    secret_filter = SecretFilter(secrets)
    for root_handler in logging.getLogger().handlers:
        root_handler.addFilter(secret_filter)
