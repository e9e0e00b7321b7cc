"""Who review mode holds for a moderator (`needs_review`), without a store."""

from __future__ import annotations

import pytest

from bot.guild_settings import GuildSettings
from bot.jobs.requests import JobRequest, needs_review
from bot.kling.options import VideoOptions

NOW = 1_800_000_000.0
DAY = 86400.0
TRUSTED, MODS = 7, 8


def request(*, joined_days_ago: float | None = 1, roles: tuple[int, ...] = (),
            staff: bool = False) -> JobRequest:
    return JobRequest(guild_id=1, channel_id=2, user_id=3, role_ids=roles, staff=staff,
                      options=VideoOptions(action="text2video", prompt="p"),
                      joined_at=None if joined_days_ago is None else NOW - joined_days_ago * DAY)


def settings(review: str, **more: object) -> GuildSettings:
    return GuildSettings(review=review, log_channel_id=99, trusted_role_id=TRUSTED,  # type: ignore[arg-type]
                         moderator_role_id=MODS, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(("mode", "ask", "held"), [
    ("off", request(), False),
    ("new_members", request(joined_days_ago=1), True),
    ("new_members", request(joined_days_ago=6.9), True),
    ("new_members", request(joined_days_ago=7.1), False),
    ("new_members", request(joined_days_ago=None), True),  # unknown: treated as new
    ("untrusted", request(joined_days_ago=3000), True),
    ("untrusted", request(roles=(TRUSTED,)), False),
    ("new_members", request(roles=(TRUSTED,)), False),
    ("untrusted", request(roles=(MODS,)), False),
    ("untrusted", request(staff=True), False),
])
def test_who_is_held(mode: str, ask: JobRequest, held: bool) -> None:
    assert needs_review(settings(mode), ask, NOW) is held


def test_nothing_is_held_without_a_log_channel_to_ask_in() -> None:
    no_log = GuildSettings(review="untrusted")
    assert needs_review(no_log, request(), NOW) is False
