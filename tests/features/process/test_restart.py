"""The bot as a real process, killed with SIGKILL mid-job and started again.

The API accepts the task, the process dies before the result comes, the fake Kling finishes
the task while the bot is down (its callback fails), and the restarted process must deliver
the video exactly once and charge for it exactly once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from testkit.fakes.discord import FakeDiscord
from testkit.fakes.kling import FakeKling
from testkit.processes import ROOT, BotProcess
from tests.support import KLING_TOKEN, free_port

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
async def process_env(tmp_path: Path, fake_discord: FakeDiscord
                      ) -> AsyncIterator[tuple[dict[str, str], FakeKling]]:
    async with FakeKling(token=KLING_TOKEN, processing_seconds=0.2) as kling:
        port = free_port()
        env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": fake_discord.bot_token,
            "KLING_API_TOKEN": KLING_TOKEN,
            "KLING_API_BASE": kling.base_url,
            "TRUSTED_VIDEO_HOSTS": "127.0.0.1",
            "TMPDIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "METRICS_PORT": str(free_port()),
            "DEV_GUILD_ID": str(fake_discord.guild_id),
            "POLL_INTERVAL_SECONDS": "0.2",
            "LOG_LEVEL": "DEBUG",
            "KLINGCORD_TEST_DISCORD_API": fake_discord.api_base,
            "KLINGCORD_TEST_DISCORD_GATEWAY": fake_discord.gateway_url,
        }
        yield env, kling


async def wait_synced(fake_discord: FakeDiscord) -> None:
    """Until the bot process has synced its commands: it is up and taking interactions."""
    await fake_discord.wait_until(lambda: fake_discord.commands.get(fake_discord.guild_id),
                                  30, "the bot to sync its commands")


def stored_task_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute(
            "SELECT task_id FROM jobs WHERE state = 'submitted' AND task_id IS NOT NULL")]


def ledger(db: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT kind, amount, status FROM ledger"))


async def test_sigkill_after_the_api_accepted_then_restart_delivers_once(
        tmp_path: Path, fake_discord: FakeDiscord,
        process_env: tuple[dict[str, str], FakeKling]) -> None:
    env, kling = process_env
    kling.auto_finish = False
    member = await fake_discord.add_member(fake_discord.guild_id, name="alice")
    log = tmp_path / "bot.log"
    bot = BotProcess(env, log)
    await bot.start()
    try:
        await wait_synced(fake_discord)
        await fake_discord.slash(fake_discord.guild_id, fake_discord.channel_id,
                                 member.user.id, "video", ["text"], {"prompt": "a red kite"})
        task = await kling.wait_for(lambda: kling.last_task, 15)
        # "After the API accepted the task": its answer (the task id) is stored. (Killed
        # between Kling's answer and that write, the job would be unconfirmed instead and
        # wait for a callback, never re-sent: tests/bot/jobs/test_kling_errors.py covers that.)
        await kling.wait_for(lambda: stored_task_ids(tmp_path / "bot.db") == [task.task_id], 15)
        await bot.kill()

        # While the bot is down, Kling finishes: the callback cannot reach anyone.
        await kling.finish(task.task_id)
        await kling.wait_for(lambda: kling.callback_log, 10)
        assert kling.callback_log[0].status is None

        await bot.start()
        thread_id = int(fake_discord.messages_in(fake_discord.channel_id)[0]["id"])

        def results() -> list[dict[str, object]]:
            return [m for m in fake_discord.messages_in(thread_id)
                    if "your video is ready" in str(m["content"])]

        await fake_discord.wait_until(lambda: results() or None, 30,
                                      "the result after the restart")
        # A duplicate, late callback after recovery changes nothing.
        await kling.send_callback(task.task_id)
        await asyncio.sleep(1.0)
        assert len(results()) == 1
        assert len(kling.tasks) == 1 and kling.create_count == 1
        assert ledger(tmp_path / "bot.db") == [("job", 1, "committed")]
    finally:
        await bot.stop()
    text = log.read_text(errors="replace")
    assert KLING_TOKEN not in text and fake_discord.bot_token not in text
    assert "/kling/callback/<token>" in text  # the access log ran, and hid the token
    assert re.search(r"/(interactions|webhooks)/\d+/(?!<token>)[^/\s]+", text) is None


async def test_sigterm_stops_the_bot_cleanly(
        tmp_path: Path, fake_discord: FakeDiscord,
        process_env: tuple[dict[str, str], FakeKling]) -> None:
    """`docker stop` sends SIGTERM: the bot closes (exit 0), it is not cut off mid-write."""
    env, _ = process_env
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()
    try:
        await wait_synced(fake_discord)
        assert bot.proc is not None
        bot.proc.send_signal(signal.SIGTERM)
        assert await _exit_status(bot, tmp_path / "bot.log") == 0
    finally:
        await bot.stop()


async def _exit_status(bot: BotProcess, log: Path, timeout: float = 30) -> int:
    """The process's exit status; a hang fails with the end of its log, to see where."""
    assert bot.proc is not None
    try:
        return await asyncio.wait_for(bot.proc.wait(), timeout)
    except TimeoutError:
        tail = log.read_text(errors="replace").splitlines()[-40:]
        raise AssertionError("the bot did not stop:\n" + "\n".join(tail)) from None


