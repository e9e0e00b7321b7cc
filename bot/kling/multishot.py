"""Multi-shot videos (`/video story`): the member's shots, one per line, read into what
Kling's `multi_shot` request takes.

A story is typed in a modal: each line one shot, with an optional length in front
(`3s: a fox wakes up`). One line is one prompt whose shots the model cuts itself
(`shot_type: "intelligence"`); several lines are the member's own cuts (`"customize"` with a
`multi_prompt` of 1-6 shots, each prompt at most 512 characters, lengths of at least 1 s that
sum to the video's duration). Lengths the member left open are filled evenly, in whole seconds,
and the job records that it did so (the card says it). Every rule is refused with its own code,
before anything is spent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import Notice
from bot.kling.invalid import InvalidOptions

MAX_SHOTS = 6
SHOT_PROMPT_LIMIT = 512
MIN_SHOT_SECONDS = 1
# "3s: ...", "3 s - ...", "3sec: ...", "3 seconds: ...", "3초: ..." in front of a line.
_LENGTH = re.compile(r"^\s*(?P<seconds>-?\d+)\s*(?:seconds?|secs?|s|초)\s*[:\-–—]\s*"
                     r"(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Shot:
    """One line of a story: its prompt and the length the member gave (None: fill it)."""

    prompt: str
    seconds: int | None = None


@dataclass(frozen=True)
class Story:
    """The member's shots, in order. One shot: the model cuts the video itself."""

    shots: tuple[Shot, ...]

    @property
    def automatic(self) -> bool:
        """One shot: the model cuts the video into shots itself (Kling's intelligent mode)."""
        return len(self.shots) == 1

    @property
    def given_seconds(self) -> int | None:
        """The video's length the member's shots fix (every length given), else None."""
        if any(shot.seconds is None for shot in self.shots):
            return None
        return sum(shot.seconds or 0 for shot in self.shots)

    def text(self) -> str:
        """The story as one prompt to show (on the card, in the thread's name)."""
        if self.automatic:
            return self.shots[0].prompt
        return "\n".join(f"{shot.seconds}s: {shot.prompt}" if shot.seconds is not None
                         else shot.prompt for shot in self.shots)


def _fail(code: str, **params: object) -> InvalidOptions:
    return InvalidOptions(code, params, option="story")


def parse_story(source: str) -> Story:
    """The shots of a story as typed (blank lines skipped). Raises `InvalidOptions` for no
    shot, too many, a prompt too long or empty, or a length below one second."""
    shots: list[Shot] = []
    for number, line in enumerate((ln for ln in source.splitlines() if ln.strip()), 1):
        match = _LENGTH.match(line)
        seconds = int(match["seconds"]) if match else None
        prompt = (match["rest"] if match else line).strip()
        if seconds is not None and seconds < MIN_SHOT_SECONDS:
            raise _fail("invalid.story_shot_short", shot=number, given=seconds,
                        minimum=MIN_SHOT_SECONDS)
        if not prompt:
            raise _fail("invalid.story_shot_empty", shot=number)
        if len(prompt) > SHOT_PROMPT_LIMIT:
            raise _fail("invalid.story_shot_long", shot=number, length=len(prompt),
                        limit=SHOT_PROMPT_LIMIT)
        shots.append(Shot(prompt, seconds))
    if not shots:
        raise _fail("invalid.story_empty")
    if len(shots) > MAX_SHOTS:
        raise _fail("invalid.story_shots", count=len(shots), limit=MAX_SHOTS)
    return Story(tuple(shots))


def shot_lengths(story: Story, duration: int) -> tuple[list[int], bool]:
    """Each shot's length for a video of `duration` seconds, and whether the bot filled any.

    Open lengths share what the given ones leave, evenly in whole seconds (the first shots take
    the odd seconds). Raises `InvalidOptions` when the lengths cannot sum to `duration`."""
    given = sum(shot.seconds or 0 for shot in story.shots)
    open_count = sum(1 for shot in story.shots if shot.seconds is None)
    if open_count == 0:
        if given != duration:
            raise _fail("invalid.story_sum", total=given, duration=duration)
        return [shot.seconds or 0 for shot in story.shots], False
    left = duration - given
    if left < open_count * MIN_SHOT_SECONDS:
        raise _fail("invalid.story_no_room", total=given, duration=duration,
                    open=open_count)
    share, odd = divmod(left, open_count)
    lengths = []
    for shot in story.shots:
        if shot.seconds is not None:
            lengths.append(shot.seconds)
        else:
            lengths.append(share + (1 if odd > 0 else 0))
            odd -= 1
    return lengths, True


def story_body(story: Story, duration: int) -> tuple[dict[str, Any], Notice | None]:
    """The multi-shot fields of the request body, and the card's note when the bot filled
    lengths (`note.story_filled` with the lengths it sent)."""
    if story.automatic:
        return {"multi_shot": True, "shot_type": "intelligence",
                "prompt": story.shots[0].prompt}, None
    lengths, filled = shot_lengths(story, duration)
    body = {"multi_shot": True, "shot_type": "customize", "multi_prompt": [
        {"index": index, "prompt": shot.prompt, "duration": seconds}
        for index, (shot, seconds) in enumerate(zip(story.shots, lengths, strict=True), 1)]}
    note = Notice("note.story_filled", {"lengths": lengths}) if filled else None
    return body, note


def last_shot(body: Mapping[str, Any]) -> str | None:
    """The last shot's prompt of a story's request body (None: not a story of several shots).

    What a video made from the story's end (Continue) starts from: the shots joined are the
    story's prompt to show, and may be longer than any single prompt Kling takes."""
    shots = body.get("multi_prompt")
    if not body.get("multi_shot") or not isinstance(shots, list) or not shots:
        return None
    prompt = shots[-1].get("prompt") if isinstance(shots[-1], dict) else None
    return prompt if isinstance(prompt, str) and prompt else None
