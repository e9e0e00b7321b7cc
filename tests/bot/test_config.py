"""Settings: one clear message naming every problem, and exit status 2 from `python -m bot`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from testkit.fakes.discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


def run_bot(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bot` in an empty folder (no .env) with only `env` set."""
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=base | env,
                          capture_output=True, text=True, timeout=60)


def test_missing_tokens_exit_2_with_one_message(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {})
    assert result.returncode == 2
    assert "DISCORD_TOKEN is missing" in result.stderr
    assert "KLING_API_TOKEN is missing" in result.stderr
    assert ".env.example" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_values_are_named(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k",
                                "WEB_PORT": "eighty", "DATABASE_URL": "mysql://db/x"})
    assert result.returncode == 2
    assert "WEB_PORT must be a whole number, got 'eighty'" in result.stderr
    assert "DATABASE_URL has an unknown scheme 'mysql'" in result.stderr
    assert "Traceback" not in result.stderr
    # Secrets are never echoed back.
    assert "KLING_API_TOKEN=k" not in result.stderr


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-file\nWEB_PORT=99999\n")
    result = run_bot(tmp_path, {})
    assert result.returncode == 2
    assert "DISCORD_TOKEN" not in result.stderr  # found in .env
    assert "KLING_API_TOKEN is missing" in result.stderr
    assert "WEB_PORT must be between 0 and 65535, got 99999" in result.stderr


@pytest.mark.parametrize(("env", "fragment"), [
    ({"PUBLIC_BASE_URL": "ftp://x"}, "PUBLIC_BASE_URL must be a URL"),
    ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
    ({"SHARD_IDS": "0,1"}, "SHARD_IDS needs SHARD_COUNT"),
    ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "SHARD_IDS must be numbers from 0 to 1"),
    ({"JOB_DEADLINE_SECONDS": "-5"}, "JOB_DEADLINE_SECONDS must be greater than 0"),
    ({"QUEUE_TIMEOUT_SECONDS": "0"}, "QUEUE_TIMEOUT_SECONDS must be greater than 0"),
    ({"CREDIT_RESET_HOUR_UTC": "24"}, "CREDIT_RESET_HOUR_UTC must be between 0 and 23"),
    ({"KLING_MODELS_FILE": "/nonexistent.json"}, "KLING_MODELS_FILE points at"),
    ({"DATABASE_URL": "sqlite://relative.db"}, "DATABASE_URL must look like sqlite:///"),
    ({"TRUSTED_VIDEO_HOSTS": "cdn.example.org,https://x.org"},
     "TRUSTED_VIDEO_HOSTS must be host names or IP addresses"),
    ({"TRUSTED_VIDEO_HOSTS": "cdn.example.org:443"}, "got 'cdn.example.org:443'"),
    ({"TRUSTED_VIDEO_HOSTS": "10.0.0.0/8"}, "got '10.0.0.0/8'"),
])
def test_each_malformed_setting(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k", **env})
    assert any(fragment in p for p in raised.value.problems), raised.value.problems


def test_defaults_and_callback_url() -> None:
    settings = load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k",
                              "PUBLIC_BASE_URL": "https://bot.example.org/"})
    assert settings.kling_api_base == "https://api.acedata.cloud"
    assert settings.database_url == "sqlite:///data/klingcord.db"
    assert settings.callback_url("abc") == "https://bot.example.org/kling/callback/abc"
    assert settings.job_deadline_seconds == 1800
    assert settings.queue_timeout_seconds == 7200
    assert "discord_token" not in repr(settings)


def test_trusted_video_hosts_are_read_in_one_spelling() -> None:
    settings = load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k",
                              "TRUSTED_VIDEO_HOSTS": " CDN.Example.org., 10.0.0.5,[::1],"})
    assert settings.trusted_video_hosts == {"cdn.example.org", "10.0.0.5", "::1"}
    unset = load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k"})
    assert unset.trusted_video_hosts == frozenset()


def test_no_public_url_means_no_callback() -> None:
    settings = load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k"})
    assert settings.callback_url("abc") is None and not settings.callbacks_enabled


async def test_unreachable_database_is_a_clear_message(tmp_path: Path,
                                                      fake_discord: FakeDiscord) -> None:
    """Not a traceback: the operator reads which setting to fix (the real bot process, logged
    in to a local Discord, failing at the database)."""
    env = {"DISCORD_TOKEN": fake_discord.bot_token, "KLING_API_TOKEN": "k" * 30,
           "DATABASE_URL": "postgresql://nobody:secretpw@127.0.0.1:9/nowhere",
           "WEB_PORT": "0", "METRICS_PORT": "0",
           "KLINGCORD_TEST_DISCORD_API": fake_discord.api_base,
           "KLINGCORD_TEST_DISCORD_GATEWAY": fake_discord.gateway_url}
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "testkit" / "run_bot.py"), cwd=tmp_path, env=base | env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    stderr = err.decode()
    assert proc.returncode == 1
    assert "cannot open the database" in stderr and "DATABASE_URL" in stderr
    assert "Traceback" not in stderr
    assert "secretpw" not in stderr + out.decode()


def test_unreachable_discord_is_a_clear_message(tmp_path: Path) -> None:
    env = {"DISCORD_TOKEN": "d" * 30, "KLING_API_TOKEN": "k" * 30,
           "KLINGCORD_TEST_DISCORD_API": "http://127.0.0.1:9/api/v10",
           "KLINGCORD_TEST_DISCORD_GATEWAY": "ws://127.0.0.1:9/"}
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "testkit" / "run_bot.py")],
                            cwd=tmp_path, env=base | env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "cannot reach Discord" in result.stderr
    assert "Traceback" not in result.stderr


def test_simulated_kling_needs_no_kling_token() -> None:
    settings = load_settings({"DISCORD_TOKEN": "d", "KLING_API_BASE": "simulated"})
    assert settings.kling_simulated and settings.kling_api_token == ""
    assert load_settings({"DISCORD_TOKEN": "d", "KLING_API_BASE": "Simulated"}).kling_simulated
    real = load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k"})
    assert not real.kling_simulated
    with pytest.raises(ConfigError, match="KLING_API_BASE=simulated to try the bot"):
        load_settings({"DISCORD_TOKEN": "d"})


def test_a_short_operator_token_is_refused_without_showing_it() -> None:
    """A bearer token for /metrics and /healthz that is easy to guess is refused at start, and
    the error names the setting, never the value."""
    with pytest.raises(ConfigError) as raised:
        load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k",
                       "METRICS_TOKEN": "hunter2"})
    assert "METRICS_TOKEN" in str(raised.value) and "hunter2" not in str(raised.value)
    accepted = load_settings({"DISCORD_TOKEN": "d", "KLING_API_TOKEN": "k",
                              "METRICS_TOKEN": "a-long-enough-operator-token"})
    assert accepted.metrics_token == "a-long-enough-operator-token"
