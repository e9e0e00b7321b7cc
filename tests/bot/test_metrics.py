"""The metrics registry: every name is klingcord_'s, the job gauges follow the store (a state
emptied since the last scrape reads 0), Kling error codes stay short."""

from __future__ import annotations

from bot import metrics
from bot.store import JobState

STATES = tuple(state.value for state in JobState)


def value(name: str, **labels: str) -> float | None:
    return metrics.REGISTRY.get_sample_value(name, labels)


def test_every_metric_is_named_for_the_bot() -> None:
    names = [m.name for m in metrics.REGISTRY.collect()]
    assert names and all(name.startswith("klingcord_") for name in names)
    text = metrics.exposition().decode()
    for wanted in ("klingcord_ack_seconds_bucket", "klingcord_queue_wait_seconds_bucket",
                   "klingcord_kling_seconds_bucket", "klingcord_delivery_seconds_bucket",
                   "klingcord_end_to_end_seconds_bucket", "klingcord_queue_length"):
        assert wanted in text


def test_job_gauges_follow_the_store() -> None:
    metrics.refresh_job_gauges({"queued": 4, "submitted": 2}, STATES)
    assert value("klingcord_jobs", state="queued") == 4
    assert value("klingcord_queue_length") == 4
    metrics.refresh_job_gauges({"submitted": 1}, STATES)
    assert value("klingcord_jobs", state="queued") == 0  # emptied: 0, not its old 4
    assert value("klingcord_queue_length") == 0
    assert value("klingcord_jobs", state="delivered") == 0


def test_kling_error_codes_are_counted_and_bounded() -> None:
    long_code = "x" * 200
    before = value("klingcord_kling_errors_total", code="1102") or 0
    metrics.kling_error("1102")
    metrics.kling_error(long_code)
    assert value("klingcord_kling_errors_total", code="1102") == before + 1
    assert value("klingcord_kling_errors_total", code="x" * metrics.CODE_LIMIT) is not None
