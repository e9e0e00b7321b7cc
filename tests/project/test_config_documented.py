"""Each setting's default is written once, in `bot.config.Settings`, and the operator's two
guides agree with it: `.env.example` and the README's settings table list every variable the
bot reads, and a default they show is the one the bot uses (setting a variable to the value
shown changes nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k"}
# Shown as examples of what to write, not as defaults (the default is none, or computed).
EXAMPLES_ONLY = {"PUBLIC_BASE_URL", "INSTANCE_ID"}


class Recording(dict[str, str]):
    """An environment that notes every variable asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)


def read_variables() -> set[str]:
    env = Recording(dict(REQUIRED))
    load_settings(env)
    return env.asked


def example_values() -> dict[str, str]:
    """`.env.example`'s variables, set or commented out (`#NAME=value`), with their values."""
    pattern = re.compile(r"^#?([A-Z][A-Z0-9_]+)=(.*)$")
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return {m[1]: m[2].strip() for line in text.splitlines() if (m := pattern.match(line))}


def readme_defaults() -> dict[str, str]:
    """The README's settings table: each variable and its default cell."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {m[1]: m[2].strip() for m in re.finditer(r"^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|",
                                                     text, re.MULTILINE)}


def shown_defaults() -> Iterator[tuple[str, str, str]]:
    for name, value in example_values().items():
        if value and name not in EXAMPLES_ONLY and name not in REQUIRED:
            yield ".env.example", name, value
    for name, cell in readme_defaults().items():
        single = re.fullmatch(r"`([^`]+)`", cell)
        if single and name not in REQUIRED:
            yield "README", name, single[1]


def test_every_variable_the_bot_reads_is_in_both_guides() -> None:
    read = read_variables()
    assert read - set(example_values()) == set()
    assert read - set(readme_defaults()) == set()
    assert {"JOB_DEADLINE_SECONDS", "KLING_CONCURRENCY", "WEB_PORT"} <= read


@pytest.mark.parametrize(("guide", "name", "value"), list(shown_defaults()))
def test_a_default_the_guides_show_is_the_bots(guide: str, name: str, value: str) -> None:
    assert load_settings(REQUIRED | {name: value}) == load_settings(REQUIRED), (guide, name)


def test_the_defaults_are_the_settings_class_s() -> None:
    loaded = load_settings(REQUIRED)
    assert (loaded.job_deadline_seconds, loaded.kling_concurrency, loaded.web_port) == (
        Settings.job_deadline_seconds, Settings.kling_concurrency, Settings.web_port)
    assert loaded.job_deadline_seconds == 30 * 60  # design.md: 30 minutes
