"""What the platform checks in a create request before it makes a task: action, model, mode,
duration, prompt lengths, URLs, and for an extend, that the source video exists and matches.
A failure is answered as 400 ``bad_request`` with the platform's plain message."""

from __future__ import annotations

from typing import Any

from testkit.fakes.kling.tasks import TaskTable

ACTIONS = ("text2video", "image2video", "extend")
DURATIONS = (5, 10)
PROMPT_MAX = 2500
NEGATIVE_PROMPT_MAX = 200


class BadRequest(Exception):
    """Validation failure: answered as 400 ``bad_request`` with a plain message."""


def validate_create(
    body: dict[str, Any], models: set[str], tasks: TaskTable
) -> tuple[str, str | None, float]:
    """Basic validation like the platform's; returns (model, mode, duration of result)."""
    action = body.get("action", "text2video")
    if action not in ACTIONS:
        raise BadRequest("action is invalid.")
    model = body.get("model", "kling-v1")
    if not isinstance(model, str) or model not in models:
        raise BadRequest("model is invalid.")
    mode = body.get("mode")
    if mode is not None and mode not in ("std", "pro", "4k"):
        raise BadRequest("mode is invalid.")
    duration = body.get("duration", 5)
    if isinstance(duration, bool) or duration not in DURATIONS:
        raise BadRequest("duration is invalid.")
    _validate_texts(body)
    if action == "text2video" and not body.get("prompt"):
        raise BadRequest("prompt is required for text2video.")
    if action == "image2video":
        if not isinstance(body.get("start_image_url"), str) or not body["start_image_url"]:
            raise BadRequest("start_image_url is required for image2video.")
        if body.get("camera_control") is not None:
            raise BadRequest("camera_control is not supported for image2video.")
    if action != "image2video" and body.get("end_image_url") is not None:
        raise BadRequest(f"end_image_url is not supported for {action}.")
    if action == "extend":
        return model, mode, _extended_duration(body, model, mode, tasks)
    return model, mode, float(duration) + 0.041


def _validate_texts(body: dict[str, Any]) -> None:
    prompt = body.get("prompt")
    if prompt is not None and (not isinstance(prompt, str) or len(prompt) > PROMPT_MAX):
        raise BadRequest("prompt is invalid.")
    negative = body.get("negative_prompt")
    if negative is not None and (
        not isinstance(negative, str) or len(negative) > NEGATIVE_PROMPT_MAX
    ):
        raise BadRequest("negative_prompt is invalid.")
    callback_url = body.get("callback_url")
    if callback_url is not None and not (
        isinstance(callback_url, str) and callback_url.startswith(("http://", "https://"))
    ):
        raise BadRequest("callback_url is invalid.")


def _extended_duration(body: dict[str, Any], model: str, mode: str | None,
                       tasks: TaskTable) -> float:
    """An extend adds 5 s to a source video made by the same model (and mode)."""
    video_id = body.get("video_id")
    if not isinstance(video_id, str) or not video_id:
        raise BadRequest("video_id is required for extend.")
    source = tasks.by_video_id(video_id)
    if source is None:
        raise BadRequest("video_id is invalid.")
    if source.model != model:
        raise BadRequest("model must match the source video.")
    if mode is not None and source.mode is not None and mode != source.mode:
        raise BadRequest("mode must match the source video.")
    return source.duration + 5.0
