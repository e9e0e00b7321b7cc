"""The commands' own words in Korean (`bot.discord.i18n.command_texts`), without a gateway: the
payload the bot's tree syncs, built from the production extensions with the production
translator, carries a valid `ko` name and description for every command, option and choice;
a missing or unusable Korean string fails here, naming its catalogue id."""

from __future__ import annotations

import shutil
import types
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.discord.client import EXTENSIONS, KlingBot
from bot.discord.i18n.command_texts import (
    COMMAND_ID_PREFIX,
    CommandTranslator,
    served_locales,
    shown_id,
    string_id,
    valid_name,
)
from bot.discord.i18n.texts import CATALOGUES, Catalogues
from bot.kling.capabilities import load_capabilities
from testkit.fakes.discord.limits import chat_input_name
from tests.command_payloads import localisations, sibling_names, without_localisations
from tests.support import make_settings

LOCALES = Path(__file__).resolve().parents[4] / "bot" / "locales"


class RecordingTranslator(CommandTranslator):
    """The production translator, noting every catalogue id it was asked for."""

    def __init__(self, catalogues: Catalogues) -> None:
        super().__init__(catalogues)
        self.asked: set[str] = set()

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if not string.extras.get("verbatim"):
            self.asked.add(shown_id(*string_id(string, context)))
        return await super().translate(string, locale, context)


async def bot_with_commands(tmp_path: Path) -> KlingBot:
    """The production bot with its cogs loaded (no engine, no gateway: the commands only)."""
    bot = KlingBot(make_settings(tmp_path, "http://127.0.0.1:9"))
    bot.services = types.SimpleNamespace(  # type: ignore[assignment]
        capabilities=load_capabilities(), notifier=None)
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    return bot


async def synced(tmp_path: Path, catalogues: Catalogues = CATALOGUES
                 ) -> tuple[list[dict[str, Any]], RecordingTranslator]:
    bot = await bot_with_commands(tmp_path)
    translator = RecordingTranslator(catalogues)
    await bot.tree.set_translator(translator)
    return await bot.command_payload(), translator


def catalogues_without(tmp_path: Path, message: str, replacement: str = "") -> Catalogues:
    """The real catalogues with `message` taken out of ko/commands.ftl (or replaced)."""
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES, folder)
    commands = folder / "ko" / "commands.ftl"
    lines = commands.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{message} ="))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    ."):
        end += 1
    lines[start:end] = [replacement] if replacement else []
    commands.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Catalogues.load(folder)


async def test_every_command_string_has_a_korean_text(tmp_path: Path) -> None:
    payload, translator = await synced(tmp_path)
    assert not translator.problems, (
        "Korean command strings missing or unusable in bot/locales/ko/commands.ftl: "
        + ", ".join(f"{shown} ({why})" for (_, shown), why in sorted(translator.problems.items())))
    gaps = [f"{t.where} ({t.kind})" for t in localisations(payload, "ko") if t.text is None]
    assert not gaps, gaps
    kinds = {t.kind for t in localisations(payload, "ko")}
    assert kinds == {"name", "description", "menu name", "choice name"}


async def test_korean_names_follow_discords_rules_and_read_as_korean(tmp_path: Path) -> None:
    payload, _ = await synced(tmp_path)
    korean = {t.where: t.text for t in localisations(payload, "ko") if t.kind == "name"}
    refused = [f"{where}: {text!r}" for where, text in korean.items()
               if not chat_input_name(text)]
    assert not refused, refused
    too_long = [t for t in localisations(payload, "ko")
                if t.kind in ("description", "choice name") and not 1 <= len(t.text or "") <= 100]
    assert not too_long, too_long
    for where, names in sibling_names(payload, "ko"):
        assert len(names) == len(set(names)), (where, names)
    assert korean["/video"] == "비디오" and korean["/quota"] == "크레딧"
    assert korean["/video text"] == "텍스트" and korean["/video image"] == "이미지"
    assert korean["/klingbot settings"] == "설정"
    menus = {t.text for t in localisations(payload, "ko") if t.kind == "menu name"}
    assert menus == {"Kling으로 비디오 만들기", "참조로 쓰기"}
    assert all(len(menu) <= 32 for menu in menus)
    choices = {t.where: t.text for t in localisations(payload, "ko") if t.kind == "choice name"}
    assert choices["/video text mode: Standard"] == "표준"
    assert choices["/video text mode: Professional"] == "프로"
    # /video's lengths are offered by autocomplete (tests/features/video/test_options.py
    # reads them).
    assert choices["/klingbot settings defaults default_duration: 10 seconds"] == "10초"
    # Model labels and aspect ratios read the same in Korean.
    assert choices["/video text model: Kling 1.6 (kling-v1-6)"] == "Kling 1.6 (kling-v1-6)"
    assert choices["/video text aspect_ratio: 16:9"] == "16:9"


