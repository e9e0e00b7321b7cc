"""What the platform checks in a create request before it makes a task: action, model, mode,
duration, prompt lengths, URLs, each model's rules (end frame, camera, audio, 4k, omni lists
and the images a prompt cites, multi-shot stories),
and for an extend, that the source video exists and matches. A failure is answered as 400
``bad_request`` with the platform's plain message.

The per-model rules are the platform's as `kling-api.md` gives them, written here on their own
(not read from the bot's table) so a test can check that the two agree."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from testkit.fakes.kling.tasks import TaskTable

ACTIONS = ("text2video", "image2video", "extend")
DURATIONS = (5, 10)
RANGE_3_15 = tuple(range(3, 16))
PROMPT_MAX = 2500
NEGATIVE_PROMPT_MAX = 200
# An extend takes `duration` 5 or 10; a 10 s extend has been seen to come back as 9.6 s.
EXTEND_ADDS = {5: 5.0, 10: 9.6}
# The platform extends only videos it made less than 30 days ago.
EXTEND_MAX_AGE_SECONDS = 30 * 86400


@dataclass(frozen=True)
class ModelRules:
    """What the platform accepts from one model. ``end_frame``: none, any, pro, 5s;
    ``camera``: none, text2video, text2video-5s, no-4k; ``audio``: none, optional, pro, always."""

    modes: tuple[str, ...] = ("std", "pro")
    durations: tuple[int, ...] = DURATIONS
    end_frame: str = "any"
    end_frame_any_length: bool = False
    camera: str = "none"
    audio: str = "none"
    tuning: bool = True
    max_images: int = 0
    max_images_with_video: int = 4
    multi_shot: bool = False


MODEL_RULES: dict[str, ModelRules] = {
    "kling-v1": ModelRules(end_frame="5s", camera="text2video-5s"),
    "kling-v1-5": ModelRules(end_frame="pro"),
    "kling-v1-6": ModelRules(end_frame="pro"),
    "kling-v2-master": ModelRules(modes=(), end_frame="none"),
    "kling-v2-1-master": ModelRules(modes=(), end_frame="none"),
    "kling-v2-5-turbo": ModelRules(end_frame="pro"),
    "kling-v2-6": ModelRules(end_frame="pro", audio="pro"),
    "kling-v3": ModelRules(modes=("std", "pro", "4k"), durations=RANGE_3_15,
                           end_frame_any_length=True, camera="no-4k", audio="optional",
                           multi_shot=True),
    "kling-v3-omni": ModelRules(modes=("std", "pro", "4k"), durations=RANGE_3_15,
                                end_frame_any_length=True, audio="optional", tuning=False,
                                max_images=7, multi_shot=True),
    "kling-v3-turbo": ModelRules(durations=RANGE_3_15, end_frame="none", audio="always",
                                 tuning=False),
    "kling-o1": ModelRules(durations=(5,), tuning=False, max_images=7),
}
"""Models a test adds to ``fake.models`` without rules here are checked as `ModelRules()`."""


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
    rules = MODEL_RULES.get(model, ModelRules())
    mode = body.get("mode")
    if mode is not None and mode not in ("std", "pro", "4k"):
        raise BadRequest("mode is invalid.")
    if mode is not None and action != "extend" and mode not in rules.modes:
        raise BadRequest(f"mode {mode} is not supported for {model}.")
    duration = body.get("duration", 5)
    allowed = tuple(EXTEND_ADDS) if action == "extend" else rules.durations
    if isinstance(duration, bool) or duration not in allowed:
        raise BadRequest("duration is invalid.")
    _validate_texts(body)
    if action != "extend":
        _validate_model_rules(body, model, rules, action)
    # A customised multi-shot story carries its prompts in multi_prompt instead.
    if action == "text2video" and not body.get("prompt") and body.get("shot_type") != "customize":
        raise BadRequest("prompt is required for text2video.")
    if action == "image2video":
        if not isinstance(body.get("start_image_url"), str) or not body["start_image_url"]:
            raise BadRequest("start_image_url is required for image2video.")
        if body.get("camera_control") is not None:
            raise BadRequest("camera_control is not supported for image2video.")
    if action != "image2video" and body.get("end_image_url") is not None:
        raise BadRequest(f"end_image_url is not supported for {action}.")
    if action == "extend":
        return model, mode, _extended_duration(body, model, mode, tasks, duration)
    return model, mode, float(duration) + 0.041


def _validate_model_rules(body: dict[str, Any], model: str, rules: ModelRules,
                          action: str) -> None:
    """What one model takes: end frame, camera, sound, 4k, tuning and omni lists."""
    mode = body.get("mode") or (rules.modes[0] if rules.modes else None)
    duration = body.get("duration", 5)
    if body.get("end_image_url") is not None and action == "image2video":
        if rules.end_frame == "none":
            raise BadRequest(f"end_image_url is not supported for {model}.")
        if rules.end_frame == "pro" and mode != "pro":
            raise BadRequest(f"end_image_url requires mode pro for {model}.")
        if not rules.end_frame_any_length and duration != 5:
            raise BadRequest("duration must be 5 with end_image_url.")
    if body.get("camera_control") is not None and action == "text2video":
        if rules.camera == "none":
            raise BadRequest(f"camera_control is not supported for {model}.")
        if rules.camera == "text2video-5s" and duration != 5:
            raise BadRequest("duration must be 5 with camera_control.")
        if mode == "4k":
            raise BadRequest("camera_control is not supported in 4k mode.")
    _validate_audio(body, model, rules, mode)
    if not rules.tuning:
        for name in ("negative_prompt", "cfg_scale"):
            if body.get(name) is not None:
                raise BadRequest(f"{name} is not supported for {model}.")
    _validate_omni_lists(body, model, rules, mode)
    _validate_citations(body)
    _validate_multi_shot(body, model, rules, duration)


IMAGE_TYPES = ("first_frame", "end_frame")
REFER_TYPES = ("base", "feature")


def _validate_omni_lists(body: dict[str, Any], model: str, rules: ModelRules,
                         mode: str | None) -> None:
    """``image_list`` (1-7 items, at most 4 beside a video) and ``video_list`` (exactly one):
    omni models only, never in 4k; a ``base`` video takes no first/end frames, and no sound."""
    images, videos = body.get("image_list"), body.get("video_list")
    for name, given in (("image_list", images), ("video_list", videos)):
        if given is None:
            continue
        if not rules.max_images:
            raise BadRequest(f"{name} is not supported for {model}.")
        if mode == "4k":
            raise BadRequest(f"{name} is not supported in 4k mode.")
    if videos is not None:
        if not (isinstance(videos, list) and len(videos) == 1 and isinstance(videos[0], dict)
                and isinstance(videos[0].get("video_url"), str)
                and videos[0].get("refer_type") in REFER_TYPES
                and videos[0].get("keep_original_sound") in ("yes", "no")):
            raise BadRequest("video_list is invalid.")
        if body.get("generate_audio") is True:
            raise BadRequest("generate_audio must be false with video_list.")
    if images is not None:
        limit = rules.max_images_with_video if videos else rules.max_images
        if not (isinstance(images, list) and 1 <= len(images) <= limit and all(
                isinstance(item, dict) and isinstance(item.get("image_url"), str)
                and item.get("type", "first_frame") in IMAGE_TYPES for item in images)):
            raise BadRequest("image_list is invalid.")
        if videos and videos[0]["refer_type"] == "base" and any("type" in i for i in images):
            raise BadRequest("a base video cannot be combined with first or end frames.")


CITATION = re.compile(r"<<<image_(\d+)>>>")
SHOT_TYPES = ("intelligence", "customize")
MAX_SHOTS = 6
SHOT_PROMPT_MAX = 512


def _validate_citations(body: dict[str, Any]) -> None:
    """A prompt may cite only the images of ``image_list`` (``<<<image_1>>>`` is the first)."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        return
    images = body.get("image_list")
    count = len(images) if isinstance(images, list) else 0
    for match in CITATION.finditer(prompt):
        if not 1 <= int(match[1]) <= count:
            raise BadRequest(f"prompt refers to {match[0]} but image_list has {count} "
                             "images.")


