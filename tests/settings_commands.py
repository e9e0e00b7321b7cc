"""Which `/klingbot settings` subcommand takes which option: the tests give a setting's option
and get the subcommand path it is under, as a moderator would look it up in the picker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TOPICS: dict[str, tuple[str, ...]] = {
    "channels": ("log_channel", "allowed_channel"),
    "access": ("moderator_role", "extend_access"),
    "defaults": ("default_model", "default_mode", "default_duration"),
    "limits": ("forbid_model", "allow_model", "allow_4k", "allow_audio", "max_duration",
               "confirm_above"),
    "review": ("review", "review_days", "review_timeout", "trusted_role"),
    "credits": ("reset_hour", "give_share"),
    "language": ("language",),
}
TOPIC_OF = {option: topic for topic, options in TOPICS.items() for option in options}


def settings_calls(options: Mapping[str, Any]) -> list[tuple[list[str], dict[str, Any]]]:
    """The `/klingbot settings <topic>` calls that set `options`, one per topic in the order
    the options were given (a `reason` goes with each); no option: `show`."""
    calls: dict[str, dict[str, Any]] = {}
    for option, value in options.items():
        if option != "reason":
            calls.setdefault(TOPIC_OF[option], {})[option] = value
    if not calls:
        return [(["settings", "show"], {})]
    reason = {"reason": options["reason"]} if "reason" in options else {}
    return [(["settings", topic], {**given, **reason}) for topic, given in calls.items()]


def settings_path(options: Mapping[str, Any]) -> list[str]:
    """The one subcommand that takes every option of `options`."""
    [(path, _)] = settings_calls(options)
    return path
