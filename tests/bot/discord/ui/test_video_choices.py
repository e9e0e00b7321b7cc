"""The /video commands' choices, from the capability table: an operator's added model shows up
in the list of every command whose jobs it can run, 4K is never offered for omni jobs, and no
list is longer than Discord allows."""

from __future__ import annotations

from typing import Any

from bot.discord.ui.video_choices import video_choices
from bot.kling.capabilities import parse_table


def values(choices: list[Any]) -> list[Any]:
    return [choice.value for choice in choices]


def test_an_added_model_is_offered_by_every_command_it_can_serve() -> None:
    table = parse_table({"models": {
        "plain": {"modes": ["std"], "durations": [5]},
        "mine": {"label": "My model", "modes": ["pro", "std", "4k", "8k"], "durations": [4, 9],
                 "multi_shot": True, "omni": {"max_images": 3}},
    }})
    offered = video_choices(table)
    assert values(offered["text"]["model"]) == ["plain", "mine"]
    assert offered["text"]["model"][1].name == "My model (mine)"
    assert values(offered["omni"]["model"]) == values(offered["story"]["model"]) == ["mine"]
    assert values(offered["text"]["mode"]) == ["std", "pro", "4k", "8k"]
    assert values(offered["omni"]["mode"]) == ["std", "pro", "8k"]
    assert values(offered["story"]["duration"]) == [4, 9]


def test_no_list_is_longer_than_discord_allows() -> None:
    table = parse_table({"models": {f"m{n}": {"durations": {"min": 1, "max": 40}, "omni": True}
                                    for n in range(30)}})
    for command in video_choices(table).values():
        assert all(len(listed) <= 25 for listed in command.values())
