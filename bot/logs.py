"""Logging set-up with secrets scrubbed from every line.

Modules already avoid logging tokens; this is the second line of defence for what third-party
libraries print at DEBUG (request URLs with interaction or callback tokens in their path).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

LOG_FORMAT = "[{asctime}] [{levelname:<8}] {name}: {message}"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
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


LEVEL_COLOURS = {logging.DEBUG: "\x1b[40;1m", logging.INFO: "\x1b[34;1m",
                 logging.WARNING: "\x1b[33;1m", logging.ERROR: "\x1b[31m",
                 logging.CRITICAL: "\x1b[41m"}


class ColourFormatter(logging.Formatter):
    """The plain format with the level coloured, for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        level = f"{record.levelname:<8}"
        colour = LEVEL_COLOURS.get(record.levelno, "")
        return line.replace(level, f"{colour}{level}\x1b[0m", 1) if colour else line


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    """One handler on the root logger (discord.py's loggers included), secrets scrubbed.

    Colour only when the output is a terminal: `docker logs` and log collectors read a pipe
    and would show raw escape codes (discord.py's own set-up colours inside any container).
    """
    handler = logging.StreamHandler()
    formatter_class = ColourFormatter if handler.stream.isatty() else logging.Formatter
    handler.setFormatter(formatter_class(LOG_FORMAT, DATE_FORMAT, style="{"))
    handler.addFilter(SecretFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
