"""The fake Discord under the REAL discord.py client: every test here runs a real
``commands.Bot`` (or ``AutoShardedBot``) against ``FakeDiscord`` and fails on any ERROR-level log
from discord.py, because exceptions raised in views, modals and dynamic items are only logged,
never raised to the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from testkit.fakes.discord import FakeDiscord


@pytest.fixture(autouse=True)
def no_discord_errors(error_logs: Any) -> Iterator[None]:
    """Swallowed exceptions (view callbacks, dynamic items, modals) surface only as logs."""
    yield
    messages = [f"{r.name}: {r.getMessage()}" for r in error_logs.records
                if r.name.startswith("discord")]
    assert not messages, f"discord.py logged errors: {messages}"


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    """The shared fake Discord (tests/discord_support.py), discord.py pointed at it."""
    return fake_discord
