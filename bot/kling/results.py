"""Reading task results, tolerantly.

The platform answers in slightly different shapes (a task record with a `response`, a flat
callback body, a list where an object was expected, `succeed` or `succeeded`, a string `error`).
Everything funnels into one `TaskResult` so the rest of the bot never looks at raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

SUCCESS_STATES = {"succeed", "succeeded", "success", "completed", "complete", "done"}
FAILURE_STATES = {"failed", "fail", "failure", "cancelled", "canceled", "error"}

# Risk control (content refused): a create answered 403 with this code (the used-up balance is
# 403 `used_up`), or a failed task whose words say so ("Content was blocked by risk control").
RISK_CONTROL_CODES = {"forbidden", "risk_control", "content_blocked"}
RISK_CONTROL_WORDS = ("risk control", "risk_control")


class TaskStatus(Enum):
    """Where a task is, as the bot acts on it, whatever word the API used."""

    UNKNOWN = "unknown"  # the API does not know the task (yet)
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class TaskResult:
    """One task's result, however the API shaped it; the video fields are set when it succeeded, the
    error fields when it failed."""

    status: TaskStatus
    task_id: str | None = None
    video_id: str | None = None
    video_url: str | None = None
    duration: float | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def content_refused(self) -> bool:
        """A failure by Kling's risk control (the content was refused)."""
        return self.status is TaskStatus.FAILED and is_risk_control(self.error_code,
                                                                    self.error_message)

    @property
    def finished(self) -> bool:
        """Kling will say no more: the task succeeded or failed."""
        return self.status in (TaskStatus.SUCCEEDED, TaskStatus.FAILED)


def is_risk_control(code: str | None, message: str | None) -> bool:
    """Whether Kling's error (code, message) is its risk control refusing the content."""
    if (code or "").lower() in RISK_CONTROL_CODES:
        return True
    words = (message or "").lower()
    return any(word in words for word in RISK_CONTROL_WORDS)


def kling_reason(code: str | None, message: str | None) -> str | None:
    """Kling's own words for an error, or None when it gave only its code (or nothing)."""
    if not message or message in ("unknown", "no details", code):
        return None
    return message


def parse_error(body: Any) -> tuple[str, str]:
    """(code, message) from an error body, whatever its shape."""
    if not isinstance(body, dict):
        return "unknown", str(body)[:300] if body else "no details"
    error = body.get("error")
    if isinstance(error, dict):
        code = str(error.get("code") or body.get("code") or "unknown")
        message = str(error.get("message") or error.get("detail") or body.get("detail") or code)
        return code, message
    if isinstance(error, str) and error:
        return str(body.get("code") or "unknown"), error
    code = str(body.get("code") or "unknown")
    message = body.get("detail") or body.get("message") or code
    return code, str(message)


def _first(value: Any) -> Any:
    """Unwrap a one-item list: some answers wrap the object the docs promise."""
    if isinstance(value, list):
        return value[0] if value else {}
    return value


def _duration(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def parse_result(response: Any, task_id: str | None = None) -> TaskResult:
    """A flat result (callback body, or a record's `response`)."""
    response = _first(response)
    if not isinstance(response, dict) or not response:
        return TaskResult(TaskStatus.RUNNING, task_id=task_id)
    task_id = str(response.get("task_id") or task_id or "") or None
    state = str(response.get("state") or response.get("status") or "").lower()
    data = _first(response.get("data"))
    video = response if response.get("video_url") else (data if isinstance(data, dict) else {})
    failed = (
        response.get("success") is False
        or bool(response.get("error"))
        or state in FAILURE_STATES
    )
    if failed:
        code, message = parse_error(response)
        if code == "unknown" and state:
            code = state
        if message in ("unknown", state) or not message:
            message = "the video could not be generated"
        return TaskResult(TaskStatus.FAILED, task_id=task_id, error_code=code,
                          error_message=message)
    if video.get("video_url") and (response.get("success") is True or state in SUCCESS_STATES
                                   or not state):
        return TaskResult(
            TaskStatus.SUCCEEDED,
            task_id=task_id,
            video_id=str(video.get("video_id")) if video.get("video_id") else None,
            video_url=str(video["video_url"]),
            duration=_duration(video.get("duration")),
        )
    return TaskResult(TaskStatus.RUNNING, task_id=task_id)


def parse_task_record(record: Any) -> TaskResult:
    """A record from /kling/tasks: `{}` unknown, no `response` running, else its response."""
    record = _first(record)
    if not isinstance(record, dict) or not record:
        return TaskResult(TaskStatus.UNKNOWN)
    task_id = str(record.get("id") or record.get("task_id") or "") or None
    if "response" not in record or record["response"] in (None, {}):
        return TaskResult(TaskStatus.RUNNING, task_id=task_id)
    return parse_result(record["response"], task_id)
