"""Tolerant reading of Kling's answers, against the shared real payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.kling.capabilities import load_capabilities, parse_table
from bot.kling.results import TaskStatus, parse_error, parse_result, parse_task_record
from bot.quotas import load_costs, period_at

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


def test_capability_table_is_data(tmp_path: Path) -> None:
    shipped = load_capabilities()
    assert shipped.get("kling-o1") is not None and shipped.get("kling-o1").durations == (5,)
    assert shipped.extendable() == ["kling-v1", "kling-v1-5", "kling-v1-6"]
    custom = tmp_path / "models.json"
    custom.write_text(json.dumps({"models": {"kling-v3": {
        "modes": ["std", "pro", "4k"], "durations": [3, 5, 10, 15], "extend": False}},
        "default_model": "kling-v3"}))
    table = load_capabilities(custom)
    assert table.names() == ["kling-v3"] and table.get("kling-v3").modes[-1] == "4k"
    with pytest.raises(ValueError):
        parse_table({"models": {"a": {}}, "default_model": "b"})


def test_costs_and_periods() -> None:
    costs = load_costs()
    assert costs.cost("kling-v1", "std", 5) == 1
    assert costs.cost("kling-v1", "pro", 10) == 4
    assert costs.cost("kling-v2-master", None, 5) == 4
    # 2026-01-01 05:00 UTC is still in the period that began the day before at 06:00.
    period = period_at(1767243600.0, 6)
    assert period.end - period.start == 86400
    assert period.start == 1767160800.0
