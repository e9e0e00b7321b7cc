"""The core's codes turned into sentences, at the moment they are shown.

The core says what happened as a code and plain parameters (`bot.errors`); this module is where
they become the catalogue's words (`bot.discord.i18n.texts`) and Discord's markup: lists of names in
code spans, channel mentions, relative timestamps (`<t:...:R>`), lengths of time in words. It is
the one place a later issue has to pass a reader's language through.

How a parameter is shown depends on its name only (`FORMATS`), so every code that carries, say,
`resets_at` shows it the same way; a parameter without an entry is shown as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.discord.i18n.texts import clip, has_text, span, text
from bot.errors import DomainError, Notice
from bot.kling.errors import KlingError, KlingUnreachable
from bot.store import Job

log = logging.getLogger(__name__)


def _names(names: Iterable[object]) -> str:
    shown = [f"`{name}`" for name in names]
    return ", ".join(shown) if shown else text("list.none")


def _either(values: Iterable[object]) -> str:
    return text("list.or").join(str(value) for value in values)


def _channels(channel_ids: Iterable[int]) -> str:
    return ", ".join(f"<#{channel_id}>" for channel_id in channel_ids)


def _relative(timestamp: float) -> str:
    return f"<t:{int(timestamp)}:R>"


# A parameter's name -> the field of the sentence it fills, and how it is shown there.
FORMATS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "allowed": ("allowed", _names),  # names a member may pick from
    "durations": ("allowed", _either),  # lengths in seconds: "5 or 10"
    "channel_ids": ("channels", _channels),
    "resets_at": ("reset", _relative),  # a UNIX timestamp
    "seconds": ("span", span),  # a length of time
    "cause": ("reason", text),  # the code of a sentence without parameters
    "lengths": ("lengths", lambda lengths: " + ".join(str(n) for n in lengths)),  # shots, s
}


def fields(params: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a sentence, from a code's parameters."""
    filled: dict[str, Any] = {}
    for name, value in params.items():
        field, shown = FORMATS.get(name, (name, lambda same: same))
        filled[field] = shown(value)
    return filled


def sentence(notice: Notice) -> str:
    """The sentence for a code and its parameters (an alert, a refusal, a job's end)."""
    return text(notice.code, **fields(notice.params))


def describe(error: BaseException) -> str | None:
    """The member-facing sentence for an error the core raises (or Kling's client, should one
    reach a member), or None for a bug."""
    if isinstance(error, DomainError):
        return sentence(error.notice)
    if isinstance(error, KlingUnreachable):
        return text("kling.unavailable")
    if isinstance(error, KlingError):
        return text("failed.rejected", reason=error.message)
    return None


def failure_reason(job: Job) -> str:
    """Why a failed job ended, as its requester reads it.

    Rows written before the codes were stored (schema 006) hold the sentence itself in
    `error_message`: it is shown as it was written.
    """
    if job.error_key is None:
        return job.error_message or ""
    if not has_text(job.error_key):  # written by a newer version of the bot
        log.warning("Job %s: unknown failure code %s", job.id, job.error_key)
        return job.error_message or job.error_key
    return sentence(Notice(job.error_key, job.error_params or {}))


def job_notes(job: Job) -> list[str]:
    """What the bot did on the member's behalf when it built the job's request (cited the
    images, filled the shots' lengths), one sentence each; codes this version lacks are
    skipped (written by a newer bot)."""
    shown = []
    for note in job.notes or ():
        code = str(note.get("code", ""))
        if has_text(code):
            shown.append(sentence(Notice(code, note.get("params") or {})))
        else:
            log.warning("Job %s: unknown note code %s", job.id, code)
    return shown


def shown_prompt(job: Job, limit: int, *, one_line: bool = False) -> str:
    """The job's prompt as a message shows it: clipped to `limit`, on one line where asked,
    and behind a spoiler (`||...||`) when the member asked for one, with any `|` in it
    escaped so the prompt cannot end the spoiler early."""
    prompt = " ".join(job.prompt.split()) if one_line else job.prompt
    if not job.spoiler:
        return clip(prompt, limit) or "—"
    escaped = prompt.replace("|", "\\|")
    return f"||{clip(escaped, limit - 4) or '—'}||"
