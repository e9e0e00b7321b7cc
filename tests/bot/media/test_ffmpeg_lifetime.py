"""FFmpeg dies with the bot: a process killed with SIGKILL (no clean-up of any kind) takes its
running encode with it, so a restarted bot never encodes the same video beside a leftover one
that runs past its timeout."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import pytest

from testkit.processes import ROOT, children_running, running

pytestmark = pytest.mark.timeout(60)

# A process that runs one long encode with the project's FFmpeg class and waits on it.
ENCODER = """
import asyncio
from bot.media import FFmpeg, ffmpeg_executable

async def main() -> None:
    ffmpeg = FFmpeg(ffmpeg_executable(), timeout=600)
    await ffmpeg.run(["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
                      "-t", "600", "-f", "null", "-"])

asyncio.run(main())
"""






@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_sigkill_of_the_bot_ends_its_running_ffmpeg() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ENCODER, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while not (children := children_running(proc.pid, b"testsrc")):
            assert proc.returncode is None, "the encoder process died early"
            assert time.monotonic() < deadline, "FFmpeg never started"
            await asyncio.sleep(0.05)
        [ffmpeg] = children
        await asyncio.sleep(0.5)
        assert running(ffmpeg)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        deadline = time.monotonic() + 2
        while running(ffmpeg) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        still_running = running(ffmpeg)
        if still_running:
            os.kill(ffmpeg, signal.SIGKILL)  # leave nothing behind for the other tests
        assert not still_running, "FFmpeg kept running after the bot was killed"
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
