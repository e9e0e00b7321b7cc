"""The bot as a real process, killed between posting a result and recording it, and
started again after Discord's nonce window has passed.

The fake Discord creates the result message and holds back its answer; the test kills the
bot meanwhile, so the message exists and the job row does not know it. Discord would take a
repeated nonce as the same message for a few minutes only; the test shortens that window to
nothing, as a bot down for longer would find it. The restarted bot must find its earlier
message and record it, not post the video a second time.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from testkit.fakes.discord import FakeDiscord, RecordedRequest
from testkit.fakes.kling import FakeKling
from testkit.processes import BotProcess
from tests.features.process.test_restart import (  # noqa: F401  (process_env is a fixture)
    ledger,
    process_env,
    wait_synced,
)
from tests.support import eventually

pytestmark = pytest.mark.timeout(90)


def is_result_post(request: RecordedRequest) -> bool:
    body = request.json if isinstance(request.json, dict) else {}
    return request.method == "POST" and request.path.endswith("/messages") and \
        "your video is ready" in str(body.get("content"))


def job_row(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        [row] = conn.execute("SELECT id, state, result_message_id FROM jobs").fetchall()
        return dict(row)


async def test_sigkill_after_the_result_was_posted_then_restart_records_it_once(
        tmp_path: Path, fake_discord: FakeDiscord,
        process_env: tuple[dict[str, str], FakeKling]) -> None:  # noqa: F811
    env, _ = process_env
    db = tmp_path / "bot.db"
    member = await fake_discord.add_member(fake_discord.guild_id, name="alice")
    held = fake_discord.hold_response(is_result_post)
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()
    try:
        await wait_synced(fake_discord)
        await fake_discord.slash(fake_discord.guild_id, fake_discord.channel_id,
                                 member.user.id, "video", ["text"], {"prompt": "a red kite"})
        posted = await fake_discord.wait_until(lambda: held.record, 30, "the result's post")
        await bot.kill()
        assert job_row(db)["state"] == "succeeded"  # posted, not recorded

        [message] = [m for m in fake_discord.messages.values()
                     if "your video is ready" in m["content"]]
        job_id = job_row(db)["id"]
        # Results of models that cannot be extended carry no Extend buttons: the job id in
        # the embed's footer is what identifies the message.
        assert message["embeds"][0]["footer"]["text"] == f"Job {job_id}"
        message["components"] = []
        fake_discord.nonce_window = 0.0  # the bot stayed down longer than Discord remembers
        held.release()

        await bot.start()
        delivered = await eventually(
            lambda: (row := job_row(db))["state"] == "delivered" and row, 30)
        assert delivered["result_message_id"] == int(message["id"])
        thread_id = int(message["channel_id"])
        results = [m for m in fake_discord.messages_in(thread_id)
                   if "your video is ready" in m["content"]]
        assert results == [message]
        assert [r for r in fake_discord.requests if is_result_post(r)] == [posted]
        assert ledger(db) == [("job", 1, "committed")]
        # The card says done, with a link to the message that was found.
        await fake_discord.wait_until(
            lambda: message["id"] in str(fake_discord.messages_in(
                fake_discord.channel_id)[0]["embeds"]), 10, "the card to link the result")
    finally:
        await bot.stop()
