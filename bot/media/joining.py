"""A story: the parts of a chain of extends and continues, in order, joined into one video.

Kling may return an extend as the whole extended video (the source and the new seconds) or as
the new seconds only. An extend result at least `CONTAINS_SOURCE_SECONDS` longer than its source
is taken to contain it, and replaces it, so every moment appears once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.media.ffmpeg import VideoFacts

CONTAINS_SOURCE_SECONDS = 3.0
FRAME_RATE = 30
SAMPLE_RATE = 48_000


@dataclass(frozen=True)
class StoryPart:
    """One downloaded part: its job, whether it extends the part before it, and the file."""

    job_id: str
    is_extend: bool
    path: Path
    facts: VideoFacts


def story_cut(chain: list[StoryPart]) -> list[StoryPart]:
    """The parts to join, oldest first, from the chain oldest first (each part's source is the
    one before it): an extend that contains its source takes its place."""
    kept: list[StoryPart] = []
    for part in chain:
        if kept and part.is_extend and \
                part.facts.duration >= kept[-1].facts.duration + CONTAINS_SOURCE_SECONDS:
            kept.pop()
        kept.append(part)
    return kept


def concat_command(parts: list[StoryPart], target: str, size: tuple[int, int],
                   output: list[str]) -> list[str]:
    """The FFmpeg command line (without the binary) that joins `parts` into `target`: each
    picture fitted into `size` (letterboxed when its shape differs), one frame rate, one sound
    format; a part without sound gets silence of its length, so picture and sound stay
    together. `output`: the encoder options."""
    width, height = size
    with_sound = any(p.facts.has_audio for p in parts)
    inputs: list[str] = []
    filters: list[str] = []
    labels: list[str] = []
    for i, part in enumerate(parts):
        inputs += ["-i", str(part.path)]
        filters.append(
            f"[{i}:v:0]scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={FRAME_RATE},"
            f"format=yuv420p[v{i}]")
        labels.append(f"[v{i}]")
        if with_sound:
            seconds = f"{part.facts.duration:.3f}"
            if part.facts.has_audio:
                filters.append(f"[{i}:a:0]aresample={SAMPLE_RATE},aformat=channel_layouts="
                               f"stereo,apad,atrim=0:{seconds}[a{i}]")
            else:
                filters.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=0:{seconds}[a{i}]")
            labels.append(f"[a{i}]")
    audio = 1 if with_sound else 0
    filters.append(f"{''.join(labels)}concat=n={len(parts)}:v=1:a={audio}[v]"
                   + ("[a]" if with_sound else ""))
    maps = ["-map", "[v]"] + (["-map", "[a]"] if with_sound else [])
    return [*inputs, "-filter_complex", ";".join(filters), *maps, *output, "-f", "mp4", target]
