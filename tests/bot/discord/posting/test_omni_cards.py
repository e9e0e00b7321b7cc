"""The card of an omni job or a story: its title, and what the bot did on the member's behalf
(the notes recorded on the job), in the reader's language."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest

from bot.discord.i18n.texts import speaking
from bot.discord.posting.cards import status_card
from bot.store import Job
from tests.builders import job


def a_job(**changes: Any) -> Job:
    return dataclasses.replace(job("c" * 20, 10, 1, 1_700_000_000.0), **changes)


def shown(embed: Any) -> list[str]:
    return [str(field.value) for field in embed.fields]


def test_an_omni_card_says_the_bot_cited_the_images() -> None:
    omni = a_job(request={"image_list": [{"image_url": "u"}] * 3},
                 notes=[{"code": "note.omni_cited", "params": {"count": 3}}])
    card = status_card(omni)
    assert card.title == "Video from references"
    assert "The prompt cited no image, so the bot cited all 3 images, in order." in shown(card)
    with speaking("ko"):
        korean = status_card(omni)
    assert korean.title == "참조로 만드는 비디오"
    assert "프롬프트가 이미지를 부르지 않아서 봇이 이미지 3개를 순서대로 불렀어요." in shown(korean)


def test_a_story_card_says_the_bot_filled_the_lengths() -> None:
    story = a_job(request={"multi_shot": True},
                  notes=[{"code": "note.story_filled", "params": {"lengths": [4, 3, 3]}}])
    card = status_card(story)
    assert card.title == "Story in shots"
    assert "The bot filled the shots' open lengths evenly: 4 + 3 + 3 s." in shown(card)


def test_a_job_without_notes_has_no_note_and_an_unknown_note_is_skipped(
        caplog: pytest.LogCaptureFixture) -> None:
    plain = status_card(a_job())
    assert plain.title == "Text to video" and len(plain.fields) == 3
    caplog.set_level(logging.WARNING)
    newer = status_card(a_job(notes=[{"code": "note.from_the_future", "params": {}}]))
    assert len(newer.fields) == 3
    assert "unknown note code note.from_the_future" in caplog.text
