"""The commands as the bot syncs them, against the payload the bot synced before
`/klingbot settings` became subcommands (`tests/fixtures/commands_before_settings_split.json`,
saved from that code): members see every command as before, and staff see only
`/klingbot settings` changed, its 21 options now spread over subcommands by topic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.discord.i18n.command_texts import CommandTranslator
from bot.discord.i18n.texts import CATALOGUES
from tests.bot.discord.i18n.test_command_texts import bot_with_commands
from tests.settings_commands import TOPICS

BEFORE = Path(__file__).resolve().parents[2] / "fixtures" / "commands_before_settings_split.json"
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2


async def payload_now(tmp_path: Path) -> list[dict[str, Any]]:
    bot = await bot_with_commands(tmp_path)
    await bot.tree.set_translator(CommandTranslator(CATALOGUES))
    # Through JSON, as it is sent (and as the fixture was saved).
    return json.loads(json.dumps(await bot.command_payload()))  # type: ignore[no-any-return]


def by_name(commands: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, Any]]:
    return {(c.get("type", 1), c["name"]): c for c in commands}


def without_settings(klingbot: dict[str, Any]) -> dict[str, Any]:
    return {**klingbot, "options": [o for o in klingbot["options"] if o["name"] != "settings"]}


async def test_only_klingbot_settings_changed(tmp_path: Path) -> None:
    before = by_name(json.loads(BEFORE.read_text(encoding="utf-8")))
    now = by_name(await payload_now(tmp_path))
    assert now.keys() == before.keys()
    for key in before:
        if key != (1, "klingbot"):
            assert now[key] == before[key], key  # /video, /quota and the menus, as they were
    assert without_settings(now[(1, "klingbot")]) == without_settings(before[(1, "klingbot")])


async def test_settings_options_moved_to_subcommands_unchanged(tmp_path: Path) -> None:
    """Each old option is under the subcommand for its topic, with its name, type,
    description, choices, bounds and translations as before."""
    def settings_of(commands: dict[tuple[int, str], dict[str, Any]]) -> dict[str, Any]:
        return next(o for o in commands[(1, "klingbot")]["options"] if o["name"] == "settings")

    old = settings_of(by_name(json.loads(BEFORE.read_text(encoding="utf-8"))))
    new = settings_of(by_name(await payload_now(tmp_path)))
    assert new["type"] == SUBCOMMAND_GROUP and new["description"] == old["description"]
    subcommands = {s["name"]: s for s in new["options"]}
    assert list(subcommands) == ["show", *TOPICS]
    assert all(s["type"] == SUBCOMMAND for s in subcommands.values())
    assert subcommands["show"].get("options", []) == []
    old_options = {o["name"]: o for o in old["options"]}
    moved = set()
    for topic, names in TOPICS.items():
        options = {o["name"]: o for o in subcommands[topic]["options"]}
        assert list(options) == [*names, "reason"]
        for name in [*names, "reason"]:
            assert options[name] == old_options[name], (topic, name)
            moved.add(name)
    assert moved == set(old_options)

