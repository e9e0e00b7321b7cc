"""Command translations through Discord: the commands the bot syncs carry their Korean names and
descriptions, as the fake Discord stores them, and the fake refuses localisations Discord
would refuse (400, Invalid Form Body 50035)."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.discord.client import GLOBAL_SCOPE
from tests.command_payloads import localisations, without_localisations
from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)


@pytest.mark.usefixtures("no_bot_errors")
async def test_the_global_sync_carries_korean_for_every_command_string(world: World) -> None:
    bot = await world.start_bot(dev_guild_id=None)
    stored = world.discord.commands[None]
    texts = list(localisations(stored, "ko"))
    assert [f"{t.where} ({t.kind})" for t in texts if t.text is None] == []
    assert {t.kind for t in texts} == {"name", "description", "menu name", "choice name"}
    by_place = {(t.where, t.kind): t.text for t in texts}
    assert by_place[("/video", "name")] == "비디오"
    assert by_place[("/video text prompt", "description")] == "비디오에서 일어날 일을 적어 주세요"
    assert by_place[("/quota usage period: this period", "choice name")] == "이번 기간"
    assert by_place[("menu Animate with Kling", "menu name")] == "Kling으로 비디오 만들기"
    # English stays the default: the names members of other locales see, and Discord sends.
    assert {c["name"] for c in stored} == {"video", "quota", "klingbot", "Animate with Kling",
                                             "Use as reference"}
    # The hash that spares the next start a sync is the one of what was synced, translations
    # included.
    state = await bot.engine.store.guild_settings(GLOBAL_SCOPE)
    assert state["command_hash"] == await bot.command_digest()


@pytest.mark.usefixtures("no_bot_errors")
async def test_the_dev_guild_gets_the_same_localised_commands(world: World) -> None:
    await world.start_bot()  # dev guild sync
    in_guild = world.discord.commands[world.discord.guild_id]
    assert [t.where for t in localisations(in_guild, "ko") if t.text is None] == []
    # A Korean member runs the command by its English name, as Discord sends it.
    inter = await world.video(world.alice, options={"prompt": "눈 속의 여우"})
    assert "on its way" in await world.wait_private_reply(inter)


def slash(**changes: Any) -> dict[str, Any]:
    command: dict[str, Any] = {
        "type": 1, "name": "video", "description": "Make a video",
        "name_localizations": {"ko": "비디오"}, "description_localizations": {"ko": "비디오"},
        "options": [{"type": 3, "name": "mode", "description": "Mode", "required": False,
                     "name_localizations": {"ko": "모드"},
                     "choices": [{"name": "Standard", "value": "std",
                                  "name_localizations": {"ko": "표준"}}]}],
    }
    for path, value in changes.items():
        target = command
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value
    return command


MENU = {"type": 3, "name": "Animate with Kling",
        "name_localizations": {"ko": "Kling으로 비디오 만들기"}}


@pytest.mark.parametrize(("command", "field"), [
    (slash(name_localizations={"xx": "비디오"}), "0.name_localizations.xx"),
    (slash(name_localizations={"ko": "비디오 만들기"}), "0.name_localizations.ko"),
    (slash(name_localizations={"ko": "Video"}), "0.name_localizations.ko"),
    (slash(name_localizations={"ko": "비" * 33}), "0.name_localizations.ko"),
    (slash(description_localizations={"ko": "가" * 101}), "0.description_localizations.ko"),
    (slash(description_localizations={"ko": ""}), "0.description_localizations.ko"),
    (slash(options__0__name_localizations={"ko": "기본 모드"}),
     "0.options.0.name_localizations.ko"),
    (slash(options__0__description_localizations={"en-US": "x" * 101}),
     "0.options.0.description_localizations.en-US"),
    (slash(options__0__choices__0__name_localizations={"ko": "표" * 101}),
     "0.options.0.choices.0.name_localizations.ko"),
    (slash(options__0__choices__0__name_localizations={"kr": "표준"}),
     "0.options.0.choices.0.name_localizations.kr"),
    (slash(options=[{"type": 3, "name": "mode", "description": "Mode",
                     "name_localizations": {"ko": "모드"}},
                    {"type": 3, "name": "model", "description": "Model",
                     "name_localizations": {"ko": "모드"}}]),
     "0.options.name_localizations.ko"),
    ({**MENU, "name_localizations": {"ko": "가" * 33}}, "0.name_localizations.ko"),
])
async def test_the_fake_discord_refuses_what_discord_refuses(
        world: World, command: dict[str, Any], field: str) -> None:
    bot = await world.start_bot()
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.bulk_upsert_guild_commands(bot.application_id, world.discord.guild_id,
                                                  payload=[command])
    assert (refused.value.status, refused.value.code) == (400, 50035)
    assert field in refused.value.text, refused.value.text


async def test_the_fake_discord_stores_valid_localisations_as_sent(world: World) -> None:
    bot = await world.start_bot()
    sent = [slash(name_localizations={"ko": "비디오", "ja": "ビデオ", "hi": "वीडियो"}), MENU]
    stored = await bot.http.bulk_upsert_guild_commands(bot.application_id,
                                                       world.discord.guild_id, payload=sent)
    assert stored[0]["name_localizations"] == {"ko": "비디오", "ja": "ビデオ", "hi": "वीडियो"}
    assert stored[0]["options"][0]["choices"][0]["name_localizations"] == {"ko": "표준"}
    assert stored[1]["name_localizations"] == {"ko": "Kling으로 비디오 만들기"}
    assert without_localisations(stored[0])["options"] == without_localisations(
        sent[0]["options"])
