"""The values the core hands the Discord layer to post, and the rule every one of them obeys:
nothing of a job a moderator removed is prepared for posting again."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.errors import DomainError
from bot.store import Job

Form = Literal["attach", "fitted", "link"]

# The buttons a result can carry, by kind: the action of each one's custom id
# (`kling:<kind>:<job id>`), in the order they are shown.
BUTTON_KINDS: tuple[str, ...] = (
    "extend", "extend-prompt", "continue", "continue-prompt", "join", "report")


class RemovedPart(DomainError):
    """`access.removed`: a moderator removed this video (or a part of this story); it may not
    be posted, continued, extended or joined again."""


class UploadRefused(Exception):
    """Discord refused the result's file as too large (HTTP 413): the core posts its link."""


def refuse_removed(*jobs: Job) -> None:
    """Raise `RemovedPart` when any of `jobs` was removed by a moderator."""
    if any(job.removed for job in jobs):
        raise RemovedPart("access.removed")


@dataclass(frozen=True)
class Note:
    """A line under a result, as a code with params (the Discord layer words it)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Posted:
    """Where the Discord layer really posted something: the core records it."""

    channel_id: int
    message_id: int


@dataclass(frozen=True)
class PostedFrame(Posted):
    """A Continue's frame as posted: where (so it can be withdrawn when the Continue is not
    reserved after all), and the attachment's address (the Continue's start image)."""

    url: str


@dataclass(frozen=True)
class ResultPost:
    """A finished job's result message. `form`: the file attached as it came (`attach`),
    re-encoded to fit the upload limit (`fitted`), or its address posted instead (`link`,
    `path` None). `link` is the address for the link button (None: no button)."""

    job: Job
    form: Form
    path: Path | None
    filename: str
    spoiler: bool
    buttons: tuple[str, ...]
    link: str | None
    notes: tuple[Note, ...]
    mention_user_id: int

    def as_link(self, note: Note) -> ResultPost:
        """The same result as its link, saying why (the file could not go up)."""
        return dataclasses.replace(self, form="link", path=None, notes=(note,))


@dataclass(frozen=True)
class FramePost:
    """A Continue's start frame: the last frame of `source`'s video, posted where its result
    is, as a spoiler when the source is one."""

    source: Job
    path: Path
    filename: str
    spoiler: bool
    user_id: int  # the member who continues

    @property
    def channel_id(self) -> int:
        """Where the frame goes: where its source's result really is."""
        return self.source.result_channel


@dataclass(frozen=True)
class JoinedPost:
    """A story joined into one video under its newest part, posted where that part's result
    is; a spoiler when any part is one."""

    newest: Job
    path: Path
    filename: str
    spoiler: bool
    parts: int
    seconds: int
    # Report in a server (a report on the story is one on its newest part).
    buttons: tuple[str, ...] = ()

    @property
    def channel_id(self) -> int:
        """Where the joined story goes: where its newest part's result really is."""
        return self.newest.result_channel