def _validate_multi_shot(body: dict[str, Any], model: str, rules: ModelRules,
                         duration: Any) -> None:
    """``multi_shot`` (v3 family): ``intelligence`` with one prompt, or ``customize`` with a
    ``multi_prompt`` of 1-6 shots ``{index, prompt (<= 512), duration (>= 1)}`` in order,
    whose durations sum to ``duration``."""
    shots = body.get("multi_prompt")
    shot_type = body.get("shot_type")
    if body.get("multi_shot") is None or body.get("multi_shot") is False:
        if shots is not None or shot_type is not None:
            raise BadRequest("multi_prompt and shot_type need multi_shot.")
        return
    if body["multi_shot"] is not True:
        raise BadRequest("multi_shot is invalid.")
    if not rules.multi_shot:
        raise BadRequest(f"multi_shot is not supported for {model}.")
    if shot_type not in SHOT_TYPES:
        raise BadRequest("shot_type is invalid.")
    if shot_type == "intelligence":
        if shots is not None:
            raise BadRequest("multi_prompt is only for shot_type customize.")
        if not body.get("prompt"):
            raise BadRequest("prompt is required for shot_type intelligence.")
        return
    if not isinstance(shots, list) or not 1 <= len(shots) <= MAX_SHOTS:
        raise BadRequest(f"multi_prompt must have 1 to {MAX_SHOTS} items.")
    for number, shot in enumerate(shots, 1):
        if not (isinstance(shot, dict) and shot.get("index") == number
                and isinstance(shot.get("prompt"), str) and shot["prompt"].strip()
                and len(shot["prompt"]) <= SHOT_PROMPT_MAX
                and isinstance(shot.get("duration"), int)
                and not isinstance(shot["duration"], bool) and shot["duration"] >= 1):
            raise BadRequest(f"multi_prompt item {number} is invalid.")
    if sum(shot["duration"] for shot in shots) != duration:
        raise BadRequest("the durations of multi_prompt must add up to duration.")


def _validate_audio(body: dict[str, Any], model: str, rules: ModelRules,
                    mode: str | None) -> None:
    if "generate_audio" not in body:
        return
    audio = body["generate_audio"]
    if not isinstance(audio, bool):
        raise BadRequest("generate_audio is invalid.")
    if rules.audio == "none":
        raise BadRequest(f"generate_audio is not supported for {model}.")
    if rules.audio == "always" and not audio:
        raise BadRequest(f"generate_audio cannot be false for {model}.")
    if rules.audio == "pro" and audio and mode != "pro":
        raise BadRequest(f"generate_audio requires mode pro for {model}.")


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
                       tasks: TaskTable, duration: int) -> float:
    """An extend adds `duration` (5 or 10; 10 comes back as 9.6) to a source video made by the
    same model (and mode) less than 30 days ago."""
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
    if time.time() - (source.finished_at or source.created_at) > EXTEND_MAX_AGE_SECONDS:
        raise BadRequest("video_id is expired: only videos from the last 30 days can be "
                         "extended.")
    return source.duration + EXTEND_ADDS[duration]
