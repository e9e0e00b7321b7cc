"""A server's policy (`bot.policy`) on its own: which channels may make videos, what the
server's defaults fill in (and what they leave alone), and the once-only note about a removed
default model, on a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.errors import Notice
from bot.guild_settings import GuildSettings
from bot.kling.capabilities import CapabilityTable, load_capabilities
from bot.kling.options import VideoOptions
from bot.kling.validation import validate
from bot.policy import NotAllowedHere, ServerPolicy, check_channel, with_server_defaults
from bot.store import Store, make_store

GUILD = 5
VIDEOS, THREAD, ELSEWHERE = 100, 101, 200
TEXT = VideoOptions(action="text2video", prompt="a fox")
EXTEND = VideoOptions(action="extend", model="kling-v1", mode="std", prompt="on",
                      video_id="v1")
DEFAULTS = GuildSettings(default_model="kling-v1", default_mode="pro", default_duration=10)


class Alerts:
    def __init__(self) -> None:
        self.sent: list[tuple[int | None, Notice]] = []

    async def alert(self, guild_id: int | None, notice: Notice) -> None:
        self.sent.append((guild_id, notice))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = make_store(f"sqlite:///{tmp_path / 'policy.db'}")
    await opened.open()
    yield opened
    await opened.close()


def test_without_allowed_channels_every_channel_may_make_videos() -> None:
    check_channel(GuildSettings(), ELSEWHERE, None)


def test_allowed_channels_and_their_threads_pass_and_others_are_refused() -> None:
    settings = GuildSettings(allowed_channel_ids=(VIDEOS, 300))
    check_channel(settings, VIDEOS, None)
    check_channel(settings, THREAD, VIDEOS)  # a thread counts as its parent channel
    with pytest.raises(NotAllowedHere) as refused:
        check_channel(settings, ELSEWHERE, None)
    assert refused.value.code == "settings.not_allowed_here"
    assert refused.value.params == {"channel_ids": [VIDEOS, 300]}


def test_defaults_fill_what_the_member_left_open_and_are_marked() -> None:
    filled = with_server_defaults(TEXT, DEFAULTS)
    assert (filled.model, filled.mode, filled.duration) == ("kling-v1", "pro", 10)
    assert filled.defaulted == {"model", "mode", "duration"}
    mine = with_server_defaults(VideoOptions(action="text2video", prompt="p", model="kling-o1"),
                                DEFAULTS)
    assert mine.model == "kling-o1" and mine.defaulted == {"mode", "duration"}


def test_an_extend_takes_no_default() -> None:
    assert with_server_defaults(EXTEND, DEFAULTS) is EXTEND


def test_a_default_the_model_lacks_falls_back_quietly() -> None:
    # kling-o1 makes 5-second videos only: the server's 10 is not the member's mistake.
    options = with_server_defaults(
        VideoOptions(action="text2video", prompt="p", model="kling-o1"),
        GuildSettings(default_duration=10))
    assert validate(options, load_capabilities()).duration == 5


async def test_apply_refuses_before_filling_anything(store: Store) -> None:
    alerts = Alerts()
    policy = ServerPolicy(store=store, capabilities=load_capabilities(), alerts=alerts)
    settings = GuildSettings(allowed_channel_ids=(VIDEOS,), default_model="gone-model")
    with pytest.raises(NotAllowedHere):
        await policy.apply(GUILD, ELSEWHERE, None, TEXT, settings)
    with pytest.raises(NotAllowedHere):
        await policy.apply(GUILD, ELSEWHERE, None, EXTEND, settings)
    assert alerts.sent == []
    assert await policy.apply(GUILD, THREAD, VIDEOS, EXTEND, settings) is EXTEND


async def test_a_removed_default_model_is_noted_once_and_falls_back(store: Store) -> None:
    alerts = Alerts()
    table: CapabilityTable = load_capabilities()
    policy = ServerPolicy(store=store, capabilities=table, alerts=alerts)
    settings = GuildSettings(default_model="gone-model")
    for _ in range(2):
        options = await policy.apply(GUILD, VIDEOS, None, TEXT, settings)
        assert validate(options, table).model == table.default_model
    assert alerts.sent == [(GUILD, Notice("alert.default_model_removed",
                                          {"model": "gone-model",
                                           "fallback": table.default_model}))]
    # A member who picks a model is not the occasion for the note.
    other = GuildSettings(default_model="another-gone-model")
    await policy.apply(GUILD, VIDEOS, None, VideoOptions(action="text2video", prompt="p",
                                                         model="kling-v1"), other)
    assert len(alerts.sent) == 1


async def test_a_failing_alert_does_not_refuse_the_job(store: Store) -> None:
    class Broken:
        async def alert(self, guild_id: int | None, notice: Notice) -> None:
            raise ConnectionError("Discord is away")

    policy = ServerPolicy(store=store, capabilities=load_capabilities(), alerts=Broken())
    options = await policy.apply(GUILD, VIDEOS, None, TEXT,
                                 GuildSettings(default_model="gone-model"))
    assert options.model == "gone-model" and "model" in options.defaulted
