"""How a video is re-encoded to fit an upload limit: a bitrate from its duration and the limit,
with headroom, and the FFmpeg arguments that hold the encode to it.

The encode is one pass of H.264 at a constant quality (CRF) capped by a maximum rate with a
small buffer: it is never larger than it needs to be, and never above the cap. The cap is
computed for the duration plus one second (what the buffer may add at most), less the sound and
a margin for the MP4 container, so the file lands under the limit on the first try; the caller
still checks the size and tries once more, lower, if it did not.
"""

from __future__ import annotations

from dataclasses import dataclass

# Of the limit, what the streams may use: the rest is left for the container and rounding.
HEADROOM = 0.92
AUDIO_BPS = 128_000
LOW_AUDIO_BPS = 64_000  # when the limit is tight for the duration
# Below this the picture is not worth watching: the link is posted instead.
MIN_VIDEO_BPS = 250_000
QUALITY_CRF = 21
PRESET = "veryfast"
# The shorter side of the picture for a given video bitrate: a smaller picture at a low rate
# looks better than a blocky large one.
SHORT_SIDE_FOR_RATE: tuple[tuple[int, int | None], ...] = (
    (4_000_000, None), (1_800_000, 1080), (900_000, 720), (0, 480))


@dataclass(frozen=True)
class FitPlan:
    """The rates of one fitted encode: video and sound in bit/s, and the picture's shorter side."""

    video_bps: int
    audio_bps: int
    short_side: int | None  # None: keep the picture's size

    def lowered(self, factor: float) -> FitPlan:
        """The same plan at `factor` of the video rate (the retry after an overshoot)."""
        return FitPlan(int(self.video_bps * factor), self.audio_bps, self.short_side)


def plan_fit(duration: float, limit: int, has_audio: bool) -> FitPlan | None:
    """The rates for a video of `duration` seconds to fit `limit` bytes, or None when it could
    only fit below the lowest quality worth posting."""
    if duration <= 0:
        return None
    total_bps = limit * 8 * HEADROOM / (duration + 1.0)
    audio = 0
    if has_audio:
        audio = AUDIO_BPS if total_bps - AUDIO_BPS >= 4 * AUDIO_BPS else LOW_AUDIO_BPS
    video = int(total_bps - audio)
    if video < MIN_VIDEO_BPS:
        return None
    short_side = next(side for rate, side in SHORT_SIDE_FOR_RATE if video >= rate)
    return FitPlan(video_bps=video, audio_bps=audio, short_side=short_side)


def scale_filter(width: int, height: int, short_side: int | None) -> str:
    """Scale down (never up) so the shorter side is at most `short_side`; even sizes, as
    H.264 in 4:2:0 needs."""
    if short_side is None or min(width, height) <= short_side:
        return "scale=trunc(iw/2)*2:trunc(ih/2)*2"
    if width >= height:
        return f"scale=-2:{short_side}"
    return f"scale={short_side}:-2"


def encode_args(plan: FitPlan) -> list[str]:
    """The output options of a fitted encode (inputs, maps and filters are the caller's)."""
    args = ["-c:v", "libx264", "-preset", PRESET, "-crf", str(QUALITY_CRF),
            "-maxrate", str(plan.video_bps), "-bufsize", str(plan.video_bps),
            "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    if plan.audio_bps:
        args += ["-c:a", "aac", "-b:a", str(plan.audio_bps)]
    return args


def fit_command(source: str, target: str, plan: FitPlan, width: int, height: int
                ) -> list[str]:
    """The whole FFmpeg command line (without the binary) that fits `source` into `target`:
    the first video stream and the first sound stream, if any."""
    return ["-i", source, "-map", "0:v:0", "-map", "0:a:0?",
            "-vf", scale_filter(width, height, plan.short_side),
            *encode_args(plan), "-f", "mp4", target]
