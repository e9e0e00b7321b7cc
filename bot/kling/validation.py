"""Validation: the single gate between what a member asked for and the API.

`validate` decides the model, mode and length (`bot.kling.resolution`), refuses what the model
cannot do with a message that names the option and what is allowed, and returns the exact JSON
body the API will receive. Nothing is reserved or sent before it has passed.
"""

from __future__ import annotations

from typing import Any

from bot.errors import Notice
from bot.kling.camera import CAMERA_MOVES, camera_control
from bot.kling.capabilities import CapabilityTable, ModelCapabilities
from bot.kling.invalid import InvalidOptions
from bot.kling.multishot import story_body
from bot.kling.omni import cite_images
from bot.kling.options import (
    ASPECT_RATIOS,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    ValidatedRequest,
    VideoOptions,
)
from bot.kling.resolution import resolve


class _Checker:
    """One validation run over the options beyond model, mode and length (which
    `bot.kling.resolution` decided); small methods per option keep the rules readable."""

    def __init__(self, options: VideoOptions, table: CapabilityTable) -> None:
        self.o = options
        self.table = table
        self.notes: list[Notice] = []

    def fail(self, option: str, code: str, **params: object) -> InvalidOptions:
        return InvalidOptions(code, params, option=option)

    def unsupported(self, option: str, caps: ModelCapabilities, *, code: str,
                    extend_code: str) -> InvalidOptions:
        """`option` is taken neither by an Extend (`extend_code`) nor by this model (`code`)."""
        if self.o.action == "extend":
            return self.fail(option, extend_code)
        return self.fail(option, code, model=caps.name)

    def prompt(self) -> str:
        if self.o.story is not None:
            return self.o.story.text()  # each shot's prompt was checked when it was read
        prompt = (self.o.prompt or "").strip()
        if self.o.action == "text2video" and not prompt:
            raise self.fail("prompt", "invalid.prompt_missing")
        if len(prompt) > PROMPT_LIMIT:
            raise self.fail("prompt", "invalid.prompt_long", length=len(prompt),
                            limit=PROMPT_LIMIT)
        return prompt

    def tuning(self, caps: ModelCapabilities, body: dict[str, Any]) -> None:
        """negative_prompt and cfg_scale: not for extend or omni requests."""
        plain = self.o.action != "extend" and caps.tuning
        negative = (self.o.negative_prompt or "").strip()
        if negative:
            if not plain:
                raise self.unsupported("negative_prompt", caps,
                                       code="invalid.negative_unsupported",
                                       extend_code="invalid.negative_extend")
            if len(negative) > NEGATIVE_PROMPT_LIMIT:
                raise self.fail("negative_prompt", "invalid.negative_long",
                                length=len(negative), limit=NEGATIVE_PROMPT_LIMIT)
            body["negative_prompt"] = negative
        if self.o.cfg_scale is not None:
            if not plain:
                raise self.unsupported("cfg_scale", caps, code="invalid.cfg_unsupported",
                                       extend_code="invalid.cfg_extend")
            if not 0.0 <= self.o.cfg_scale <= 1.0:
                raise self.fail("cfg_scale", "invalid.cfg_range", value=self.o.cfg_scale)
            body["cfg_scale"] = self.o.cfg_scale

    def aspect_ratio(self, body: dict[str, Any]) -> None:
        ratio = self.o.aspect_ratio
        if ratio is None:
            if self.o.action == "text2video":
                body["aspect_ratio"] = "16:9"
            return
        if self.o.action != "text2video":
            raise self.fail("aspect_ratio", "invalid.aspect_ratio_image")
        if ratio not in ASPECT_RATIOS:
            raise self.fail("aspect_ratio", "invalid.aspect_ratio", value=ratio,
                            allowed=list(ASPECT_RATIOS))
        body["aspect_ratio"] = ratio

    def images(self, caps: ModelCapabilities, mode: str | None, duration: int,
               body: dict[str, Any]) -> None:
        o = self.o
        if o.action == "image2video":
            if not caps.image2video:
                able = [n for n, c in self.table.models.items() if c.image2video]
                raise self.fail("model", "invalid.image2video_unsupported", model=caps.name,
                                allowed=able)
            if not o.start_image_url:
                raise self.fail("image", "invalid.start_image_missing")
            body["start_image_url"] = o.start_image_url
        if o.loop:
            self.loop(caps, mode, duration)
        if o.end_image_url:
            if o.action != "image2video":
                raise self.fail("end_image", "invalid.end_image_text")
            if caps.end_frame == "none":
                able = [n for n, c in self.table.models.items() if c.end_frame != "none"]
                raise self.fail("end_image", "invalid.end_image_unsupported", model=caps.name,
                                allowed=able)
            if caps.end_frame == "pro" and mode != "pro":
                raise self.fail("end_image", "invalid.end_image_pro", model=caps.name)
            if duration != 5 and not caps.end_frame_any_duration:
                raise self.fail("duration", "invalid.end_image_duration")
            body["end_image_url"] = o.end_image_url
        if o.loop:
            body["end_image_url"] = o.start_image_url
        if o.image_urls or o.reference_video:
            self.omni_lists(caps, mode, body)

    def omni_lists(self, caps: ModelCapabilities, mode: str | None,
                   body: dict[str, Any]) -> None:
        """`image_list` and `video_list` (bot.kling.omni), and the prompt citing the images."""
        o = self.o
        omni = [n for n, c in self.table.models.items() if c.omni]
        if not caps.omni:
            raise self.fail("images", "invalid.omni_only", allowed=omni)
        count = len(o.image_urls)
        if o.reference_video is not None and count > caps.omni_max_images_with_video:
            raise self.fail("images", "invalid.omni_images_with_video", count=count,
                            limit=caps.omni_max_images_with_video)
        if not 1 <= count <= caps.omni_max_images:
            raise self.fail("images", "invalid.omni_images", count=count,
                            limit=caps.omni_max_images)
        if mode == "4k":
            raise self.fail("mode", "invalid.omni_4k", model=caps.name)
        prompt, note = cite_images(str(body.get("prompt", "")), count)
        if len(prompt) > PROMPT_LIMIT:
            raise self.fail("prompt", "invalid.prompt_long", length=len(prompt),
                            limit=PROMPT_LIMIT)
        body["prompt"] = prompt
        if note is not None:
            self.notes.append(note)
        body["image_list"] = [{"image_url": url} for url in o.image_urls]
        if o.reference_video is not None:
            body["video_list"] = [o.reference_video.item()]

    def story(self, caps: ModelCapabilities, duration: int, body: dict[str, Any]) -> None:
        """A multi-shot story (bot.kling.multishot), on models that cut shots."""
        if self.o.story is None:
            return
        if not caps.multi_shot:
            able = [n for n, c in self.table.models.items() if c.multi_shot]
            raise self.fail("model", "invalid.story_unsupported", model=caps.name,
                            allowed=able)
        fields, note = story_body(self.o.story, duration)
        body.pop("prompt", None)  # the shots carry the prompts
        body.update(fields)
        if note is not None:
            self.notes.append(note)

    def loop(self, caps: ModelCapabilities, mode: str | None, duration: int) -> None:
        """A loop ends on its start image: image to video, on a model with end frames (in pro
        mode where the model asks it, 5 s where its end frames need it), without an end image
        of its own."""
        o = self.o
        if o.action != "image2video":
            raise self.fail("loop", "invalid.loop_image")
        if o.end_image_url:
            raise self.fail("loop", "invalid.loop_end_image")
        if caps.end_frame == "none":
            able = [n for n, c in self.table.models.items() if c.end_frame != "none"]
            raise self.fail("loop", "invalid.loop_unsupported", model=caps.name, allowed=able)
        if caps.end_frame == "pro" and mode != "pro":
            raise self.fail("loop", "invalid.loop_pro", model=caps.name)
        if duration != 5 and not caps.end_frame_any_duration:
            raise self.fail("duration", "invalid.loop_duration")

    def camera(self, caps: ModelCapabilities, mode: str | None, duration: int,
               body: dict[str, Any]) -> None:
        move = self.o.camera
        if not move:
            return
        if move not in CAMERA_MOVES:
            raise self.fail("camera", "invalid.camera_unknown", value=move,
                            allowed=list(CAMERA_MOVES))
        if self.o.action != "text2video":
            raise self.fail("camera", "invalid.camera_image")
        if caps.camera_control == "none":
            able = [n for n, c in self.table.models.items() if c.camera_control != "none"]
            raise self.fail("camera", "invalid.camera_unsupported", model=caps.name,
                            allowed=able)
        if caps.camera_control == "text2video-5s" and duration != 5:
            raise self.fail("camera", "invalid.camera_duration", model=caps.name)
        if mode == "4k":
            raise self.fail("camera", "invalid.camera_4k", model=caps.name)
        body["camera_control"] = camera_control(move)

    def audio(self, caps: ModelCapabilities, mode: str | None, body: dict[str, Any]) -> None:
        """`generate_audio`, sent only where the model takes it; omitted means off, except on
        models that always make sound."""
        wanted = self.o.audio
        if self.o.action == "extend":  # an extend keeps the source's sound
            return
        if self.o.reference_video is not None and caps.audio != "none":
            # Kling: no sound of its own beside a reference video (keep_sound keeps the video's).
            if wanted:
                raise self.fail("audio", "invalid.omni_video_audio", model=caps.name)
            body["generate_audio"] = False
            return
        if caps.audio == "always":
            if wanted is False:
                raise self.fail("audio", "invalid.audio_always", model=caps.name)
            body["generate_audio"] = True
            return
        if wanted is None:
            return
        if not wanted:
            if caps.audio != "none":
                body["generate_audio"] = False
            return
        if caps.audio == "none":
            able = [n for n, c in self.table.models.items() if c.audio != "none"]
            raise self.fail("audio", "invalid.audio_unsupported", model=caps.name,
                            allowed=able)
        if caps.audio == "pro" and mode != "pro":
            raise self.fail("audio", "invalid.audio_pro", model=caps.name)
        body["generate_audio"] = True

    def extend(self, caps: ModelCapabilities, body: dict[str, Any], duration: int) -> None:
        if self.o.action != "extend":
            return
        if not caps.extend:
            raise self.fail("model", "invalid.extend_unsupported", model=caps.name,
                            allowed=self.table.extendable())
        if not self.o.video_id:
            raise self.fail("video_id", "invalid.extend_missing_video")
        body["video_id"] = self.o.video_id
        if caps.extend_durations:
            body["duration"] = duration


