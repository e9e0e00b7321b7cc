"""Each cog holds one feature (`bot.discord.feature_cog`): loading it registers its persistent
buttons and puts its commands under the group it shares, in the group's order; unloading it
takes both away again, and the last cog out of a group removes the group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.discord.client import KlingBot
from bot.discord.ui.community_buttons import ReportActionButton, ReportButton, ReviewButton
from bot.discord.ui.job_buttons import JobButton
from bot.discord.ui.references import ClearReferencesButton
from tests.bot.discord.i18n.test_command_texts import bot_with_commands

KLINGBOT_COGS = ("cogs.settings", "cogs.filters", "cogs.rewards", "cogs.status")


def buttons(bot: KlingBot) -> set[type[Any]]:
    """The persistent buttons the client listens for (discord.py keeps no public list)."""
    return set(bot._connection._view_store._dynamic_items.values())


def subcommands(bot: KlingBot, group: str) -> list[str] | None:
    found = bot.tree.get_command(group)
    return None if found is None else [c.name for c in found.commands]  # type: ignore[union-attr]


async def test_every_feature_registers_its_own_buttons(tmp_path: Path) -> None:
    bot = await bot_with_commands(tmp_path)
    assert buttons(bot) == {JobButton, ClearReferencesButton, ReviewButton, ReportButton,
                            ReportActionButton}
    await bot.unload_extension("cogs.reports")
    assert ReportButton not in buttons(bot) and ReportActionButton not in buttons(bot)
    assert ReviewButton in buttons(bot)
    await bot.load_extension("cogs.reports")
    assert {ReportButton, ReportActionButton} <= buttons(bot)


async def test_shared_groups_keep_their_order_whatever_loads_first(tmp_path: Path) -> None:
    bot = await bot_with_commands(tmp_path)
    assert subcommands(bot, "klingbot") == ["settings", "filter", "rewards", "status"]
    assert subcommands(bot, "video") == ["text", "image", "history", "notify", "omni", "story"]
    await bot.unload_extension("cogs.settings")
    await bot.unload_extension("cogs.my_videos")
    assert subcommands(bot, "klingbot") == ["filter", "rewards", "status"]
    assert subcommands(bot, "video") == ["text", "image", "omni", "story"]
    await bot.load_extension("cogs.settings")
    await bot.load_extension("cogs.my_videos")
    assert subcommands(bot, "klingbot") == ["settings", "filter", "rewards", "status"]
    assert subcommands(bot, "video") == ["text", "image", "history", "notify", "omni", "story"]
    for extension in KLINGBOT_COGS:
        await bot.unload_extension(extension)
    assert subcommands(bot, "klingbot") is None
