"""The commands as Discord receives them do not change by accident: the payload the bot's tree
syncs (every command, option, choice and translation) is compared, command by command, with
`tests/fixtures/command_payload.json`. A change that is meant (a renamed or new option, new
choices) rewrites the fixture with `python -m tests.bot.discord.test_command_payload` and shows
up in review as a diff of that file."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bot.discord.i18n.command_texts import CommandTranslator
from bot.discord.i18n.texts import CATALOGUES
from tests.bot.discord.i18n.test_command_texts import bot_with_commands

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "command_payload.json"


async def payload(tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Each synced command's payload, by its name (a menu's name is prefixed `menu `)."""
    bot = await bot_with_commands(tmp_path)
    await bot.tree.set_translator(CommandTranslator(CATALOGUES))
    return {(c["name"] if c.get("type", 1) == 1 else f"menu {c['name']}"): c
            for c in await bot.command_payload()}


def recorded() -> dict[str, dict[str, Any]]:
    return dict(json.loads(FIXTURE.read_text(encoding="utf-8")))


async def test_the_same_commands_are_synced() -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert sorted(await payload(Path(folder))) == sorted(recorded())


@pytest.mark.parametrize("name", sorted(recorded()))
async def test_each_command_is_synced_as_recorded(name: str, tmp_path: Path) -> None:
    assert (await payload(tmp_path)).get(name) == recorded()[name]


async def _write() -> None:
    with tempfile.TemporaryDirectory() as folder:
        synced = await payload(Path(folder))
    FIXTURE.write_text(json.dumps(synced, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    print(f"wrote {FIXTURE} ({len(synced)} commands)", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(_write())
