"""The fake's `strict` profile: limits Discord applies without publishing them (observed, see
the project's notes on Discord), off by default so the existing tests run as before, switched on
per fake (`FakeDiscord(profile="strict")` or `fake.strict.enabled = True`), every number a knob
(`fake.strict.limits`), because the numbers are observations, not promises.

What it enforces, each answered as Discord answers it:

- Interaction webhook executions (follow-ups, ephemeral ones too) share one hidden bucket per
  channel: 30 per 60 s, then 429 with ``X-RateLimit-Scope: shared``.
- Thread creation shares a hidden bucket per channel and per guild: 5 per 5 minutes, then 429s
  with a long ``Retry-After`` (150 s).
- At most 1,000 active threads per guild: 400 code 160006.
- Locked or archived threads refuse posts and edits (400 code 50083); a post in an archived,
  unlocked thread unarchives it.
- Without Embed Links an embed-only message is refused (403 code 50013) and an edit silently
  drops its embeds.
- A command's names, descriptions, choices and localisations total at most 8,000 characters.
- A thread started from a message that is not the channel's newest leaves a type-18 "thread
  created" message in the channel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from testkit.fakes.discord.models import JSON, Channel
from testkit.fakes.discord.wire import DiscordError, invalid_form, json_response


@dataclass
class StrictLimits:
    """The numbers of the strict profile; tests lower them to reach a limit quickly."""

    followups_per_channel: int = 30
    followup_window: float = 60.0
    threads_per_channel: int = 5
    threads_per_guild: int = 5
    thread_window: float = 300.0
    thread_retry_after: float = 150.0
    active_threads_per_guild: int = 1000
    command_characters: int = 8000


@dataclass
class _SharedWindow:
    """A fixed window shared by every caller of one resource; once spent, refused until
    `reset_at`, or (when the limit has a penalty) for the penalty from the first refusal."""

    limit: int
    window: float
    penalty: float | None
    remaining: int = 0
    reset_at: float = 0.0
    penalised: bool = False

    def take(self, now: float) -> float | None:
        """None when allowed; else how long to wait."""
        if now >= self.reset_at:
            self.reset_at, self.remaining = now + self.window, self.limit
            self.penalised = False
        if self.remaining > 0:
            self.remaining -= 1
            return None
        if self.penalty is not None and not self.penalised:
            self.reset_at, self.penalised = now + self.penalty, True
        return self.reset_at - now


@dataclass
class StrictProfile:
    """Whether the strict profile is on, its limits, and the hidden buckets it counts."""

    enabled: bool = False
    limits: StrictLimits = field(default_factory=StrictLimits)
    clock: Callable[[], float] = time.monotonic
    refusals: list[str] = field(default_factory=list)  # the shared bucket of every 429
    _windows: dict[str, _SharedWindow] = field(default_factory=dict)

    def configure(self, **limits: float) -> None:
        """Turn the profile on with some limits changed (`followups_per_channel=2`, ...)."""
        for name, value in limits.items():
            if not hasattr(self.limits, name):
                raise TypeError(f"no strict limit named {name!r}")
            setattr(self.limits, name, type(getattr(self.limits, name))(value))
        self.enabled = True
        self._windows.clear()

    def followup(self, channel_id: int) -> web.Response | None:
        """Count one interaction webhook execution in the channel: its 429, or None."""
        if not self.enabled:
            return None
        lim = self.limits
        return self._take(f"followups:{channel_id}", lim.followups_per_channel,
                          lim.followup_window, None)

    def thread_creation(self, channel_id: int, guild_id: int | None) -> web.Response | None:
        """Count one thread creation in the channel and its guild: its 429, or None."""
        if not self.enabled:
            return None
        lim = self.limits
        refusal = self._take(f"threads:channel:{channel_id}", lim.threads_per_channel,
                             lim.thread_window, lim.thread_retry_after)
        if refusal is None and guild_id is not None:
            refusal = self._take(f"threads:guild:{guild_id}", lim.threads_per_guild,
                                 lim.thread_window, lim.thread_retry_after)
        return refusal

    def open_thread_for(self, channel: Channel, *, editing: bool) -> bool:
        """400 50083 for a post or an edit in a locked thread, or an edit in an archived one;
        True when this post unarchives the thread (the caller announces THREAD_UPDATE)."""
        if not self.enabled or not channel.is_thread or not (channel.archived or channel.locked):
            return False
        if channel.locked or editing:
            raise DiscordError(400, 50083, "Thread is archived")
        channel.archived = False
        return True

    def embeds_allowed(self, body: JSON, *, may_embed: bool, creating: bool,
                       has_files: bool) -> JSON:
        """Without Embed Links a new message of embeds only is refused (403 50013); otherwise
        its embeds (and an edit's) are dropped without a word, as Discord does."""
        if not self.enabled or may_embed or not body.get("embeds"):
            return body
        kept = {k: v for k, v in body.items() if k != "embeds"}
        if creating and not (body.get("content") or has_files or body.get("components")
                             or body.get("sticker_ids") or body.get("poll")):
            raise DiscordError(403, 50013, "Missing Permissions")
        if not creating:
            kept["embeds"] = []
        return kept

    def check_command_size(self, body: JSON, where: str) -> None:
        """400 50035 naming the command when its text, counted as Discord counts it, is over
        the limit."""
        size = command_size(body)
        if self.enabled and size > self.limits.command_characters:
            raise invalid_form(where or "_root", "APPLICATION_COMMAND_TOO_LARGE",
                               f"Command {body.get('name')!r} exceeds maximum size "
                               f"({self.limits.command_characters}): {size} characters")

    def _take(self, key: str, limit: int, window: float, penalty: float | None
              ) -> web.Response | None:
        bucket = self._windows.get(key)
        if bucket is None:
            bucket = self._windows[key] = _SharedWindow(limit, window, penalty)
        wait = bucket.take(self.clock())
        if wait is None:
            return None
        self.refusals.append(key)
        return shared_refusal(wait)


def shared_refusal(retry_after: float) -> web.Response:
    """Discord's 429 for a hidden shared limit: scope ``shared``, ``Retry-After`` in whole
    seconds, ``Via`` (without it discord.py takes the 429 for a Cloudflare ban)."""
    retry_after = round(max(retry_after, 0.001), 3)
    return json_response(
        {"message": "You are being rate limited.", "retry_after": retry_after,
         "global": False},
        429,
        {"Retry-After": str(max(1, int(retry_after + 0.999))), "X-RateLimit-Scope": "shared",
         "Via": "1.1 google"})


def _longest(entry: JSON, field_name: str) -> int:
    """A string's length for the size limit: its longest version, localisations included."""
    versions = [str(entry.get(field_name) or ""),
                *(str(v) for v in (entry.get(f"{field_name}_localizations") or {}).values())]
    return max(len(v) for v in versions)


def command_size(entry: JSON) -> int:
    """A command's (or an option's) characters: names, descriptions, choice names and values,
    each counted by its longest localisation, over every nested option."""
    size = _longest(entry, "name") + _longest(entry, "description")
    for choice in entry.get("choices") or []:
        size += _longest(choice, "name") + len(str(choice.get("value", "")))
    return size + sum(command_size(option) for option in entry.get("options") or [])
