"""Prompt filter checks through the real core on SQLite and PostgreSQL: one server's slow
rule (inserted in the store, past the check at add time) refuses that server's long prompts,
and never holds up another server's checks."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.community.filters import FilterTooSlow, PromptRefused
from bot.jobs import JobRequest
from bot.kling.options import PROMPT_LIMIT, VideoOptions
from bot.store import FilterRow
from tests.conftest import EngineFactory

SLOW_SERVER, QUIET_SERVER = 1, 2
# Generous: a trivial check takes about a millisecond; the bench holds the real figure.
QUIET_BOUND = 1.0


def ask(guild: int, prompt: str) -> JobRequest:
    return JobRequest(guild_id=guild, channel_id=10, user_id=100,
                      options=VideoOptions(action="text2video", prompt=prompt,
                                           model="kling-v1", mode="std", duration=5))


@pytest.mark.timeout(60)
async def test_a_slow_rule_in_one_server_does_not_slow_another(
        make_engine: EngineFactory) -> None:
    engine, _ = await make_engine()
    await engine.store.add_prompt_filter(
        SLOW_SERVER, FilterRow(r"\w+\w+\w+\w+\d", True, 1, time.time()))
    await engine.store.add_prompt_filter(QUIET_SERVER, FilterRow("fox", False, 1, time.time()))

    async def slow_check() -> None:
        with pytest.raises(FilterTooSlow):
            await engine.jobs.quote(ask(SLOW_SERVER, "a" * PROMPT_LIMIT))

    slow = [asyncio.create_task(slow_check()) for _ in range(48)]
    await asyncio.sleep(0.05)  # the slow server's checks are running
    started = time.monotonic()
    with pytest.raises(PromptRefused):
        await engine.jobs.quote(ask(QUIET_SERVER, "a red fox"))
    quiet = time.monotonic() - started
    assert not all(task.done() for task in slow)
    await asyncio.gather(*slow)
    assert quiet < QUIET_BOUND
