"""Logging set-up with secrets scrubbed from every line, as text for a person or, with
`LOG_FORMAT=json`, as one JSON object per line for a log collector.

Modules already avoid logging tokens; this is the second line of defence for what third-party
libraries print at DEBUG (request URLs with interaction or callback tokens in their path).

A JSON line carries the job it is about as a field, `job_id`, so a collector can follow one
job: from `extra={"job_id": ...}` when a call gives it, else from the job whose work is running
(`job_context`, a context variable the job pieces set, inherited by the tasks they start), else
from the bot's own "Job <id> ..." lines.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

LOG_FORMAT = "[{asctime}] [{levelname:<8}] {name}: {message}"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_PATTERNS = (
    re.compile(r"(/kling/callback/)[^/\s?#'\"]+"),
    re.compile(r"(/webhooks/\d+/)[^/\s?#'\"]+"),
    re.compile(r"(/interactions/\d+/)[^/\s?#'\"]+"),
)


_current_job: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id",
                                                                          default=None)
_JOB_LINE = re.compile(r"^Job %s\b")


@contextlib.contextmanager
def job_context(job_id: str) -> Iterator[None]:
    """Lines logged inside (and in tasks started inside) are about this job."""
    token = _current_job.set(job_id)
    try:
        yield
    finally:
        _current_job.reset(token)


def job_of(record: logging.LogRecord) -> str | None:
    """The job a log line is about, if any (see the module's docstring)."""
    given = getattr(record, "job_id", None)
    if given:
        return str(given)
    current = _current_job.get()
    if current:
        return current
    args = record.args if isinstance(record.args, tuple) else ()
    if args and isinstance(record.msg, str) and _JOB_LINE.match(record.msg):
        return str(args[0])
    return None


class SecretFilter(logging.Filter):
    """Replaces known secrets and token-bearing URL parts with placeholders."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def scrub(self, message: str) -> str:
        """The message with every known secret and token-bearing URL part replaced."""
        for secret in self.secrets:
            message = message.replace(secret, "<secret>")
        for pattern in _PATTERNS:
            message = pattern.sub(r"\1<token>", message)
        return message

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record in place (it is never dropped), noting the job it is about first."""
        job_id = job_of(record)  # before the arguments are folded into the message
        if job_id is not None:
            record.job_id = job_id
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, `job_id` when
    the line is about a job, and the traceback (scrubbed too) when there is one."""

    def __init__(self, scrubber: SecretFilter) -> None:
        super().__init__()
        self.scrubber = scrubber

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line, message and traceback scrubbed."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.scrubber.scrub(record.getMessage()),
        }
        job_id = getattr(record, "job_id", None) or job_of(record)
        if job_id:
            entry["job_id"] = job_id
        if record.exc_info:
            entry["exception"] = self.scrubber.scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


LEVEL_COLOURS = {logging.DEBUG: "\x1b[40;1m", logging.INFO: "\x1b[34;1m",
                 logging.WARNING: "\x1b[33;1m", logging.ERROR: "\x1b[31m",
                 logging.CRITICAL: "\x1b[41m"}


class ScrubbingFormatter(logging.Formatter):
    """A text formatter whose whole output is scrubbed: the filter cleans the message and its
    arguments, but the traceback (an exception's message, a frame's source line) is only
    written by the formatter, so the finished line is scrubbed as the JSON format does."""

    def __init__(self, inner: logging.Formatter, scrubber: SecretFilter) -> None:
        super().__init__()
        self.inner = inner
        self.scrubber = scrubber

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line, traceback included, with every secret replaced."""
        return self.scrubber.scrub(self.inner.format(record))


class ColourFormatter(logging.Formatter):
    """The plain format with the level coloured, for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """The plain line with its level name wrapped in the level's colour."""
        line = super().format(record)
        level = f"{record.levelname:<8}"
        colour = LEVEL_COLOURS.get(record.levelno, "")
        return line.replace(level, f"{colour}{level}\x1b[0m", 1) if colour else line


def make_handler(secrets: Iterable[str], log_format: str = "text",
                 stream: IO[str] | None = None) -> logging.Handler:
    """The bot's log handler: to `stream` (stderr by default), in `log_format`, scrubbed."""
    handler = logging.StreamHandler(stream)
    scrubber = SecretFilter(secrets)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(scrubber))
    else:
        formatter_class = ColourFormatter if handler.stream.isatty() else logging.Formatter
        handler.setFormatter(ScrubbingFormatter(
            formatter_class(LOG_FORMAT, DATE_FORMAT, style="{"), scrubber))
    handler.addFilter(scrubber)
    return handler


def setup_logging(level: str, secrets: Iterable[str], log_format: str = "text") -> None:
    """One handler on the root logger (discord.py's loggers included), secrets scrubbed.

    Colour only when the output is a terminal: `docker logs` and log collectors read a pipe
    and would show raw escape codes (discord.py's own set-up colours inside any container).
    `log_format="json"`: one JSON object per line (`JsonFormatter`).
    """
    handler = make_handler(secrets, log_format)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