async def _wait_for_line(log: Path, marker: str, bot: BotProcess, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while marker not in log.read_text(errors="replace"):
        assert bot.proc is not None and bot.proc.returncode is None, "the bot died early"
        assert asyncio.get_running_loop().time() < deadline, f"no {marker!r} in the log"
        await asyncio.sleep(0.01)


# Moments of start-up: before the event loop runs (imports), the store opened and the HTTP
# server listening (recovery next), and once the commands are synced.
START_UP_MOMENTS = (None, "HTTP server listening", "Recovery:", "Commands synced")


@pytest.mark.parametrize("marker", START_UP_MOMENTS)
async def test_sigterm_at_any_moment_of_start_up_exits_cleanly(
        tmp_path: Path, marker: str | None,
        process_env: tuple[dict[str, str], FakeKling]) -> None:
    """SIGTERM while the bot starts (imports, migrations, recovery, command sync) ends it with
    status 0 and no traceback: the event loop handles the signal, nothing is cut mid-way."""
    env, _ = process_env
    log = tmp_path / "bot.log"
    bot = BotProcess(env, log)
    await bot.start()
    try:
        if marker is None:
            await asyncio.sleep(0.15)  # inside the imports of discord.py
        else:
            await _wait_for_line(log, marker, bot)
        assert bot.proc is not None
        bot.proc.send_signal(signal.SIGTERM)
        assert await _exit_status(bot, log) == 0
    finally:
        await bot.stop()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text


async def _healthz(port: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
            await resp.read()


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_logs_are_plain_quiet_and_keep_health_checks_at_debug(
        tmp_path: Path, fake_discord: FakeDiscord, level: str,
        process_env: tuple[dict[str, str], FakeKling]) -> None:
    """`docker logs` reads a pipe: no colour codes (even inside a container), no warnings
    about voice (the bot has none), and health checks only at DEBUG."""
    env, _ = process_env
    log = tmp_path / "bot.log"
    bot = BotProcess({**env, "LOG_LEVEL": level}, log)
    await bot.start()
    try:
        await _wait_for_line(log, "Commands synced", bot)
        for _ in range(3):
            await _healthz(env["METRICS_PORT"])
        await asyncio.sleep(0.2)
    finally:
        await bot.stop()
    text = log.read_text(errors="replace")
    assert "HTTP server listening" in text  # the bot's own INFO lines are there
    assert "\x1b[" not in text
    assert "voice will NOT be supported" not in text
    assert ("GET /healthz " in text) is (level == "DEBUG")
