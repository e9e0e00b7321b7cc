"""What the bot's `validate` and the fake Kling's validator each make of a request, for the
tests that hold them to agreeing (every model's rules, omni lists and stories)."""

from __future__ import annotations

from typing import Any, cast

from bot.kling.capabilities import load_capabilities
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate
from testkit.fakes.kling.tasks import TaskTable
from testkit.fakes.kling.validation import BadRequest, validate_create

TABLE = load_capabilities()
NO_TASKS = cast(TaskTable, None)  # only an extend reads the fake's tasks: none here


def bot_verdict(options: VideoOptions) -> dict[str, Any] | None:
    """The body the bot would send, or None when it refuses."""
    try:
        return validate(options, TABLE).body
    except InvalidOptions:
        return None


def fake_check(body: dict[str, Any]) -> None:
    """The fake Kling's validation of a create; raises `BadRequest` as the API answers 400."""
    validate_create(body, set(TABLE.models), NO_TASKS)


def fake_accepts(body: dict[str, Any]) -> bool:
    try:
        fake_check(body)
    except BadRequest:
        return False
    return True
