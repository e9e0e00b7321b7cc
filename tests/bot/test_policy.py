"""A server's policy (`bot.policy`) on its own: which channels may make videos, what the
server's defaults fill in (and what they leave alone), the once-only note about a removed default
model (on a real SQLite store), and the server staff's limits on what members ask for: explicit
choices refused with their reason, what the member left open steered to allowed values, and
settings whose defaults they would forbid refused (pure: the shipped capability table)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.errors import Notice
from bot.guild_settings import GuildSettings
from bot.kling.capabilities import CapabilityTable, load_capabilities
from bot.kling.options import VideoOptions
from bot.kling.validation import validate
from bot.policy import (
    NotAllowedByServer,
    NotAllowedHere,
    ServerPolicy,
    SettingsConflict,
    allowed_models,
    check_allowed,
    check_channel,
    check_settings,
    steer_to_allowed,
    with_server_defaults,
)
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


# The server staff's limits ------------------------------------------------------------------------

TABLE = load_capabilities()


def run(options: VideoOptions, settings: GuildSettings) -> tuple[str, str | None, int]:
    """What the policy lets through: (model, mode, duration) as validated, or a refusal."""
    steered = steer_to_allowed(with_server_defaults(options, settings), settings, TABLE)
    validated = validate(steered, TABLE)
    check_allowed(validated, settings, TABLE)
    return validated.model, validated.mode, validated.duration


def text(**chosen: object) -> VideoOptions:
    return VideoOptions(action="text2video", prompt="a fox", **chosen)  # type: ignore[arg-type]


def refusal(options: VideoOptions, settings: GuildSettings) -> NotAllowedByServer:
    with pytest.raises(NotAllowedByServer) as refused:
        run(options, settings)
    return refused.value


def test_nothing_is_limited_by_default() -> None:
    assert run(text(model="kling-v3", mode="4k", duration=15, audio=True), GuildSettings()) \
        == ("kling-v3", "4k", 15)


def test_a_forbidden_model_chosen_by_the_member_is_refused_naming_the_allowed_ones() -> None:
    settings = GuildSettings(forbidden_models=("kling-v3", "kling-v3-omni"))
    refused = refusal(text(model="kling-v3"), settings)
    assert refused.code == "settings.forbidden_model"
    assert refused.params["model"] == "kling-v3"
    assert "kling-v3" not in refused.params["allowed"]
    assert "kling-v1-6" in refused.params["allowed"]


def test_an_alias_of_a_forbidden_model_is_refused_too() -> None:
    settings = GuildSettings(forbidden_models=("kling-o1",))
    assert refusal(text(model="kling-video-o1"), settings).params["model"] == "kling-o1"


def test_4k_audio_and_length_chosen_by_the_member_are_refused_with_their_reason() -> None:
    assert refusal(text(model="kling-v3", mode="4k"), GuildSettings(allow_4k=False)).code \
        == "settings.forbidden_4k"
    assert refusal(text(model="kling-v3", audio=True), GuildSettings(allow_audio=False)).code \
        == "settings.forbidden_audio"
    always = refusal(text(model="kling-v3-turbo"), GuildSettings(allow_audio=False))
    assert always.code == "settings.forbidden_audio_model"
    assert always.params == {"model": "kling-v3-turbo"}
    long = refusal(text(model="kling-v3", duration=12), GuildSettings(max_duration=10))
    assert long.code == "settings.forbidden_duration"
    assert long.params == {"duration": 12, "max": 10}


def test_what_the_limits_allow_passes() -> None:
    settings = GuildSettings(forbidden_models=("kling-v1",), allow_4k=False, allow_audio=False,
                             max_duration=10)
    assert run(text(model="kling-v3", mode="pro", duration=10, audio=False), settings) \
        == ("kling-v3", "pro", 10)


def test_the_tables_default_model_when_forbidden_gives_way_to_an_allowed_one() -> None:
    settings = GuildSettings(forbidden_models=(TABLE.default_model,))
    model, _, _ = run(text(), settings)
    assert model != TABLE.default_model and model == allowed_models(TABLE, settings)[0]


def test_a_default_model_that_became_forbidden_falls_back_quietly() -> None:
    # A default can only be set to an allowed model, but an operator's table can make it
    # always-sound later; the member who picked nothing is not refused for it.
    settings = GuildSettings(default_model="kling-v3-turbo", allow_audio=False)
    model, _, _ = run(text(), settings)
    assert model != "kling-v3-turbo"


def test_the_fallback_model_can_do_what_was_asked() -> None:
    omni_only = tuple(n for n, c in TABLE.models.items() if not c.omni)
    settings = GuildSettings(forbidden_models=omni_only)
    images = VideoOptions(action="text2video", prompt="a <<<image_1>>>",
                          image_urls=("https://example.org/a.png",))
    model, _, _ = run(images, settings)
    assert TABLE.models[model].omni


def test_an_unchosen_length_over_the_limit_becomes_the_longest_allowed() -> None:
    # kling-v3 makes 3-15 s: a 15 s default under a 10 s limit runs at 10 s, not refused.
    settings = GuildSettings(default_model="kling-v3", default_duration=15, max_duration=10)
    assert run(text(), settings) == ("kling-v3", "std", 10)
    # No length chosen and none by default: the natural 5 s is over a 4 s limit.
    assert run(text(model="kling-v3"), GuildSettings(max_duration=4))[2] == 4


def test_a_4k_default_mode_is_dropped_quietly_where_4k_is_forbidden() -> None:
    settings = GuildSettings(default_mode="4k", allow_4k=False)
    assert run(text(model="kling-v3"), settings) == ("kling-v3", "std", 5)


def test_an_extend_of_a_forbidden_model_is_refused() -> None:
    extend = VideoOptions(action="extend", model="kling-v1", mode="std", prompt="on",
                          video_id="v1")
    assert refusal(extend, GuildSettings(forbidden_models=("kling-v1",))).code \
        == "settings.forbidden_model"


@pytest.mark.parametrize(("settings", "code"), [
    (GuildSettings(default_model="kling-v3", forbidden_models=("kling-v3",)),
     "settings.default_forbidden_model"),
    (GuildSettings(default_model="kling-v3-turbo", allow_audio=False),
     "settings.default_sound_model"),
    (GuildSettings(default_mode="4k", allow_4k=False), "settings.default_forbidden_4k"),
    (GuildSettings(default_duration=10, max_duration=5), "settings.default_over_max_duration"),
    (GuildSettings(forbidden_models=tuple(TABLE.names())), "settings.no_model_left"),
    (GuildSettings(max_duration=2), "settings.no_model_left"),
    (GuildSettings(default_model="kling-v1-6", max_duration=4),
     "settings.default_model_too_long"),
])
def test_settings_whose_defaults_they_forbid_are_refused(settings: GuildSettings, code: str
                                                          ) -> None:
    with pytest.raises(SettingsConflict) as refused:
        check_settings(settings, TABLE)
    assert refused.value.code == code


def test_consistent_settings_pass() -> None:
    check_settings(GuildSettings(default_model="kling-v3", default_mode="pro",
                                 default_duration=10, forbidden_models=("kling-v1",),
                                 allow_4k=False, allow_audio=False, max_duration=10), TABLE)


def test_a_model_left_open_that_makes_nothing_short_enough_gives_way() -> None:
    # The table's default (kling-v1-6) makes 5 s at least; under a 4 s limit a member who
    # picked nothing gets a model that makes 4 s, not a refusal.
    settings = GuildSettings(max_duration=4)
    model, _, duration = run(text(), settings)
    assert duration == 4 and min(TABLE.models[model].durations) <= 4
    # A member who picks such a model is told the limit.
    assert refusal(text(model="kling-v1-6"), settings).params == {"duration": 5, "max": 4}


def test_a_story_left_without_a_model_goes_to_an_allowed_model_that_cuts_shots() -> None:
    from bot.kling.multishot import parse_story

    story = VideoOptions(action="text2video", prompt="a fox wakes up\na fox runs",
                         story=parse_story("a fox wakes up\na fox runs"))
    cutters = [n for n, c in TABLE.models.items() if c.multi_shot]
    assert len(cutters) >= 2
    model, _, _ = run(story, GuildSettings(forbidden_models=(cutters[0],)))
    assert model == cutters[1]
