"""The bot as a real process, killed with SIGKILL while FFmpeg joins a story: its FFmpeg child
ends with it (within a second or two), instead of running on, past its timeout, beside the
encode the restarted bot starts. FFmpeg is slowed (it reads its inputs at their own pace) so
the kill lands in the middle of the encode."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.media import ffmpeg_executable
from testkit.fakes.discord import FakeDiscord
from testkit.fakes.kling import FakeKling
from testkit.processes import BotProcess, children_running, running
from tests.discord_support import custom_ids
from tests.features.process.test_join_after_a_crash import _rows
from tests.features.process.test_restart import (  # noqa: F401  (process_env is a fixture)
    process_env,
    wait_synced,
)
from tests.support import eventually
from tests.videos import make_video

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

# FFmpeg as the bot runs it, except that a join (the encode with a filter graph) reads each
# input at its own frame rate: a few seconds of video take a few seconds to join.
SLOW_FFMPEG = """#!/bin/sh
slow=0
for a in "$@"; do [ "$a" = "-filter_complex" ] && slow=1; done
if [ $slow = 1 ]; then
  for a in "$@"; do
    shift
    [ "$a" = "-i" ] && set -- "$@" -re
    set -- "$@" "$a"
  done
fi
exec {real} "$@"
"""






async def test_sigkill_of_the_bot_while_ffmpeg_joins_a_story_ends_ffmpeg_too(
        tmp_path: Path, fake_discord: FakeDiscord,
        process_env: tuple[dict[str, str], FakeKling]) -> None:  # noqa: F811
    env, kling = process_env
    slow = tmp_path / "slow-ffmpeg"
    slow.write_text(SLOW_FFMPEG.format(real=ffmpeg_executable()))
    slow.chmod(0o755)
    db = tmp_path / "bot.db"
    kling.queue_video_files(make_video(tmp_path / "8s.mp4", seconds=8, size="320x240"),
                            make_video(tmp_path / "2s.mp4", seconds=2, size="320x240"))
    member = await fake_discord.add_member(fake_discord.guild_id, name="alice")
    bot = BotProcess({**env, "IMAGEIO_FFMPEG_EXE": str(slow)}, tmp_path / "bot.log")
    await bot.start()
    ffmpeg = 0
    try:
        await wait_synced(fake_discord)
        await fake_discord.slash(fake_discord.guild_id, fake_discord.channel_id,
                                 member.user.id, "video", ["text"], {"prompt": "a red kite"})

        def results(count: int) -> list[dict[str, Any]] | None:
            found = [m for m in fake_discord.messages.values()
                     if "your video is ready" in m["content"]]
            delivered = _rows(db, "SELECT id FROM jobs WHERE state = 'delivered'")
            return found if len(found) >= count and len(delivered) >= count else None

        [first] = await fake_discord.wait_until(lambda: results(1), 30, "the first result")
        await fake_discord.click(member.user.id, int(first["id"]), custom_ids(first)[0])
        second = (await fake_discord.wait_until(lambda: results(2), 30, "the Extend"))[-1]
        [join] = [c for c in custom_ids(second) if c.startswith("kling:join:")]
        await fake_discord.click(member.user.id, int(second["id"]), join)
        assert bot.proc is not None
        pid = bot.proc.pid
        [ffmpeg] = await eventually(lambda: children_running(pid, b"-filter_complex"), 30)
        await asyncio.sleep(0.5)
        assert running(ffmpeg)
        await bot.kill()
        deadline = time.monotonic() + 2
        while running(ffmpeg) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not running(ffmpeg), "FFmpeg kept running after the bot was killed"
    finally:
        if ffmpeg and running(ffmpeg):
            os.kill(ffmpeg, signal.SIGKILL)  # leave nothing behind for the other tests
        await bot.stop()
