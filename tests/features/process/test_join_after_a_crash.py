"""The bot as a real process, killed with SIGKILL in the middle of a Join the story (its parts
still downloading) and started again: the story is not left "being joined right now" for a
quarter of an hour; pressed again, it is joined and posted."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from testkit.fakes.discord import FakeDiscord
from testkit.fakes.kling import FakeKling
from testkit.processes import BotProcess
from tests.discord_support import EPHEMERAL, custom_ids
from tests.features.process.test_restart import (  # noqa: F401  (process_env is a fixture)
    process_env,
    wait_synced,
)
from tests.support import eventually
from tests.videos import make_video

pytestmark = pytest.mark.timeout(120)


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


def _private_reply(fake_discord: FakeDiscord, interaction: Any) -> str | None:
    texts = [r.data.get("content", "") for r in fake_discord.interaction_responses(interaction)
             if r.type == 4 and r.ephemeral]
    texts += [m["content"] for m in fake_discord.interaction_messages(interaction)
              if m["flags"] & EPHEMERAL]
    return next((t for t in texts if t), None)


async def test_sigkill_in_the_middle_of_a_join_then_a_press_after_the_restart_posts_it(
        tmp_path: Path, fake_discord: FakeDiscord,
        process_env: tuple[dict[str, str], FakeKling]) -> None:  # noqa: F811
    env, kling = process_env
    db = tmp_path / "bot.db"
    kling.queue_video_files(make_video(tmp_path / "3s.mp4", seconds=3, size="320x240"),
                            make_video(tmp_path / "2s.mp4", seconds=2, size="320x240"))
    member = await fake_discord.add_member(fake_discord.guild_id, name="alice")
    log = tmp_path / "bot.log"
    bot = BotProcess(env, log)
    await bot.start()
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

        kling.video_delay = 300.0  # the parts' downloads stall: the Join is under way
        await fake_discord.click(member.user.id, int(second["id"]), join)
        await eventually(lambda: _rows(db, "SELECT job_id FROM joined_stories"), 30)
        await bot.kill()

        kling.video_delay = 0.0
        await bot.start()
        await eventually(lambda: log.read_text(errors="replace").count("Recovery:") >= 2, 30)
        again = await fake_discord.click(member.user.id, int(second["id"]), join)
        reply = await fake_discord.wait_until(
            lambda: _private_reply(fake_discord, again), 60, "the answer to the press")
        assert "The story is joined" in reply, reply
        stories = [m for m in fake_discord.messages.values()
                   if any(a["filename"].startswith("kling-story-") for a in m["attachments"])]
        assert len(stories) == 1
    finally:
        await bot.stop()
