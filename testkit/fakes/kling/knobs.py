"""The dials a test turns on the fake Kling, in one place: how tasks run and end, how callbacks
are sent, how slow and how big the answers are. Every part reads them at the moment it acts,
so a knob may be turned while the server runs. `FakeKling` spells each on itself
(``fake.latency = 0.2``); a new knob is a field here plus a `Forward` line there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from testkit.fakes.kling.wire import RISK_CONTROL_MESSAGE

DEFAULT_MODELS: frozenset[str] = frozenset(
    {
        "kling-v1",
        "kling-v1-6",
        "kling-v2-master",
        "kling-v2-1-master",
        "kling-v1-5",
        "kling-v2-5-turbo",
        "kling-v2-6",
        "kling-v3",
        "kling-v3-omni",
        "kling-v3-turbo",
        "kling-o1",
    }
)
"""Models the fake accepts unless a test changes ``fake.models`` (e.g. to drop one). The seed's
``kling-video-o1`` is not among them: the bot must send the table's wire name, ``kling-o1``."""

DEFAULT_FAILURE_MESSAGE = RISK_CONTROL_MESSAGE


@dataclass
class KlingKnobs:
    """See `FakeKling` for what each knob does."""

    processing_seconds: float = 0.3
    video_size: int = 64 * 1024
    latency: float = 0.0
    callback_timeout: float = 10.0
    auto_finish: bool = True
    never_finish: bool = False
    fail_tasks: bool = False
    failure_message: str = DEFAULT_FAILURE_MESSAGE
    callback_copies: int = 1
    callback_delay: float = 0.0
    suppress_callbacks: bool = False
    video_delay: float = 0.0
    models: set[str] = field(default_factory=lambda: set(DEFAULT_MODELS))
    video_base_url: str | None = None
    video_redirects: int = 0
    redirect_base_url: str | None = None
    video_file: Path | None = None
