"""Tolerant reading of Kling's answers, against the shared real payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.kling.results import TaskStatus, parse_error, parse_result, parse_task_record

# Copies of the platform's real payloads (shared/fixtures/kling), kept with the tests.
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kling"


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def test_task_records() -> None:
    assert parse_task_record(fixture("task_unknown.json")).status is TaskStatus.UNKNOWN
    assert parse_task_record(fixture("task_running.json")).status is TaskStatus.RUNNING
    done = parse_task_record(fixture("task_succeeded.json"))
    assert done.status is TaskStatus.SUCCEEDED
    assert done.video_id == "900798310464749610" and done.duration == 5.1
    assert done.task_id == "20068983-0cc9-4c6a-aeb6-9c6a3c668be0"
    failed = parse_task_record(fixture("task_failed.json"))
    assert failed.status is TaskStatus.FAILED
    assert failed.error_message == "Content was blocked by risk control"


def test_callbacks() -> None:
    ok = parse_result(fixture("callback_succeeded.json"))
    assert ok.status is TaskStatus.SUCCEEDED and ok.duration == 5.041
    bad = parse_result(fixture("callback_failed.json"))
    assert bad.status is TaskStatus.FAILED and "risk control" in (bad.error_message or "")


@pytest.mark.parametrize("body", [
    {"state": "succeeded", "video_url": "https://x/v.mp4", "video_id": 12},
    [{"success": True, "video_url": "https://x/v.mp4", "state": "succeed"}],
    {"success": True, "data": [{"video_url": "https://x/v.mp4", "video_id": "9"}]},
])
def test_success_shapes(body: object) -> None:
    result = parse_result(body)
    assert result.status is TaskStatus.SUCCEEDED and result.video_url == "https://x/v.mp4"


@pytest.mark.parametrize("body", [
    {"state": "cancelled"},
    {"success": False},
    {"error": "quota"},
    {"state": "failed", "error": {"code": "x"}},
])
def test_failure_shapes(body: object) -> None:
    result = parse_result(body)
    assert result.status is TaskStatus.FAILED and result.error_message


def test_error_shapes() -> None:
    assert parse_error(fixture("error_429.json")) == (
        "too_many_requests", "You have exceeded the rate limit.")
    assert parse_error({"code": "disabled", "detail": "API disabled"}) == (
        "disabled", "API disabled")
    assert parse_error({"error": "plain text"})[1] == "plain text"
    assert parse_error("oops")[1] == "oops"
