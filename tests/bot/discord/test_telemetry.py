"""Discord's 429s are counted by route from discord.py's own warnings, with ids and tokens
masked (a token must never reach the metrics)."""

from __future__ import annotations

import logging

from bot.discord.telemetry import RateLimitCounter, route_of
from bot.metrics import REGISTRY


def test_routes_mask_ids_and_tokens() -> None:
    assert route_of("https://discord.com/api/v10/channels/1234567890123/messages") == \
        "/channels/{id}/messages"
    url = "http://127.0.0.1:5000/api/v10/webhooks/1234567890123/aW50ZXJhY3Rpb24.secret/" \
          "messages/@original"
    assert route_of(url) == "/webhooks/{id}/{token}/messages/@original"
    assert "secret" not in route_of(url)


def test_discord_py_rate_limit_warnings_are_counted_by_route() -> None:
    logger = logging.getLogger("test.telemetry.discord.http")
    counter = RateLimitCounter()
    logger.addHandler(counter)
    route = "POST /channels/{id}/messages/{id}/threads"
    before = REGISTRY.get_sample_value("klingcord_discord_rate_limits_total",
                                       {"route": route}) or 0
    try:
        # Exactly how discord.http says it (http.py: "We are being rate limited...").
        logger.warning("We are being rate limited. %s %s responded with 429. Retrying in "
                       "%.2f seconds.", "POST",
                       "https://discord.com/api/v10/channels/1234567890123/messages/"
                       "9876543210987/threads", 4.96)
        logger.warning("Something else entirely")
    finally:
        logger.removeHandler(counter)
    assert REGISTRY.get_sample_value("klingcord_discord_rate_limits_total",
                                     {"route": route}) == before + 1
