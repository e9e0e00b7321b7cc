"""Logging: LOG_FORMAT=json gives one JSON object per line, the job a line is about as
`job_id`, secrets scrubbed from the message and the traceback alike; and no token, callback
token or full callback URL reaches any log line of a whole job's life."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import aiohttp
import pytest

from bot.config import ConfigError, load_settings
from bot.logs import job_context, make_handler
from testkit.fakes.kling import FakeKling
from tests.conftest import EngineFactory
from tests.support import DISCORD_TOKEN, KLING_TOKEN, eventually, text_job

TOKEN = "discord-token-abcdefghijklmnop"
JOB = "0123456789abcdef0123"


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    logger = logging.getLogger("test.logs.json")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = make_handler([TOKEN], "json", stream)
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_line_is_one_json_object_with_its_job(lines: tuple[logging.Logger, io.StringIO]
                                                   ) -> None:
    log, stream = lines
    log.info("Job %s delivered as message %s", JOB, 42)  # the bot's own "Job <id>" lines
    with job_context("aaaaaaaaaaaaaaaaaaaa"):
        log.warning("Could not post to the log channel (%s)", 403)  # the job being worked on
    log.info("a line with its job given", extra={"job_id": "bbbbbbbbbbbbbbbbbbbb"})
    log.info("Starting up")
    first, second, third, fourth = records(stream)
    assert first["message"] == f"Job {JOB} delivered as message 42"
    assert first["job_id"] == JOB and first["level"] == "INFO"
    assert first["logger"] == "test.logs.json" and str(first["time"]).endswith("+00:00")
    assert second["job_id"] == "aaaaaaaaaaaaaaaaaaaa" and second["level"] == "WARNING"
    assert third["job_id"] == "bbbbbbbbbbbbbbbbbbbb"
    assert "job_id" not in fourth


async def test_tasks_started_for_a_job_log_its_id(lines: tuple[logging.Logger, io.StringIO]
                                                  ) -> None:
    log, stream = lines

    async def later() -> None:
        await asyncio.sleep(0)
        log.info("card edited")

    with job_context(JOB):
        task = asyncio.create_task(later())
    await task
    assert records(stream)[0]["job_id"] == JOB


def test_secrets_never_reach_a_json_line(lines: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = lines
    log.debug("POST https://discord.com/api/v10/webhooks/123/secret-interaction-token/x")
    try:
        raise RuntimeError(f"login failed with {TOKEN}")
    except RuntimeError:
        log.exception("Unhandled error with token %s", TOKEN)
    text = stream.getvalue()
    assert TOKEN not in text and "secret-interaction-token" not in text
    first, second = records(stream)
    assert "/webhooks/123/<token>" in str(first["message"])
    assert "<secret>" in str(second["message"]) and "<secret>" in str(second["exception"])


def test_log_format_is_text_or_json() -> None:
    env = {"DISCORD_TOKEN": TOKEN, "KLING_API_TOKEN": "kling-token-abcdefgh"}
    assert load_settings({**env, "LOG_FORMAT": "JSON"}).log_format == "json"
    assert load_settings(env).log_format == "text"
    with pytest.raises(ConfigError, match="LOG_FORMAT must be text or json"):
        load_settings({**env, "LOG_FORMAT": "xml"})


async def test_no_secret_reaches_a_log_line(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    engine, notifier = await make_engine()
    fake_kling.callback_copies = 2
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    async with aiohttp.ClientSession() as http:
        await http.post(f"{engine.settings.public_base_url}/kling/callback/forged-token-123",
                        json={})
    await engine.jobs.idle()
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "kling/callback/<token>" in text, "the access log should show redacted callbacks"
    for secret in (KLING_TOKEN, DISCORD_TOKEN, job.callback_token, "forged-token-123"):
        assert secret not in text
    assert job.callback_token not in repr(job)
    assert KLING_TOKEN not in repr(engine.settings)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_exception_never_shows_a_secret_in_either_format(log_format: str) -> None:
    """An operator's log, text or JSON, never shows a token: not in the message, not in the
    arguments, not in the exception's message nor in the traceback's source lines."""
    metrics_token = "metrics-token-0123456789"
    callback = "https://bot.example/kling/callback/cb-token-abcdefgh1234"
    stream = io.StringIO()
    logger = logging.getLogger(f"test.logs.scrub.{log_format}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = make_handler([TOKEN, KLING_TOKEN, metrics_token], log_format, stream)
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"refused {TOKEN} {KLING_TOKEN} {metrics_token} {callback}")
        except RuntimeError:
            logger.exception("Failed with %s and %s at %s", TOKEN, metrics_token, callback)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    for secret in (TOKEN, KLING_TOKEN, metrics_token, "cb-token-abcdefgh1234"):
        assert secret not in text, secret
    assert "<secret>" in text and "/kling/callback/<token>" in text
