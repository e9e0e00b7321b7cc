"""Which model, mode and length a request runs on, decided here once.

Validation (`bot.kling.validation`) runs a request on what these functions decide; the server's
policy (`bot.policy`) reads the same decision to steer what the member left open off what the
server forbids; the duration list a member picks from is the list of the model decided here
(`bot.policy.planned_model`). The rule is the same everywhere: what the member chose is kept
and checked (an impossible choice is refused, naming what is possible); what they left open,
or what a server default filled (`VideoOptions.defaulted`), is never refused but falls back to
the nearest thing the model can do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kling.capabilities import CapabilityTable, ModelCapabilities
from bot.kling.invalid import InvalidOptions
from bot.kling.options import VideoOptions


@dataclass(frozen=True)
class Resolved:
    """What a request runs on: the model's capabilities, its mode (None on single-mode
    models) and the video's length in seconds."""

    caps: ModelCapabilities
    mode: str | None
    duration: int

    @property
    def model(self) -> str:
        """The model's wire name."""
        return self.caps.name


def chosen(options: VideoOptions, name: str) -> bool:
    """Whether the member chose the option `name` (model, mode or duration) themselves: set,
    and not filled by a server default."""
    return getattr(options, name) is not None and name not in options.defaulted


def can_take(caps: ModelCapabilities, options: VideoOptions) -> bool:
    """Whether a model can do what a request needs (omni lists, several shots): what a model
    taken for a member who picked none must be able to."""
    omni = bool(options.image_urls or options.reference_video)
    return (not omni or caps.omni) and (options.story is None or caps.multi_shot)


def suits(caps: ModelCapabilities, options: VideoOptions) -> bool:
    """`can_take`, and image to video where the request is one: what a model the bot picks
    instead of another must be able to."""
    return (options.action != "image2video" or caps.image2video) and can_take(caps, options)


def model_of(options: VideoOptions, table: CapabilityTable) -> ModelCapabilities | None:
    """The model a request runs on: the member's pick; else the server's default, unless it is
    gone from the table or cannot make an image video (then the table's default); else, when
    that cannot take an omni job or a story, the table's first model that can. None when the
    member named a model the table does not know."""
    caps = table.get(options.model or table.default_model)
    if "model" in options.defaulted and (
            caps is None or (options.action == "image2video" and not caps.image2video)):
        caps = table.get(table.default_model)
    if not chosen(options, "model") and (caps is None or not can_take(caps, options)):
        caps = next((c for c in table.models.values() if can_take(c, options)), caps)
    return caps


def resolve_model(options: VideoOptions, table: CapabilityTable) -> ModelCapabilities:
    """`model_of`, or the refusal of a model name the table does not know."""
    caps = model_of(options, table)
    if caps is None:
        raise InvalidOptions("invalid.unknown_model", {
            "model": options.model or table.default_model, "allowed": table.names()},
            option="model")
    return caps


def resolve_mode(options: VideoOptions, caps: ModelCapabilities, *,
                 explicit_mode: bool = True) -> str | None:
    """The mode: the member's, checked; the model's first where none was chosen or a default
    names one the model lacks; None on single-mode models. `explicit_mode` False: the mode
    came from a server default even if `defaulted` does not say so."""
    mode = options.mode
    explicit = explicit_mode and "mode" not in options.defaulted
    if not caps.modes:
        if mode is not None and explicit:
            raise InvalidOptions("invalid.mode_single", {"model": caps.name}, option="mode")
        return None
    if mode is None:
        return caps.default_mode
    if mode not in caps.modes:
        if not explicit:
            return caps.default_mode  # a server default this model lacks: not the member's fault
        raise InvalidOptions("invalid.mode", {"model": caps.name, "mode": mode,
                                              "allowed": list(caps.modes)}, option="mode")
    return mode


def natural_duration(options: VideoOptions, caps: ModelCapabilities) -> int:
    """The length of a request whose length the member did not choose: the sum of a story's
    shots where each gives its length; 5 s where an end frame, a loop or a short camera move
    needs it (checked by validation); else a server default's nearest length on the model (the
    shorter on a tie); else 5 s where the model makes it, its first length otherwise."""
    story_seconds = options.story.given_seconds if options.story else None
    if story_seconds is not None:
        return story_seconds
    five_only = bool(options.end_image_url or options.loop) or (
        bool(options.camera) and caps.camera_control == "text2video-5s")
    if five_only:
        return 5
    wanted = options.duration
    if wanted is None:
        return 5 if 5 in caps.durations else caps.durations[0]
    return min(caps.durations, key=lambda d: (abs(d - wanted), d))


def extend_duration(options: VideoOptions, caps: ModelCapabilities) -> int:
    """An Extend's length: one the table lists for the model's extends (5 by default), or
    Kling's own (about 5 s, not sent) where it lists none."""
    lengths = caps.extend_durations or (5,)
    wanted = options.duration
    if wanted is None or not caps.extend:  # a model that cannot extend is refused later
        return 5 if 5 in lengths else lengths[0]
    if wanted not in lengths:
        raise InvalidOptions("invalid.extend_duration", {
            "model": caps.name, "duration": wanted, "durations": list(lengths)},
            option="duration")
    return wanted


def offered_durations(caps: ModelCapabilities, *, end_frame: bool = False,
                      camera: bool = False) -> tuple[int, ...]:
    """The lengths a member may pick for `caps`, given what they chose so far: an end frame
    (or a loop) or a camera move on a model that needs 5 s for them leaves only 5."""
    five_only = (end_frame and caps.end_frame != "none" and not caps.end_frame_any_duration) \
        or (camera and caps.camera_control == "text2video-5s")
    if five_only and 5 in caps.durations:
        return (5,)
    return caps.durations


def resolve_duration(options: VideoOptions, caps: ModelCapabilities) -> int:
    """The length: an Extend's (`extend_duration`), the member's or the sum of their shots'
    (either checked against the model's lengths), or the natural one (`natural_duration`)."""
    if options.action == "extend":
        return extend_duration(options, caps)
    wanted = options.duration
    if wanted is None or not chosen(options, "duration"):
        wanted = options.story.given_seconds if options.story else None
        if wanted is None:
            return natural_duration(options, caps)
    if wanted not in caps.durations:
        if caps.duration_range is not None:
            low, high = caps.duration_range
            raise InvalidOptions("invalid.duration_range", {
                "model": caps.name, "duration": wanted, "min": low, "max": high},
                option="duration")
        raise InvalidOptions("invalid.duration", {
            "model": caps.name, "duration": wanted, "durations": list(caps.durations)},
            option="duration")
    return wanted


def resolve(options: VideoOptions, table: CapabilityTable, *,
            explicit_mode: bool = True) -> Resolved:
    """The model, mode and length `options` run on, or the `InvalidOptions` refusing what the
    member chose and the model cannot do."""
    caps = resolve_model(options, table)
    mode = resolve_mode(options, caps, explicit_mode=explicit_mode)
    return Resolved(caps, mode, resolve_duration(options, caps))
