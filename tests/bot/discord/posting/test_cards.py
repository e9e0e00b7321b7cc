"""How a job looks in Discord (`bot.discord.posting.cards`), without a gateway: the status card
in each state, an omni job's or a story's card with what the bot did on the member's behalf (the
notes recorded on the job) in the reader's language, Discord's size limits, the audit line, and
thread names."""

from __future__ import annotations

import dataclasses
import logging
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.discord.i18n.limits import (
    EMBED_FIELD_LIMIT,
    EMBED_FOOTER_LIMIT,
    MESSAGE_LIMIT,
    THREAD_NAME_LIMIT,
)
from bot.discord.i18n.texts import speaking, text
from bot.discord.posting.cards import (
    COLOURS,
    MEMBER_FETCHES,
    TYPICAL_SECONDS,
    audit_line,
    fit_lines,
    result_embed,
    result_footer,
    status_card,
    thread_name,
)
from bot.jobs.queue_plan import PLACES_SHOWN
from bot.store import AuditEntry, Job, JobState
from tests.builders import job

GUILD = 10
ALICE = 1
SUBMITTED_AT = 1_700_000_000.0


def a_job(**changes: Any) -> Job:
    return dataclasses.replace(job("b" * 20, GUILD, ALICE, SUBMITTED_AT - 30), **changes)


def state_of(card: discord.Embed) -> str:
    """The card's last field: its state line."""
    return str(card.fields[-1].value)


STATES = [
    (a_job(queue_position=3), text("card.state.queued", position=3)),
    (a_job(queue_position=PLACES_SHOWN), text("card.state.queued", position=PLACES_SHOWN)),
    (a_job(queue_position=PLACES_SHOWN + 1),
     text("card.state.queued_beyond", position=PLACES_SHOWN)),
    (a_job(), text("card.state.queued_first")),
    (a_job(state=JobState.RESERVED), text("card.state.reserved")),
    (a_job(state=JobState.SUBMITTED), text("card.state.unconfirmed")),
    (a_job(state=JobState.SUBMITTED, task_id="t1", submitted_at=SUBMITTED_AT),
     text("card.state.submitted", since=int(SUBMITTED_AT),
          eta=int(SUBMITTED_AT) + TYPICAL_SECONDS)),
    (a_job(state=JobState.SUCCEEDED), text("card.state.succeeded")),
    (a_job(state=JobState.FAILED, error_message="Kling said no.", cost=4),
     text("card.state.failed", reason="Kling said no. " + text("card.refunded", cost=4))),
]


@pytest.mark.parametrize(("shown", "line"), STATES,
                         ids=[f"{j.state.value}-{i}" for i, (j, _) in enumerate(STATES)])
def test_each_state_has_its_line_and_colour(shown: Job, line: str) -> None:
    card = status_card(shown)
    assert state_of(card) == line
    assert card.colour == COLOURS[shown.state]


def test_a_delivered_card_links_to_its_result() -> None:
    card = status_card(a_job(state=JobState.DELIVERED), result_link="https://example/1")
    assert state_of(card) == text("card.state.delivered", link="https://example/1")
    assert card.colour == discord.Colour.green()
    assert card.colour != status_card(a_job(state=JobState.FAILED)).colour


def test_the_card_names_the_requester_the_settings_and_the_action() -> None:
    card = status_card(a_job(credits_left=7), note="a note")
    assert card.title == text("card.title.text2video")
    assert card.fields[0].value == text("card.requester", user_id=ALICE)
    assert text("card.credits_left", left=7) in str(card.fields[1].value)
    assert card.footer.text == "a note"


def test_long_prompts_and_reasons_are_clipped_to_discords_limits() -> None:
    long = a_job(prompt="word " * 2000, state=JobState.FAILED, error_message="x" * 5000)
    card = status_card(long, note="n" * 5000)
    assert card.description is not None and len(card.description) <= 1000
    assert all(len(str(f.value)) <= EMBED_FIELD_LIMIT for f in card.fields)
    assert card.footer.text is not None and len(card.footer.text) <= EMBED_FOOTER_LIMIT
    assert len(card) <= 6000  # Discord's limit for all of an embed's text
    result = result_embed(dataclasses.replace(long, state=JobState.DELIVERED))
    assert result.description is not None and len(result.description) <= 2000
    assert result.footer.text == result_footer(long.id)


def test_an_empty_prompt_shows_a_dash() -> None:
    assert status_card(a_job(prompt="")).description == "—"


def test_the_audit_line_fits_in_one_message() -> None:
    entry = AuditEntry(guild_id=GUILD, actor_id=3, action="set_role_limit", target_id=99,
                       old_value="1", new_value="2" * 3000, reason="r" * 3000, created_at=0.0)
    line = audit_line(entry)
    assert len(line) <= MESSAGE_LIMIT
    assert "<@&99>" in line  # a role's limit names the role, not a member


def test_fit_lines_keeps_whole_lines_only() -> None:
    lines = [f"line {i} " + "x" * 90 for i in range(40)]
    kept = fit_lines(lines)
    assert len(kept) <= MESSAGE_LIMIT
    assert kept.split("\n") == lines[:len(kept.split("\n"))]


class Guild:
    def __init__(self, members: dict[int, str]) -> None:
        self.members = members
        self.fetches = 0

    def get_role(self, role_id: int) -> Any:
        return SimpleNamespace(name="artists") if role_id == 5 else None

    def get_member(self, user_id: int) -> Any:
        return None  # without the members intent the cache holds few members

    async def fetch_member(self, user_id: int) -> Any:
        self.fetches += 1
        if user_id not in self.members:
            raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "Unknown")
        return SimpleNamespace(display_name=self.members[user_id])


class Client:
    def __init__(self, guild: Guild) -> None:
        self.guild = guild

    def get_guild(self, guild_id: int) -> Guild | None:
        return self.guild if guild_id == GUILD else None

    def get_channel(self, channel_id: int) -> Any:
        return SimpleNamespace(name="general") if channel_id == 7 else None

    def get_user(self, user_id: int) -> Any:
        return None


async def test_a_thread_is_named_after_the_prompt_as_a_reader_sees_it() -> None:
    client = Client(Guild({1: "alice"}))
    prompt = "<@1> and <@&5> dance\nin <#7> <:party:123> <@&6> <#8> <@404>"
    name = await thread_name(client, a_job(prompt=prompt))
    assert name == ("@alice and @artists dance in #general :party: @unknown-role "
                    "#unknown-channel @unknown-user")


async def test_a_thread_name_is_cut_to_discords_limit_and_never_empty() -> None:
    client = Client(Guild({}))
    long = await thread_name(client, a_job(prompt="a" * 500))
    assert len(long) <= THREAD_NAME_LIMIT
    empty = await thread_name(client, a_job(prompt="  \n "))
    assert empty == text("card.title.text2video")


async def test_a_thread_name_fetches_few_members() -> None:
    guild = Guild({i: f"m{i}" for i in range(1, 20)})
    prompt = " ".join(f"<@{i}>" for i in range(1, 20))
    name = await thread_name(Client(guild), a_job(prompt=prompt))
    assert guild.fetches == MEMBER_FETCHES
    assert name.startswith("@m1 @m2") and "@unknown-user" in name


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
