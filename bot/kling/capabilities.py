"""The capability table: which model accepts which options.

It is data (`models.json`, or the operator's copy named by `KLING_MODELS_FILE`) so a new model
needs no code change. Validation reads it; so do the slash-command choices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

EndFrameRule = Literal["none", "any", "5s", "pro"]
CameraRule = Literal["none", "text2video", "text2video-5s", "text2video-no-4k"]
AudioRule = Literal["none", "optional", "pro", "always"]
END_FRAME_RULES = ("none", "any", "5s", "pro")
CAMERA_RULES = ("none", "text2video", "text2video-5s", "text2video-no-4k")
AUDIO_RULES = ("none", "optional", "pro", "always")


@dataclass(frozen=True)
class ModelCapabilities:
    """What one model accepts. `modes` is empty for single-mode ("master") models."""

    name: str
    label: str
    modes: tuple[str, ...]
    durations: tuple[int, ...]
    image2video: bool
    end_frame: EndFrameRule
    camera_control: CameraRule
    extend: bool
    omni: bool = False
    # Every integer from min to max when the table gives a range rather than a list.
    duration_range: tuple[int, int] | None = None
    end_frame_any_duration: bool = False  # else an end frame needs a 5-second video
    audio: AudioRule = "none"
    tuning: bool = True  # negative_prompt and cfg_scale
    omni_max_images: int = 0
    omni_max_images_with_video: int = 0
    aliases: tuple[str, ...] = ()
    # The lengths an Extend may ask for (`duration`); empty: Kling's own (about 5 s), not sent.
    extend_durations: tuple[int, ...] = ()
    multi_shot: bool = False  # stories: `multi_shot` with several prompts (bot.kling.multishot)

    @property
    def default_mode(self) -> str | None:
        """The mode used when neither the member nor the server chose one (the table lists it
        first); None on single-mode models."""
        return self.modes[0] if self.modes else None


@dataclass(frozen=True)
class CapabilityTable:
    """The models Kling offers and what each accepts, read from the capability table; the one
    place the bot learns what a model can do."""

    models: dict[str, ModelCapabilities]
    default_model: str

    def get(self, name: str) -> ModelCapabilities | None:
        """The model called `name`, by its wire name or one of its aliases."""
        caps = self.models.get(name)
        if caps is not None:
            return caps
        return next((c for c in self.models.values() if name in c.aliases), None)

    def resolve(self, name: str) -> str | None:
        """The wire name for `name` (itself or an alias), or None if no model has it."""
        caps = self.get(name)
        return caps.name if caps is not None else None

    def names(self) -> list[str]:
        """The models' wire names, in the table's order (aliases left out)."""
        return list(self.models)

    def extendable(self) -> list[str]:
        """The models that can extend a video, by wire name."""
        return [name for name, caps in self.models.items() if caps.extend]


def _durations(name: str, raw: Any) -> tuple[tuple[int, ...], tuple[int, int] | None]:
    """A list of seconds, or a range `{"min": a, "max": b}` of every integer in between."""
    if isinstance(raw, dict):
        low, high = int(raw["min"]), int(raw["max"])
        if not 1 <= low <= high:
            raise ValueError(f"model {name!r}: duration range {low}-{high} is empty")
        return tuple(range(low, high + 1)), (low, high)
    durations = tuple(int(d) for d in raw)
    if not durations:
        raise ValueError(f"model {name!r} has no durations")
    return durations, None


def _extend(name: str, raw: Any) -> tuple[bool, tuple[int, ...]]:
    """`extend`: false, true (Kling's own length, no `duration` sent), or
    `{"durations": [5, 10]}` (the lengths an Extend may ask for)."""
    if isinstance(raw, dict):
        durations = tuple(int(d) for d in raw.get("durations", []))
        if not durations:
            raise ValueError(f"model {name!r}: extend lists no durations")
        return True, durations
    return bool(raw), ()


def _rule(name: str, field: str, value: Any, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        raise ValueError(f"model {name!r}: {field} {value!r} is not one of {allowed}")
    return value


def _parse_model(name: str, raw: dict[str, Any]) -> ModelCapabilities:
    durations, duration_range = _durations(name, raw.get("durations", [5, 10]))
    omni = raw.get("omni", False)
    limits = omni if isinstance(omni, dict) else {}
    max_images = int(limits.get("max_images", 7)) if omni else 0
    extend, extend_durations = _extend(name, raw.get("extend", False))
    return ModelCapabilities(
        name=name,
        label=str(raw.get("label", name)),
        modes=tuple(str(m) for m in raw.get("modes", [])),
        durations=durations,
        duration_range=duration_range,
        image2video=bool(raw.get("image2video", True)),
        end_frame=_rule(name, "end_frame", raw.get("end_frame", "none"), END_FRAME_RULES),
        end_frame_any_duration=bool(raw.get("end_frame_any_duration", False)),
        camera_control=_rule(name, "camera_control", raw.get("camera_control", "none"),
                             CAMERA_RULES),
        audio=_rule(name, "audio", raw.get("audio", "none"), AUDIO_RULES),
        tuning=bool(raw.get("tuning", not omni)),
        extend=extend,
        extend_durations=extend_durations,
        omni=bool(omni),
        omni_max_images=max_images,
        omni_max_images_with_video=int(limits.get("max_images_with_video", max_images))
        if omni else 0,
        aliases=tuple(str(a) for a in raw.get("aliases", [])),
        multi_shot=bool(raw.get("multi_shot", False)),
    )


def parse_table(document: dict[str, Any]) -> CapabilityTable:
    """Check and read a capability table document; raises ValueError on a name used twice or an
    unknown default model, so a bad table stops the bot at start-up."""
    models = {name: _parse_model(name, raw) for name, raw in document["models"].items()}
    names = [name for caps in models.values() for name in (caps.name, *caps.aliases)]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise ValueError(f"model names used twice (as a model or an alias): {doubled}")
    table = CapabilityTable(models=models, default_model="")
    default = table.resolve(str(document.get("default_model", next(iter(models)))))
    if default is None:
        raise ValueError(f"default_model {document.get('default_model')!r} is not in the "
                         "models table")
    return CapabilityTable(models=models, default_model=default)


def load_capabilities(path: Path | None = None) -> CapabilityTable:
    """The operator's table when `path` is given, else the one shipped with the bot."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("bot.kling").joinpath("models.json").read_text(encoding="utf-8")
    return parse_table(json.loads(text))
