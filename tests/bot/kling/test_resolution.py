"""Which model, mode and length a request runs on (`bot.kling.resolution`), decided once for
validation, the server's policy and the duration list a member picks from: what a member left
open is filled and never refused, what they chose is checked, and the list offered is the list
of the model the job will really run on. Pure: the shipped capability table, no store."""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import pytest

from bot.guild_settings import GuildSettings
from bot.kling.capabilities import load_capabilities, parse_table
from bot.kling.multishot import Shot, Story
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate
from bot.policy import planned_model, steer_to_allowed, with_server_defaults

TABLE = load_capabilities()
TEXT = VideoOptions(action="text2video", prompt="a fox")
IMAGE = VideoOptions(action="image2video", start_image_url="https://img.example/a.png")
OMNI = replace(TEXT, image_urls=("https://img.example/a.png",))
STORY = replace(TEXT, prompt=None, story=Story((Shot("a fox", 4), Shot("runs", 3))))
END = "https://img.example/end.png"


NO_SETTINGS = GuildSettings()


def runs_on(options: VideoOptions, settings: GuildSettings = NO_SETTINGS
            ) -> tuple[str, str | None, int]:
    """(model, mode, duration) as the server's defaults, its limits and validation leave them."""
    steered = steer_to_allowed(with_server_defaults(options, settings), settings, TABLE)
    request = validate(steered, TABLE)
    return request.model, request.mode, request.duration


# ---- the model

def test_a_member_who_picks_no_model_gets_the_tables_default_or_the_servers() -> None:
    assert runs_on(TEXT) == ("kling-v1-6", "std", 5)
    assert runs_on(TEXT, GuildSettings(default_model="kling-v3")) == ("kling-v3", "std", 5)


def test_a_server_default_the_operator_removed_falls_back_to_the_tables() -> None:
    assert runs_on(TEXT, GuildSettings(default_model="kling-v9"))[0] == "kling-v1-6"


def test_an_omni_job_or_a_story_without_a_model_runs_on_the_first_model_that_can() -> None:
    assert runs_on(OMNI)[0] == "kling-v3-omni"
    assert runs_on(OMNI, GuildSettings(default_model="kling-v2-6"))[0] == "kling-v3-omni"
    assert runs_on(OMNI, GuildSettings(default_model="kling-o1"))[0] == "kling-o1"
    assert runs_on(STORY, GuildSettings(default_model="kling-v1"))[0] == "kling-v3"


def test_a_model_the_member_named_is_kept_or_refused_never_swapped() -> None:
    assert runs_on(replace(TEXT, model="kling-video-o1"))[0] == "kling-o1"
    with pytest.raises(InvalidOptions) as refused:
        runs_on(replace(TEXT, model="kling-v9"))
    assert refused.value.code == "invalid.unknown_model"
    with pytest.raises(InvalidOptions) as refused:
        runs_on(replace(OMNI, model="kling-v1"))
    assert refused.value.code == "invalid.omni_only"


# ---- the mode

def test_a_mode_the_member_chose_is_checked_and_a_default_one_falls_back() -> None:
    with pytest.raises(InvalidOptions) as refused:
        runs_on(replace(TEXT, model="kling-v1", mode="4k"))
    assert refused.value.code == "invalid.mode"
    with pytest.raises(InvalidOptions) as refused:
        runs_on(replace(TEXT, model="kling-v2-master", mode="pro"))
    assert refused.value.code == "invalid.mode_single"
    assert runs_on(replace(TEXT, model="kling-v1"), GuildSettings(default_mode="4k"))[1] == "std"
    assert runs_on(replace(TEXT, model="kling-v2-master"),
                   GuildSettings(default_mode="pro"))[1] is None


# ---- the length

def test_a_length_left_open_is_5_seconds_or_the_servers_default_s_nearest() -> None:
    assert runs_on(replace(TEXT, model="kling-v3"))[2] == 5
    assert runs_on(TEXT, GuildSettings(default_duration=7))[2] == 5
    assert runs_on(TEXT, GuildSettings(default_duration=8))[2] == 10
    assert runs_on(replace(TEXT, model="kling-v3"), GuildSettings(default_duration=7))[2] == 7


