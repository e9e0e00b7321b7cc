"""What the bot posts about a job, decided in the core and handed to the Discord layer as
values: a result (attached, fitted or linked, with its buttons by kind and its notes), a
Continue's start frame, a joined story. The facts on the job decide: a spoiler job's every file
and link is a spoiler, and a part a moderator removed is never prepared for posting again."""

from bot.publishing.posts import (
    BUTTON_KINDS,
    FramePost,
    JoinedPost,
    Note,
    Posted,
    PostedFrame,
    RemovedPart,
    ResultPost,
    UploadRefused,
    refuse_removed,
)
from bot.publishing.publisher import Publisher

__all__ = [
    "BUTTON_KINDS",
    "FramePost",
    "JoinedPost",
    "Note",
    "Posted",
    "PostedFrame",
    "Publisher",
    "RemovedPart",
    "ResultPost",
    "UploadRefused",
    "refuse_removed",
]