async def test_the_english_payload_is_unchanged_apart_from_the_localisations(
        tmp_path: Path) -> None:
    payload, _ = await synced(tmp_path)
    bot = await bot_with_commands(tmp_path)
    english = await bot.command_payload()  # no translator: the payload as before
    assert without_localisations(payload) == without_localisations(english)
    assert not any("_localizations" in key for command in english for key in command)
    video = next(c for c in payload if c["name"] == "video")
    mode = next(o for o in video["options"][0]["options"] if o["name"] == "mode")
    assert [c["name"] for c in mode["choices"]] == ["Standard", "Professional", "4K"]
    duration = next(o for o in video["options"][0]["options"] if o["name"] == "duration")
    assert duration["autocomplete"] is True and "choices" not in duration
    # Only Korean is served: English is the default, not a localisation.
    assert {locale for t in payload for locale in t.get("name_localizations", {})} == {"ko"}


async def test_a_missing_korean_string_is_named_and_left_to_english(tmp_path: Path) -> None:
    payload, translator = await synced(
        tmp_path, catalogues_without(tmp_path, "cmd-quota-grant-reason"))
    assert translator.problems == {("ko", "cmd-quota-grant-reason"): "missing",
                                   ("ko", "cmd-quota-grant-reason.description"): "missing"}
    gaps = [t.where for t in localisations(payload, "ko") if t.text is None]
    assert gaps == ["/quota grant reason", "/quota grant reason"]


async def test_a_name_discord_would_refuse_is_left_out_not_synced(tmp_path: Path) -> None:
    broken = catalogues_without(tmp_path, "cmd-video-text",
                                "cmd-video-text = 텍스트로 비디오\n"
                                "    .description = 프롬프트로 비디오를 만듭니다")
    payload, translator = await synced(tmp_path, broken)
    assert translator.problems == {
        ("ko", "cmd-video-text"): "Discord would refuse '텍스트로 비디오'"}
    text = next(o for o in payload[0]["options"] if o["name"] == "text")
    assert text["name_localizations"] == {}
    assert text["description_localizations"] == {"ko": "프롬프트로 비디오를 만듭니다"}


async def test_every_korean_command_string_is_used(tmp_path: Path) -> None:
    """A translation left behind by a renamed command or option is found, not kept."""
    _, translator = await synced(tmp_path)
    bundle = CATALOGUES.bundles["ko"]
    written = set()
    for message in (m for m in CATALOGUES.ids["ko"] if m.startswith(COMMAND_ID_PREFIX)):
        written.add(message)
        written.update(f"{message}.{a}" for a in bundle.get_message(message).attributes)
    assert written - translator.asked == set()


async def test_the_command_hash_covers_the_translations(tmp_path: Path) -> None:
    bot = await bot_with_commands(tmp_path)
    plain = await bot.command_digest()
    await bot.tree.set_translator(CommandTranslator(CATALOGUES))
    korean = await bot.command_digest()
    await bot.tree.set_translator(CommandTranslator(
        catalogues_without(tmp_path, "cmd-quota-me", "cmd-quota-me = 내-크레딧\n"
                                                     "    .description = 내 크레딧")))
    assert len({plain, korean, await bot.command_digest()}) == 3


def test_each_catalogue_language_serves_the_discord_locales_of_its_language(
        tmp_path: Path) -> None:
    assert served_locales(CATALOGUES) == {discord.Locale.korean: "ko"}
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES, folder)
    for language in ("es", "zh-TW", "eo"):  # Esperanto: no Discord locale, nothing served
        (folder / language).mkdir()
        (folder / language / "commands.ftl").write_text("cmd-video = vídeo\n")
    served = served_locales(Catalogues.load(folder))
    assert {locale.value: language for locale, language in served.items()} == {
        "ko": "ko", "es-ES": "es", "es-419": "es", "zh-TW": "zh-TW"}


@pytest.mark.parametrize(("name", "chat_input", "valid"), [
    ("비디오", True, True), ("네거티브-프롬프트", True, True), ("cfg_scale", True, True),
    ("비디오 만들기", True, False), ("Video", True, False), ("비" * 33, True, False),
    ("", True, False), ("크레딧!", True, False), ("l'heure", True, True),
    ("Kling으로 비디오 만들기", False, True), ("가" * 33, False, False),
])
def test_discords_naming_rule(name: str, chat_input: bool, valid: bool) -> None:
    assert valid_name(name, chat_input=chat_input) is valid
    if chat_input:  # the fake Discord applies the same rule
        assert chat_input_name(name) is valid