def test_the_nearest_length_is_the_shorter_on_a_tie_and_the_first_without_5() -> None:
    table = parse_table({"models": {"m": {"modes": [], "durations": [4, 8]}}})
    assert validate(replace(TEXT, model="m"), table).duration == 4
    assert validate(replace(TEXT, model="m", duration=6, defaulted=frozenset({"duration"})),
                    table).duration == 4


def test_an_end_frame_or_a_loop_makes_a_length_left_open_5_seconds() -> None:
    settings = GuildSettings(default_duration=10)
    assert runs_on(replace(IMAGE, model="kling-v3", end_image_url=END), settings)[2] == 5
    assert runs_on(replace(IMAGE, model="kling-v1", loop=True), settings)[2] == 5
    # Chosen, it is the member's: kling-v3's end frames take any length.
    assert runs_on(replace(IMAGE, model="kling-v3", end_image_url=END, duration=8))[2] == 8


def test_a_story_whose_shots_give_every_length_runs_for_their_sum() -> None:
    assert runs_on(STORY, GuildSettings(default_duration=10))[2] == 7


def test_a_length_the_member_chose_is_refused_where_the_model_does_not_make_it() -> None:
    with pytest.raises(InvalidOptions) as refused:
        runs_on(replace(TEXT, model="kling-v1", duration=7))
    assert refused.value.code == "invalid.duration"
    with pytest.raises(InvalidOptions) as refused:
        runs_on(replace(TEXT, model="kling-v3", duration=20))
    assert refused.value.code == "invalid.duration_range"


def test_a_servers_longest_length_shortens_what_the_member_left_open() -> None:
    settings = GuildSettings(max_duration=8)
    assert runs_on(replace(TEXT, model="kling-v3"), GuildSettings(default_duration=10,
                                                                  max_duration=8))[2] == 8
    # No model short enough picked: the first allowed model that makes one.
    assert runs_on(TEXT, GuildSettings(max_duration=4)) == ("kling-v3", "std", 4)
    assert runs_on(TEXT, settings) == ("kling-v1-6", "std", 5)


# ---- the duration list's model is the job's

SETTINGS = [
    GuildSettings(),
    GuildSettings(default_model="kling-v3"),
    GuildSettings(default_model="kling-v9"),
    GuildSettings(default_model="kling-v3-turbo", default_duration=12),
    GuildSettings(forbidden_models=("kling-v1-6",)),
    GuildSettings(max_duration=4),
    GuildSettings(max_duration=8, default_model="kling-v3"),
    GuildSettings(allow_audio=False),
]
REQUESTS = [
    TEXT, IMAGE, OMNI, STORY,
    replace(TEXT, model="kling-v2-6"), replace(IMAGE, model="kling-v3", loop=True),
    replace(TEXT, camera="zoom_in"),
]


@pytest.mark.parametrize(("settings", "options"), list(product(SETTINGS, REQUESTS)))
def test_the_model_the_lengths_are_offered_for_is_the_one_the_job_runs_on(
        settings: GuildSettings, options: VideoOptions) -> None:
    try:
        model = runs_on(options, settings)[0]
    except InvalidOptions:
        return  # refused as asked: no job, whatever the list showed
    assert planned_model(options, settings, TABLE).name == model


def test_a_model_the_table_does_not_know_lists_the_servers_default_s_lengths() -> None:
    """What the member typed is not a model: the list falls back as if none was picked
    (validation refuses the name when the command is sent)."""
    settings = GuildSettings(default_model="kling-v3")
    assert planned_model(replace(TEXT, model="kling-v9"), settings, TABLE).name == "kling-v3"


def test_the_list_of_a_server_that_allows_only_short_videos_is_the_short_model_s() -> None:
    """The table's default makes nothing as short as 4 s: the job runs on the first model
    that does, and the list is that model's."""
    assert planned_model(TEXT, GuildSettings(max_duration=4), TABLE).name == "kling-v3"
