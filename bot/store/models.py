"""The rows the store keeps, as plain dataclasses the rest of the core passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    """The job's life (design.md). Only the store changes it, by compare-and-set."""

    # credits held; waiting for a moderator's Approve / Reject (review mode), never dispatched
    REVIEW = "review"
    QUEUED = "queued"  # credits held; waiting for a free slot (fair queue)
    RESERVED = "reserved"  # the create request is on its way to Kling
    SUBMITTED = "submitted"
    SUCCEEDED = "succeeded"
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        """Whether the job has ended (nothing more happens to it but late results)."""
        return self in (JobState.DELIVERED, JobState.FAILED)


# The states of a job that has not ended: its credits are held and something is still to
# happen to it. Defined once, beside the states; the store's SQL uses their values.
UNFINISHED: tuple[JobState, ...] = (JobState.REVIEW, JobState.QUEUED, JobState.RESERVED,
                                    JobState.SUBMITTED)
# The states of a job Kling is working on (its create on the way, or its task accepted): the
# ones that take a slot of the fair queue.
IN_FLIGHT: tuple[JobState, ...] = (JobState.RESERVED, JobState.SUBMITTED)


class LedgerStatus(StrEnum):
    """A job's ledger entry: credits held while it runs, committed when delivered, refunded
    when it failed."""

    HELD = "held"
    COMMITTED = "committed"
    REFUNDED = "refunded"


@dataclass
class Job:
    """A job's row: what was asked, its state, and the facts every path reads (placement,
    spoiler, removal)."""

    id: str
    guild_id: int | None
    channel_id: int
    user_id: int
    state: JobState
    action: str
    model: str
    mode: str | None
    duration: int
    prompt: str
    request: dict[str, Any]
    cost: int
    callback_token: str = field(repr=False)
    created_at: float
    updated_at: float
    deadline_at: float
    parent_job_id: str | None = None
    task_id: str | None = None
    submit_started_at: float | None = None
    next_attempt_at: float | None = None
    video_id: str | None = None
    video_url: str | None = None
    video_duration: float | None = None
    # How a job ended: `error_code` is the machine's code (Kling's, or the bot's: "deadline",
    # "cancelled", ...), what the late watch and the logs match on; `error_key` and
    # `error_params` are what the requester is told, as data the Discord layer words.
    # `error_message` is only in rows written before those existed: the sentence itself.
    error_code: str | None = None
    error_message: str | None = None
    error_key: str | None = None
    error_params: dict[str, Any] | None = None
    status_message_id: int | None = None
    thread_id: int | None = None
    # While the job's thread is being started: until when that start holds the placement
    # (a lease). None once the thread, or the lack of one, is stored (schema 013).
    thread_pending_until: float | None = None
    result_message_id: int | None = None
    poll_misses: int = 0
    delivery_attempts: int = 0
    next_poll_at: float | None = None
    submitted_at: float | None = None
    finished_at: float | None = None
    dispatched_at: float | None = None
    queue_position: int | None = None
    credits_left: int | None = None
    owner: str | None = None
    delivery_started_at: float | None = None
    late_at: float | None = None
    # Post the result as a spoiler (hidden until clicked); chosen with the command.
    spoiler: bool = False
    # What the bot did on the member's behalf when it built the request, for the card:
    # [{"code": ..., "params": {...}}] (cited images, filled shot lengths; schema 008).
    notes: list[dict[str, Any]] | None = None
    # Review mode: the log-channel message that asks moderators, and who decided.
    review_message_id: int | None = None
    reviewed_by: int | None = None
    # A moderator removed the result (a report's Remove): it is never posted or linked again.
    removed_at: float | None = None
    removed_by: int | None = None
    # The channel the result message was really posted in (the thread, or the channel when
    # the thread was gone at delivery), as the poster reported it.
    result_channel_id: int | None = None

    @property
    def removed(self) -> bool:
        """A moderator removed this job's result: nothing may post or link it again."""
        return self.removed_at is not None

    @property
    def result_channel(self) -> int:
        """Where the result message is: the channel recorded at delivery, else where it was
        meant to go (rows delivered before that was recorded)."""
        return self.result_channel_id or self.post_channel_id

    @property
    def late(self) -> bool:
        """The result came after the job was stopped and refunded: delivered free, marked late."""
        return self.late_at is not None

    def thread_pending(self, now: float) -> bool:
        """Whether a start of the job's thread still holds its placement at `now`."""
        return self.thread_pending_until is not None and self.thread_pending_until > now

    @property
    def post_channel_id(self) -> int:
        """Where results go: the job's thread when it has one, else its channel."""
        return self.thread_id or self.channel_id


