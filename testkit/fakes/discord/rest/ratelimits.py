"""Discord's rate limits, as the REST API applies and announces them
(https://discord.com/developers/docs/topics/rate-limits), switchable: off by default so most
tests run unthrottled; the benchmarks and a few tests turn them on (`RateLimits.enabled`).

What is enforced, and how Discord says it:

- Per-route buckets. A route's limit is counted per top-level resource in its path (the "major
  parameters": ``channel_id``, ``guild_id``, ``webhook_id`` + ``webhook_token``), so a busy
  channel does not slow another one. Creating messages in a channel: 5 per 5 s; editing them: 5
  per 5 s (their own bucket); starting threads: 5 per 5 s (an assumption: Discord publishes no
  figure, and thread creation is a channel write like a message). An interaction token's
  webhook (follow-ups, the original response): 5 per 2 s per token, as webhooks are. An
  interaction callback: its own bucket per interaction. Any other route: 50 per second per
  resource (so only the global limit binds in practice).
- The global limit: 50 requests per second per bot token over every route, except the
  interaction endpoints ("Interaction endpoints are not bound to the bot's Global Rate Limit":
  the callback and the interaction-token webhook).
- Every answer of a counted route carries ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
  (epoch seconds), ``-Reset-After`` (seconds) and ``-Bucket`` (a hash naming the route's bucket,
  without the major parameters). A refusal is ``429`` with ``Retry-After`` (whole seconds),
  ``X-RateLimit-Scope`` (``user`` for a route, ``global``), ``X-RateLimit-Global`` for the
  global one, ``Via: 1.1 google`` (discord.py treats a 429 without it as a Cloudflare ban), and
  the body ``{"message": "You are being rate limited.", "retry_after": s, "global": b}``.

Windows are fixed, as Discord's are: a bucket's window starts with its first request and resets
all at once when it ends.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from testkit.fakes.discord.wire import json_response

GLOBAL_LIMIT = 50  # requests per second per bot
MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "app_id", "interaction_id")


@dataclass(frozen=True)
class RouteLimit:
    """One bucket's rule: `limit` requests per `window` seconds, per major parameters."""

    bucket: str
    limit: int
    window: float
    global_counted: bool = True


# (method, route pattern) -> its rule. Patterns are the router's (see rest/*.py `register`).
ROUTE_LIMITS: dict[tuple[str, str], RouteLimit] = {
    ("POST", "/channels/{channel_id}/messages"): RouteLimit("message-create", 5, 5.0),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): RouteLimit("message-edit", 5,
                                                                          5.0),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads"):
        RouteLimit("thread-create", 5, 5.0),
    ("POST", "/channels/{channel_id}/threads"): RouteLimit("thread-create", 5, 5.0),
    ("POST", "/interactions/{interaction_id}/{token}/callback"):
        RouteLimit("interaction-callback", 5, 5.0, global_counted=False),
    ("POST", "/webhooks/{app_id}/{token}"): RouteLimit("interaction-webhook", 5, 2.0,
                                                       global_counted=False),
    ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}"):
        RouteLimit("interaction-webhook", 5, 2.0, global_counted=False),
    ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}"):
        RouteLimit("interaction-webhook", 5, 2.0, global_counted=False),
    ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}"):
        RouteLimit("interaction-webhook", 5, 2.0, global_counted=False),
}
DEFAULT_LIMIT = RouteLimit("default", 50, 1.0)


class _Window:
    """A fixed window: `limit` requests until `reset_at`, then a fresh one."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.remaining = limit
        self.reset_at = 0.0

    def take(self, now: float) -> bool:
        if now >= self.reset_at:
            self.reset_at = now + self.window
            self.remaining = self.limit
        if self.remaining == 0:
            return False
        self.remaining -= 1
        return True


@dataclass
class Verdict:
    """The rate limiter's answer for one request: the headers to add to its answer, or the 429
    to answer instead."""

    headers: dict[str, str]
    refusal: web.Response | None = None


class RateLimits:
    """Counts requests per bucket and refuses those over a limit (when `enabled`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = False
        self.clock = clock
        # Tests shorten every window by this factor to see a reset without waiting 5 s.
        self.window_scale = 1.0
        self.refusals: list[tuple[str, str]] = []  # (bucket key, path) of every 429 answered
        self._windows: dict[str, _Window] = {}
        self._global = _Window(GLOBAL_LIMIT, 1.0)
        self.global_limit = GLOBAL_LIMIT

    def reset(self) -> None:
        """Forget every count (a benchmark starts each run fresh)."""
        self._windows.clear()
        self._global = _Window(self.global_limit, self.window_scale)
        self.refusals.clear()

    def check(self, method: str, pattern: str, params: dict[str, str], path: str
              ) -> Verdict | None:
        """Count this request; None when limits are off."""
        if not self.enabled:
            return None
        rule = ROUTE_LIMITS.get((method, pattern), DEFAULT_LIMIT)
        bucket_hash = hashlib.sha1(f"{rule.bucket}:{method}:{pattern}".encode()).hexdigest()[:16] \
            if rule is DEFAULT_LIMIT else hashlib.sha1(rule.bucket.encode()).hexdigest()[:16]
        majors = "+".join(params[name] for name in (*MAJOR_PARAMETERS, "token")
                          if name in params)
        key = f"{bucket_hash}:{majors}"
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(rule.limit, rule.window * self.window_scale)
        now = self.clock()
        if rule.global_counted and not self._global.take(now):
            self.refusals.append(("global", path))
            return Verdict({}, _refusal(self._global.reset_at - now, scope="global",
                                        headers={"X-RateLimit-Global": "true"}))
        allowed = window.take(now)
        reset_after = max(0.0, window.reset_at - now)
        headers = {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
        }
        if allowed:
            return Verdict(headers)
        self.refusals.append((rule.bucket, path))
        return Verdict(headers, _refusal(reset_after, scope="user", headers=headers))


def _refusal(retry_after: float, *, scope: str, headers: dict[str, str]) -> web.Response:
    is_global = scope == "global"
    retry_after = round(max(retry_after, 0.001), 3)
    return json_response(
        {"message": "You are being rate limited.", "retry_after": retry_after,
         "global": is_global},
        429,
        {**headers, "Retry-After": str(max(1, int(retry_after + 0.999))),
         "X-RateLimit-Scope": scope, "Via": "1.1 google"})
