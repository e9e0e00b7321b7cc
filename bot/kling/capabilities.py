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
CameraRule = Literal["none", "text2video", "text2video-5s"]


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

    @property
    def default_mode(self) -> str | None:
        return self.modes[0] if self.modes else None


@dataclass(frozen=True)
class CapabilityTable:
    models: dict[str, ModelCapabilities]
    default_model: str

    def get(self, name: str) -> ModelCapabilities | None:
        return self.models.get(name)

    def names(self) -> list[str]:
        return list(self.models)

    def extendable(self) -> list[str]:
        return [name for name, caps in self.models.items() if caps.extend]


def _parse_model(name: str, raw: dict[str, Any]) -> ModelCapabilities:
    return ModelCapabilities(
        name=name,
        label=str(raw.get("label", name)),
        modes=tuple(str(m) for m in raw.get("modes", [])),
        durations=tuple(int(d) for d in raw.get("durations", [5, 10])),
        image2video=bool(raw.get("image2video", True)),
        end_frame=raw.get("end_frame", "none"),
        camera_control=raw.get("camera_control", "none"),
        extend=bool(raw.get("extend", False)),
        omni=bool(raw.get("omni", False)),
    )


def parse_table(document: dict[str, Any]) -> CapabilityTable:
    models = {name: _parse_model(name, raw) for name, raw in document["models"].items()}
    default = str(document.get("default_model", next(iter(models))))
    if default not in models:
        raise ValueError(f"default_model {default!r} is not in the models table")
    return CapabilityTable(models=models, default_model=default)


def load_capabilities(path: Path | None = None) -> CapabilityTable:
    """The operator's table when `path` is given, else the one shipped with the bot."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("bot.kling").joinpath("models.json").read_text(encoding="utf-8")
    return parse_table(json.loads(text))
