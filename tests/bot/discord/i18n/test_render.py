"""The core's codes in words (`bot.discord.i18n.render`), without a gateway: each kind of parameter,
each error the core raises, how a failed job reads (stored before schema 006 too), alerts, and
that every code the core uses has a sentence."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from bot.discord.i18n.render import describe, failure_reason, fields, sentence, shown_prompt
from bot.discord.i18n.texts import has_text, text
from bot.errors import DomainError, Notice
from bot.images import ImageFacts, check_image
from bot.jobs import JobNotCancellable, KlingPaused
from bot.kling.capabilities import load_capabilities
from bot.kling.errors import KlingBadRequest, KlingUnreachable
from bot.kling.options import InvalidOptions, VideoOptions
from bot.kling.validation import validate
from bot.policy import NotAllowedHere
from bot.quotas import Period, QuotaExceeded
from bot.store import Job, JobState, Reservation
from tests.builders import job

RESET = 1_767_250_800  # a UNIX timestamp
BOT = Path(__file__).resolve().parents[4] / "bot"


def a_failed_job(**changes: Any) -> Job:
    return dataclasses.replace(job("c" * 20, 1, 2, 1_700_000_000.0), state=JobState.FAILED,
                               **changes)


def refusal(options: VideoOptions) -> str:
    with pytest.raises(InvalidOptions) as raised:
        validate(options, load_capabilities())
    return sentence(raised.value.notice)


def test_parameters_are_shown_by_their_name() -> None:
    assert fields({"allowed": ["a", "b"], "channel_ids": [7, 8], "resets_at": RESET,
                   "seconds": 1800, "cause": "post.forbidden", "model": "kling-v1"}) == {
        "allowed": "`a`, `b`", "channels": "<#7>, <#8>", "reset": f"<t:{RESET}:R>",
        "span": "30 minutes", "reason": text("post.forbidden"), "model": "kling-v1"}
    # "durations" fills the same field as "allowed", in its own way.
    assert fields({"durations": [5, 10]}) == {"allowed": "5 or 10"}
    assert fields({"allowed": []}) == {"allowed": "none"}


def test_option_errors_read_as_before() -> None:
    assert refusal(VideoOptions(action="text2video", prompt="p", duration=7)) == (
        "`kling-v1-6` makes videos of 5 or 10 seconds, not 7.")
    assert refusal(VideoOptions(action="text2video", prompt="p", model="kling-v9")) == (
        "Unknown model `kling-v9`. Available models: `kling-v1`, `kling-v1-5`, `kling-v1-6`, "
        "`kling-v2-master`, `kling-v2-1-master`, `kling-v2-5-turbo`, `kling-v2-6`, `kling-v3`, "
        "`kling-v3-omni`, `kling-v3-turbo`, `kling-o1`.")
    assert refusal(VideoOptions(action="extend", model="kling-v1", video_id="v",
                                negative_prompt="blur")) == (
        "A negative prompt is not available for extending a video.")
    assert refusal(VideoOptions(action="text2video", prompt="p", model="kling-o1",
                                cfg_scale=0.5)) == "`cfg_scale` is not available for `kling-o1`."


def test_image_errors_read_as_before() -> None:
    def image_refusal(content_type: str | None) -> str:
        with pytest.raises(InvalidOptions) as raised:
            check_image(ImageFacts("cat.gif", content_type, 10, 800, 600), "end_image")
        assert raised.value.option == "end_image"
        return sentence(raised.value.notice)

    assert image_refusal("image/gif") == (
        "`cat.gif` is image/gif; Kling takes PNG or JPEG images only.")
    assert image_refusal(None) == (
        "`cat.gif` is an unknown type; Kling takes PNG or JPEG images only.")


def test_quota_refusals_carry_the_reset_moment_as_a_timestamp() -> None:
    period = Period(RESET - 86400, RESET)
    member = QuotaExceeded.from_reservation(Reservation(False, 4, 5, refusal="member"), 2,
                                            period, None)
    assert member.params["resets_at"] == RESET  # data, not markup
    assert describe(member) == (f"This job costs 2 credits and you have 1 of 5 left. Your "
                                f"credits reset <t:{RESET}:R>.")
    server = QuotaExceeded.from_reservation(Reservation(False, 0, 5, refusal="server"), 1,
                                            period, 30)
    assert describe(server) == (
        f"This server has used its 30 credits for this period. They reset <t:{RESET}:R>.")
    blocked = QuotaExceeded.from_reservation(
        Reservation(False, 0, 5, refusal="blocked", block_reason="spam"), 1, period, None)
    assert describe(blocked) == (
        "You are blocked from making videos in this server. Reason: spam")


def test_the_core_errors_and_kling_errors_in_words() -> None:
    assert describe(KlingPaused()) == text("kling.paused")
    assert describe(JobNotCancellable("cancel.too_late")) == text("cancel.too_late")
    assert describe(NotAllowedHere([5, 6])) == (
        "Videos can be made in these channels only: <#5>, <#6>.")
    assert describe(KlingUnreachable("timeout", request_sent=False)) == text("kling.unavailable")
    assert describe(KlingBadRequest(400, "1201", "bad image")) == (
        "Kling refused the request: bad image")
    assert describe(ValueError("a bug")) is None


def test_a_domain_error_is_data() -> None:
    error = DomainError("quota.blocked", {"reason": "spam"})
    assert (error.code, dict(error.params)) == ("quota.blocked", {"reason": "spam"})
    assert str(error) == "quota.blocked {'reason': 'spam'}"  # for logs
    with pytest.raises(TypeError):
        error.params["reason"] = "changed"  # type: ignore[index]


FAILURES = [
    (a_failed_job(error_key="failed.deadline", error_params={"seconds": 1800}),
     "Kling did not finish within 30 minutes, so the job was stopped."),
    (a_failed_job(error_key="failed.queue_deadline", error_params={"seconds": 45}),
     "The job waited too long in the queue (more than 45 seconds without a free slot), so it "
     "was never sent to Kling."),
    (a_failed_job(error_key="failed.cancelled", error_params={"user_id": 42}),
     "Cancelled by <@42>."),
    (a_failed_job(error_key="failed.kling", error_params={"reason": "risk control"}),
     "Kling could not make this video: risk control"),
    (a_failed_job(error_key="failed.kling_unexplained", error_params={}),
     "Kling could not make this video: unknown error"),
    (a_failed_job(error_key="failed.content_refused",
                  error_params={"reason": "Content was blocked by risk control"}),
     "Kling refused this content: Content was blocked by risk control"),
    (a_failed_job(error_key="failed.content_refused_unexplained", error_params={}),
     "Kling refused this content."),
    (a_failed_job(error_key="failed.cannot_post", error_params={"cause": "post.forbidden"}),
     text("post.forbidden") + " Nothing was charged."),
    (a_failed_job(error_key="failed.undeliverable", error_params=None),
     text("failed.undeliverable")),
    # Stored before schema 006: the sentence itself, shown as it was written.
    (a_failed_job(error_code="deadline",
                  error_message="Kling did not finish within 30 minutes, so the job was stopped."),
     "Kling did not finish within 30 minutes, so the job was stopped."),
    (a_failed_job(), ""),
]


@pytest.mark.parametrize(("failed", "reason"), FAILURES)
def test_how_a_failed_job_reads(failed: Job, reason: str) -> None:
    assert failure_reason(failed) == reason


def test_a_code_from_a_newer_bot_falls_back_to_its_sentence_or_code() -> None:
    assert failure_reason(a_failed_job(error_key="failed.new", error_message="Old words.")) == (
        "Old words.")
    assert failure_reason(a_failed_job(error_key="failed.new")) == "failed.new"


def test_alerts_in_words() -> None:
    assert sentence(Notice("alert.default_model_removed",
                           {"model": "kling-v2-5-turbo", "fallback": "kling-v1-6"})) == (
        "This server's default model `kling-v2-5-turbo` is no longer offered by the bot, so "
        "videos use `kling-v1-6` instead. Pick another default with "
        "`/klingbot settings defaults default_model`.")
    assert sentence(Notice("alert.used_up")) == text("alert.used_up")


CODE = re.compile(r"[\"']((?:invalid|image|quota|kling|failed|alert|cancel|access|settings|"
                  r"post)\.[a-z_]+)[\"']")


def test_every_code_the_core_uses_has_a_sentence() -> None:
    used = {code for path in BOT.rglob("*.py") if "discord" not in path.relative_to(BOT).parts
            for code in CODE.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 40, used  # the pattern still finds them
    assert {code for code in used if not has_text(code)} == set()


def test_a_spoiler_prompt_is_hidden_and_cannot_end_its_spoiler_early() -> None:
    """Bars in a spoiler job's prompt are escaped, so `a || b` stays hidden whole; a
    prompt without a spoiler reads as written."""
    spoiled = dataclasses.replace(job("0123456789abcdef0123", 1, 2, 0.0),
                                  prompt="a cat || the twist", spoiler=True)
    assert shown_prompt(spoiled, 100) == "||a cat \\|\\| the twist||"
    assert len(shown_prompt(dataclasses.replace(spoiled, prompt="x" * 500), 100)) == 100
    plain = dataclasses.replace(spoiled, spoiler=False)
    assert shown_prompt(plain, 100) == "a cat || the twist"