def validate(options: VideoOptions, table: CapabilityTable, *,
             explicit_mode: bool = True) -> ValidatedRequest:
    """Check `options` against `table` and build the API body; raise `InvalidOptions`.

    `explicit_mode` is False when the mode came from a server default rather than the user, so
    a default that a model lacks falls back quietly instead of blaming the user; the same holds
    for every option named in `options.defaulted` (model, mode, duration): a removed default
    model becomes the table's default model, a duration the nearest one the model makes.
    """
    resolved = resolve(options, table, explicit_mode=explicit_mode)
    caps, mode, duration = resolved.caps, resolved.mode, resolved.duration
    check = _Checker(options, table)
    prompt = check.prompt()
    body: dict[str, Any] = {"action": options.action, "model": caps.name}
    if mode is not None:
        body["mode"] = mode
    if prompt:
        body["prompt"] = prompt
    check.tuning(caps, body)
    check.aspect_ratio(body)
    check.images(caps, mode, duration, body)
    check.story(caps, duration, body)
    check.camera(caps, mode, duration, body)
    check.audio(caps, mode, body)
    check.extend(caps, body, duration)
    if options.action != "extend":
        body["duration"] = duration
    return ValidatedRequest(action=options.action, model=caps.name, mode=mode,
                            duration=duration, prompt=str(body.get("prompt", prompt)),
                            body=body, audio=body.get("generate_audio") is True,
                            notes=tuple(check.notes))