JOB_COLUMNS: tuple[str, ...] = (
    "id", "guild_id", "channel_id", "user_id", "state", "action", "model", "mode", "duration",
    "prompt", "request_json", "cost", "callback_token", "parent_job_id", "task_id",
    "submit_started_at", "next_attempt_at", "video_id", "video_url", "video_duration",
    "error_code", "error_message", "status_message_id", "thread_id", "result_message_id",
    "poll_misses", "delivery_attempts", "next_poll_at", "created_at", "updated_at",
    "submitted_at", "finished_at", "deadline_at", "dispatched_at", "queue_position",
    "credits_left", "owner", "delivery_started_at", "late_at", "error_key", "error_params",
    "spoiler",
    "notes",
    "review_message_id", "reviewed_by",
    "removed_at", "removed_by", "result_channel_id",
    "thread_pending_until",
)

# Fields a caller may set alongside a state change; the store refuses anything else so a typo
# cannot silently write nothing.
MUTABLE_FIELDS: frozenset[str] = frozenset(JOB_COLUMNS) - {
    "id", "guild_id", "user_id", "callback_token", "created_at", "request_json", "state",
}


@dataclass(frozen=True)
class JoinedStory:
    """A story joined into one video under the job `job_id`: where it was posted, once it
    was (`message_id` None: a join is running, until `claimed_until`)."""

    job_id: str
    channel_id: int | None
    message_id: int | None
    claimed_until: float


@dataclass(frozen=True)
class Reservation:
    """The outcome of a reserve. `refusal` says which rule said no: "member" (their limit),
    "server" (the server's cap) or "blocked" (with `block_reason`)."""

    accepted: bool
    spent_before: int
    limit: int
    refusal: str | None = None
    server_spent: int = 0
    block_reason: str | None = None


@dataclass(frozen=True)
class Block:
    """Why and by whom a member is blocked from making videos in a server."""

    reason: str
    blocked_by: int
    blocked_at: float


@dataclass(frozen=True)
class AuditEntry:
    """One moderator action: who did what to whom, the value before and after, and why."""

    guild_id: int
    actor_id: int
    action: str
    target_id: int | None
    old_value: str | None
    new_value: str | None
    reason: str | None
    created_at: float


@dataclass(frozen=True)
class MemberPreferences:
    """A member's own settings: a direct message when a video of theirs is ready (or failed),
    in `language` (the catalogue language they asked in; None: the default)."""

    notify_dm: bool = False
    language: str | None = None


@dataclass(frozen=True)
class InFlight:
    """Jobs with Kling right now (RESERVED or SUBMITTED), counted three ways."""

    total: int
    by_guild: dict[int, int]
    by_member: dict[tuple[int, int], int]


@dataclass(frozen=True)
class QueuedJob:
    """A queued job as the fair queue reads it: who waits, since when, and the place it was
    last told. Only these, so a pass over a long queue builds no full jobs."""

    id: str
    guild_id: int | None
    user_id: int
    created_at: float
    queue_position: int | None


@dataclass(frozen=True)
class PendingReference:
    """An image a member set aside with "Use as reference" for their next /video omni."""

    url: str
    filename: str
    added_at: float
    expires_at: float
# -- community moderation ---------------------------------------------------------------------

@dataclass(frozen=True)
class FilterRow:
    """One of a server's prompt filters, as stored: a plain word or an opt-in pattern."""

    pattern: str
    is_regex: bool
    added_by: int
    added_at: float


@dataclass(frozen=True)
class Report:
    """One member's report about one result. `status`: open, removed, blocked, dismissed."""

    id: str
    guild_id: int
    job_id: str
    reporter_id: int
    requester_id: int
    reason: str
    status: str
    created_at: float
    log_message_id: int | None = None
    decided_by: int | None = None
    decided_at: float | None = None


@dataclass(frozen=True)
class GiftOutcome:
    """A gift's outcome. `refusal`: "remaining" (more than the giver has left) or "share"
    (more than the server lets a member give in a period); `given_before` is what the giver
    had given earlier in the period, `remaining` what they had left before this gift."""

    accepted: bool
    remaining: int
    given_before: int
    refusal: str | None = None
