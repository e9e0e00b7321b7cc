"""What a member is told when their request goes wrong, for every error the core raises.

The command tree's error handler and the button/modal handlers share this so each error reads
the same wherever it happens. Unknown errors get no text here: the caller apologises with an
error id that is also in the log.
"""

from __future__ import annotations

import secrets

from bot.jobs import JobNotCancellable, KlingPaused
from bot.kling.errors import KlingError, KlingUnreachable
from bot.kling.options import InvalidOptions
from bot.quotas import QuotaExceeded
from bot.texts import text


class UserFacingError(Exception):
    """A refusal whose message is already written for the member (e.g. "not your video")."""


def describe(error: BaseException) -> str | None:
    """The member-facing sentence for a known error, or None for a bug."""
    if isinstance(error, InvalidOptions):
        return error.message
    if isinstance(error, (QuotaExceeded, KlingPaused, UserFacingError, JobNotCancellable)):
        return str(error)
    if isinstance(error, KlingUnreachable):
        return text("kling.unavailable")
    if isinstance(error, KlingError):
        return text("failed.rejected", reason=error.message)
    return None


def new_error_id() -> str:
    return secrets.token_hex(4)
