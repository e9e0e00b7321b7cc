"""Camera moves: the names a member picks from, and the `camera_control` body Kling takes for
each. Which model takes a move, and at which length, is validation's (`bot.kling.validation`)."""

from __future__ import annotations

from typing import Any

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


def camera_control(move: str) -> dict[str, Any]:
    """Kling's `camera_control` for one of `CAMERA_MOVES`: a preset by its type, a simple move
    as one axis set in a config of six."""
    if move in CAMERA_PRESETS:
        return {"type": move}
    axis, value = CAMERA_SIMPLE[move]
    config = dict.fromkeys(("horizontal", "vertical", "pan", "tilt", "roll", "zoom"), 0.0)
    config[axis] = value
    return {"type": "simple", "config": config}
