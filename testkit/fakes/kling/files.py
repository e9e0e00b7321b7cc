"""The result files: ``GET /cdn/{task_id}.mp4`` serves a finished task's video, generated on the
fly (a 300 MB file never sits in memory), with the knobs for a slow CDN, redirects and scripted
failures. The bytes are a valid MP4 box structure, deterministic per task; a task given a real
video file (``video_file``, ``queue_video_files``: playable videos made by FFmpeg in the test's
set-up) serves that file instead."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator

from aiohttp import web

from testkit.fakes.kling.faults import Faults
from testkit.fakes.kling.knobs import KlingKnobs
from testkit.fakes.kling.runtime import Runtime
from testkit.fakes.kling.tasks import TaskTable
from testkit.fakes.kling.wire import drop

_CHUNK = 256 * 1024  # streaming chunk size for /cdn: big enough to be fast, small enough for RAM


def mp4_header(total_size: int) -> bytes:
    """The first bytes of a fake MP4 of ``total_size`` bytes: an ``ftyp`` box + ``mdat`` header.

    Real players (and ``ffprobe``-style sniffers in the bot) look at the ``ftyp`` box, so the
    fake's bytes must start with a valid one; the rest of the file is a single ``mdat`` box whose
    size makes the box structure consistent with the declared Content-Length. Files of 4 GiB or
    more use the 64-bit ``largesize`` form.
    """
    ftyp = struct.pack(">I4s4sI4s4s", 0x18, b"ftyp", b"isom", 0x200, b"isom", b"mp42")
    mdat_size = total_size - len(ftyp)
    if mdat_size < 8:
        raise ValueError(f"an MP4 needs at least {len(ftyp) + 8} bytes, got {total_size}")
    if mdat_size <= 0xFFFFFFFF:
        return ftyp + struct.pack(">I4s", mdat_size, b"mdat")
    return ftyp + struct.pack(">I4sQ", 1, b"mdat", mdat_size)


def video_chunks(task_id: str, size: int) -> Iterator[bytes]:
    """Yield the file in chunks, generated on the fly so 300 MB never sits in memory.

    The mdat payload repeats a block derived from the task id: deterministic (tests can
    compare bytes) and different per task (a mixed-up download is caught).
    """
    header = mp4_header(size)
    seed = hashlib.sha256(task_id.encode()).digest()
    block = (seed * (_CHUNK // len(seed) + 1))[:_CHUNK]
    yield header
    remaining = size - len(header)
    while remaining > 0:
        n = min(remaining, _CHUNK)
        yield block if n == _CHUNK else block[:n]
        remaining -= n


class VideoFiles:
    """The file server; ``downloads`` lists the task ids asked for, in order."""

    def __init__(self, knobs: KlingKnobs, runtime: Runtime, tasks: TaskTable,
                 faults: Faults) -> None:
        self._knobs = knobs
        self._runtime = runtime
        self._tasks = tasks
        self._faults = faults
        self.downloads: list[str] = []

    def set_video_size(self, task_id: str, size: int) -> None:
        """Serve ``size`` bytes for this task's video (e.g. 300 MB; generated on the fly)."""
        mp4_header(size)  # validates the size
        self._tasks.get(task_id).video_size = size

    def video_bytes(self, task_id: str) -> bytes:
        """The full bytes ``/cdn/{task_id}.mp4`` serves, for comparing small downloads."""
        task = self._tasks.get(task_id)
        path = self._tasks.video_path_of(task)
        if path is not None:
            return path.read_bytes()
        size = self._tasks.video_size_of(task)
        return b"".join(video_chunks(task_id, size))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """``GET /cdn/{task_id}.mp4``."""
        task_id = request.match_info["task_id"]
        self.downloads.append(task_id)
        script = self._faults.take("video")
        if script is not None:
            if script.kind == "drop":
                return drop(request)
            return script.error()
        task = self._tasks.tasks.get(task_id)
        if task is None or task.state != "succeed":
            raise web.HTTPNotFound()
        hop = int(request.query.get("hop", "0"))
        if hop < self._knobs.video_redirects:
            base = self._knobs.redirect_base_url or self._runtime.base_url
            raise web.HTTPFound(f"{base}/cdn/{task_id}.mp4?hop={hop + 1}")
        path = self._tasks.video_path_of(task)
        if path is not None:
            await self._runtime.pause(self._knobs.video_delay)
            return web.FileResponse(path, headers={"Content-Type": "video/mp4"})
        size = self._tasks.video_size_of(task)
        response = web.StreamResponse(headers={"Content-Type": "video/mp4"})
        response.content_length = size
        await response.prepare(request)
        if request.method != "HEAD":
            await self._runtime.pause(self._knobs.video_delay)
            for chunk in video_chunks(task_id, size):
                await response.write(chunk)
        await response.write_eof()
        return response
