"""What the fake remembers of the bot's traffic: every REST request (with its uploads and the
answer), and every interaction it sent with the bot's callbacks to it. Tests assert on these;
the parts that serve the bot fill them in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from testkit.fakes.discord.flags import MESSAGE_FLAG_EPHEMERAL
from testkit.fakes.discord.models import JSON


@dataclass
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    field_name: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        """The file's size in bytes, as uploaded."""
        return len(self.data)


@dataclass
class RecordedRequest:
    """Everything a test might want to assert about one HTTP request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix, e.g. "/channels/1/messages"
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[UploadedFile]
    received_at: float
    status: int = 0
    response: Any = None

    @property
    def content_type(self) -> str:
        """The request's Content-Type (empty when it had none): JSON or multipart."""
        return self.headers.get("Content-Type", "")


@dataclass
class InteractionCallback:
    """One ``POST /interactions/{id}/{token}/callback`` the bot made."""

    type: int
    data: JSON
    files: list[UploadedFile]
    received_at: float

    @property
    def ephemeral(self) -> bool:
        """Whether only the member who used the interaction sees the answer."""
        return bool(int(self.data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)


@dataclass
class Interaction:
    """An interaction the fake sent to the bot, and what the bot did with it."""

    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    payload: JSON
    created_at: float
    message_id: int | None = None  # the message a component/modal interaction came from
    responses: list[InteractionCallback] = field(default_factory=list)
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        """Whether the bot has answered it (Discord takes only one callback)."""
        return bool(self.responses)
