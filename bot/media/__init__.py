"""Video processing with FFmpeg: fitting a result to a server's upload limit, taking a video's
last frame, joining the parts of a story. Core: plain asyncio, FFmpeg as a subprocess on temp
files (memory stays flat whatever the video's size), nothing of Discord."""

from bot.media.ffmpeg import FFmpeg, MediaFailed, VideoFacts, ffmpeg_executable
from bot.media.tools import (
    MAX_SOURCE_BYTES,
    CannotFit,
    Frame,
    Upload,
    VideoTools,
)

__all__ = [
    "MAX_SOURCE_BYTES",
    "CannotFit",
    "FFmpeg",
    "Frame",
    "MediaFailed",
    "Upload",
    "VideoFacts",
    "VideoTools",
    "ffmpeg_executable",
]
