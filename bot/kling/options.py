"""Video options: what a user asked for, checked against the capability table.

`validate` is the single gate between user input and the API. It fills defaults, refuses what a
model cannot do with a message that names the option and what is allowed, and returns the exact
JSON body the API will receive. Nothing is reserved or sent before it has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.errors import Notice
from bot.kling.capabilities import CapabilityTable, ModelCapabilities
from bot.kling.invalid import InvalidOptions
from bot.kling.multishot import Story, story_body
from bot.kling.omni import ReferenceVideo, cite_images

Action = Literal["text2video", "image2video", "extend"]

PROMPT_LIMIT = 2500
NEGATIVE_PROMPT_LIMIT = 200
# Kling extends only videos it made less than 30 days ago.
EXTEND_MAX_AGE_DAYS = 30
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
CAMERA_PRESETS = ("down_back", "forward_up", "left_turn_forward", "right_turn_forward")
# Simple moves: one axis, one direction. Names are what a user picks from a list.
CAMERA_SIMPLE: dict[str, tuple[str, float]] = {
    "pan_left": ("pan", -1.0),
    "pan_right": ("pan", 1.0),
    "tilt_up": ("tilt", 1.0),
    "tilt_down": ("tilt", -1.0),
    "zoom_in": ("zoom", 1.0),
    "zoom_out": ("zoom", -1.0),
    "move_left": ("horizontal", -1.0),
    "move_right": ("horizontal", 1.0),
    "move_up": ("vertical", 1.0),
    "move_down": ("vertical", -1.0),
    "roll_left": ("roll", -1.0),
    "roll_right": ("roll", 1.0),
}
CAMERA_MOVES = (*CAMERA_PRESETS, *CAMERA_SIMPLE)
__all__ = ["InvalidOptions", "ValidatedRequest", "VideoOptions", "validate"]


@dataclass(frozen=True)
class VideoOptions:
    """What the user asked for; `None` means "use the default"."""

    action: Action
    model: str | None = None
    mode: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = None
    aspect_ratio: str | None = None
    duration: int | None = None
    start_image_url: str | None = None
    end_image_url: str | None = None
    camera: str | None = None
    video_id: str | None = None
    image_urls: tuple[str, ...] = ()
    # Native sound (`generate_audio`); None: the model's own default.
    audio: bool | None = None
    # Image to video: the start image is also the end frame (a video that loops).
    loop: bool = False
    # Omni: the reference video (`video_list`); multi-shot: the member's story
    # (bot.kling.multishot).
    reference_video: ReferenceVideo | None = None
    story: Story | None = None
    # Which of model/mode/duration a server default filled in: the member did not choose them,
    # so `validate` never refuses them but falls back to the nearest value the model has.
    defaulted: frozenset[str] = frozenset()

    def with_defaults(self, model: str | None, mode: str | None, duration: int | None
                      ) -> VideoOptions:
        """Fill unset model/mode/duration from a server's defaults, remembering which."""
        filled = {name for name, mine, default in (("model", self.model, model),
                                                   ("mode", self.mode, mode),
                                                   ("duration", self.duration, duration))
                  if mine is None and default is not None}
        return replace(
            self,
            model=self.model or model,
            mode=self.mode or mode,
            duration=self.duration or duration,
            defaulted=self.defaulted | filled,
        )


@dataclass(frozen=True)
class ValidatedRequest:
    """A request the API should accept: the body to send and the facts the bot bills on."""

    action: Action
    model: str
    mode: str | None
    duration: int
    prompt: str
    body: dict[str, Any] = field(hash=False)
    # Whether the video has sound (asked for, or always on for the model): it is billed.
    audio: bool = False
    # What the bot did on the member's behalf, for the card (cited images, filled lengths).
    notes: tuple[Notice, ...] = ()


def _camera_control(move: str) -> dict[str, Any]:
    if move in CAMERA_PRESETS:
        return {"type": move}
    axis, value = CAMERA_SIMPLE[move]
    config = dict.fromkeys(("horizontal", "vertical", "pan", "tilt", "roll", "zoom"), 0.0)
    config[axis] = value
    return {"type": "simple", "config": config}


def model_can(caps: ModelCapabilities, options: VideoOptions) -> bool:
    """Whether a model can do what a request needs (omni lists, several shots): what a model
    taken for a member who picked none must be able to (here, and in the server's policy)."""
    omni = bool(options.image_urls or options.reference_video)
    return (not omni or caps.omni) and (options.story is None or caps.multi_shot)


