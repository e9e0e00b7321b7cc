"""What only the Discord layer sees, recorded into the core's metrics (`bot.metrics`): how fast
a command was acknowledged, and Discord's 429s by route.

discord.py waits out a 429 by itself and says so only in its log (a WARNING from
`discord.http`, or `discord.webhook.async_` for interaction webhooks), so the counter listens
there: a logging handler that reads the method and URL from the record's arguments, not from
the formatted text. The route is the URL's path with ids and tokens masked, so its values are
few and a token never reaches the metrics.
"""

from __future__ import annotations

import logging
import re
import time

import discord

from bot import metrics

_API = re.compile(r"^.*?/api/v\d+")
_TOKEN = re.compile(r"/(webhooks|interactions)/(\d+)/[^/]+")
_ID = re.compile(r"/\d{5,}")
RATE_LIMIT_LOGGERS = ("discord.http", "discord.webhook.async_")


def observe_ack(interaction: discord.Interaction) -> None:
    """The command's acknowledgement just went out: time it from the command's creation (its
    snowflake's time, Discord's clock)."""
    metrics.ACK_SECONDS.observe(max(0.0, time.time() - interaction.created_at.timestamp()))


def route_of(url: str) -> str:
    """`/channels/{id}/messages` for `https://discord.com/api/v10/channels/123.../messages`."""
    path = _API.sub("", str(url)).split("?", 1)[0]
    return _ID.sub("/{id}", _TOKEN.sub(r"/\1/{id}/{token}", path))


class RateLimitCounter(logging.Handler):
    """Counts discord.py's "we are being rate limited" warnings by route."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record when it is a rate-limit warning; every other record is ignored."""
        message = str(record.msg)
        args = record.args if isinstance(record.args, tuple) else ()
        if message.startswith("We are being rate limited.") and len(args) >= 2:
            route = f"{args[0]} {route_of(str(args[1]))}"
        elif message.startswith("Webhook ID") and "rate limited" in message:
            route = "interaction webhook"
        else:
            return
        metrics.DISCORD_RATE_LIMITS.labels(route=route).inc()


_installed: RateLimitCounter | None = None


def count_rate_limits() -> None:
    """Attach the counter to discord.py's loggers, once per process."""
    global _installed
    if _installed is not None:
        return
    _installed = RateLimitCounter()
    for name in RATE_LIMIT_LOGGERS:
        logging.getLogger(name).addHandler(_installed)