class _Checker:
    """One validation run; small methods per option keep the rules readable."""

    def __init__(self, options: VideoOptions, table: CapabilityTable,
                 explicit_mode: bool) -> None:
        self.o = options
        self.table = table
        self.explicit_mode = explicit_mode and "mode" not in options.defaulted
        self.notes: list[Notice] = []

    def fail(self, option: str, code: str, **params: object) -> InvalidOptions:
        return InvalidOptions(code, params, option=option)

    def unsupported(self, option: str, caps: ModelCapabilities, *, code: str,
                    extend_code: str) -> InvalidOptions:
        """`option` is taken neither by an Extend (`extend_code`) nor by this model (`code`)."""
        if self.o.action == "extend":
            return self.fail(option, extend_code)
        return self.fail(option, code, model=caps.name)

    def can(self, caps: ModelCapabilities) -> bool:
        """Whether a model can do what this request needs (omni lists, several shots)."""
        return model_can(caps, self.o)

    def model(self) -> ModelCapabilities:
        name = self.o.model or self.table.default_model
        caps = self.table.get(name)
        if "model" in self.o.defaulted and (
                caps is None or (self.o.action == "image2video" and not caps.image2video)):
            # The server's default is gone from the table (or cannot do this): the bot's own.
            caps = self.table.get(self.table.default_model)
        if (self.o.model is None or "model" in self.o.defaulted) and (
                caps is None or not self.can(caps)):
            # No model chosen by the member, and the default cannot do an omni job or a
            # story: the first model in the table that can.
            caps = next((c for c in self.table.models.values() if self.can(c)), caps)
        if caps is None:
            raise self.fail("model", "invalid.unknown_model", model=name,
                            allowed=self.table.names())
        return caps

    def mode(self, caps: ModelCapabilities) -> str | None:
        mode = self.o.mode
        if not caps.modes:
            if mode is not None and self.explicit_mode:
                raise self.fail("mode", "invalid.mode_single", model=caps.name)
            return None
        if mode is None:
            return caps.default_mode
        if mode not in caps.modes:
            if not self.explicit_mode:
                # A server default that this model lacks is not the user's mistake.
                return caps.default_mode
            raise self.fail("mode", "invalid.mode", model=caps.name, mode=mode,
                            allowed=list(caps.modes))
        return mode

    def duration(self, caps: ModelCapabilities) -> int:
        wanted = self.o.duration
        if self.o.action == "extend":
            return self.extend_duration(caps, wanted)
        story_seconds = self.o.story.given_seconds if self.o.story else None
        if story_seconds is not None and (wanted is None or "duration" in self.o.defaulted):
            wanted = story_seconds  # every shot's length given: the video is their sum
        elif wanted is None or "duration" in self.o.defaulted:
            five_only = bool(self.o.end_image_url or self.o.loop) or (
                bool(self.o.camera) and caps.camera_control == "text2video-5s")
            if five_only:
                return 5  # what an end frame or a short camera move needs (checked below)
            if wanted is None:
                return 5 if 5 in caps.durations else caps.durations[0]
            # A server default this model lacks: the nearest length it makes, the shorter on a tie.
            return min(caps.durations, key=lambda d: (abs(d - wanted), d))
        if wanted not in caps.durations:
            if caps.duration_range is not None:
                low, high = caps.duration_range
                raise self.fail("duration", "invalid.duration_range", model=caps.name,
                                duration=wanted, min=low, max=high)
            raise self.fail("duration", "invalid.duration", model=caps.name, duration=wanted,
                            durations=list(caps.durations))
        return wanted

    def extend_duration(self, caps: ModelCapabilities, wanted: int | None) -> int:
        """An Extend's length: one the table lists for the model's extends (5 by default), or
        Kling's own (about 5 s, not sent) where it lists none."""
        lengths = caps.extend_durations or (5,)
        if wanted is None or not caps.extend:  # a model that cannot extend is refused later
            return 5 if 5 in lengths else lengths[0]
        if wanted not in lengths:
            raise self.fail("duration", "invalid.extend_duration", model=caps.name,
                            duration=wanted, durations=list(lengths))
        return wanted

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
        body["camera_control"] = _camera_control(move)

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
    check = _Checker(options, table, explicit_mode)
    caps = check.model()
    mode = check.mode(caps)
    duration = check.duration(caps)
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
