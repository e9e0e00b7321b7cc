"""Faults: forged callbacks, API errors, deadlines, invalid options, secrets in logs."""

from __future__ import annotations

import logging
import time

import aiohttp
import pytest

from bot.discord.i18n.render import failure_reason, sentence
from bot.jobs import JobRequest
from bot.kling.options import InvalidOptions, VideoOptions
from bot.store import JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from tests.conftest import EngineFactory
from tests.support import DISCORD_TOKEN, KLING_TOKEN, eventually


def text_job(**options: object) -> JobRequest:
    options.setdefault("prompt", "a lighthouse in a storm")
    return JobRequest(guild_id=1, channel_id=10, user_id=100,
                      options=VideoOptions(action="text2video", **options))  # type: ignore[arg-type]


async def _ledger_rows(engine: object) -> int:
    """Every ledger row, of any kind, whichever backend the test runs on."""
    async with engine.store._read() as tx:  # type: ignore[attr-defined]
        rows = await tx.fetch("SELECT COUNT(*) AS n FROM ledger")
    return int(rows[0]["n"])


async def test_forged_bad_and_oversized_callbacks_change_nothing(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    base = f"{engine.settings.public_base_url}/kling/callback"
    good = {"success": True, "task_id": job.task_id, "video_id": "1",
            "video_url": "http://127.0.0.1:1/x.mp4", "duration": "5.0", "state": "succeed"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/not-a-real-token", json=good) as resp:
            assert resp.status == 404
        async with http.post(f"{base}/{job.callback_token}", data=b"{not json",
                             headers={"content-type": "application/json"}) as resp:
            assert resp.status == 400
        async with http.post(f"{base}/{job.callback_token}",
                             data=b"{" + b" " * (1024 * 1024 + 10) + b"}") as resp:
            assert resp.status == 413
        other = dict(good, task_id="someone-elses-task")
        async with http.post(f"{base}/{job.callback_token}", json=other) as resp:
            assert resp.status == 400
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.SUBMITTED
    assert notifier.delivered == [] and notifier.failures == []
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.HELD)


async def test_rate_limited_create_waits_then_goes_through(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 429, times=2, retry_after=0.05)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.SUBMITTED
    await eventually(lambda: notifier.delivered)
    assert fake_kling.create_count == 3 and len(fake_kling.tasks) == 1


async def test_rate_limited_beyond_retries_queues_the_job(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine(poll_interval_seconds=0.05)
    fake_kling.fail_next("create", 429, times=6, retry_after=0.01)
    job = await engine.jobs.request(text_job())
    # Back in the queue, not failed; dispatch pauses instead of failing jobs.
    assert job.state is JobState.QUEUED and job.submit_started_at is None
    assert engine.dispatch_pause.until > 0
    await eventually(lambda: notifier.delivered, timeout=10)
    assert len(fake_kling.tasks) == 1
    await engine.jobs.idle()  # the delivery records itself just after posting
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_unauthorised_fails_refunds_and_tells_the_operator(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 401)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert "misconfigured" in failure_reason(job)
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.REFUNDED)
    operator = [r for r in caplog.records if r.levelno == logging.ERROR
                and "OPERATOR" in r.getMessage()]
    assert operator and "KLING_API_TOKEN" in operator[0].getMessage()
    assert notifier.failures == [(job.id, failure_reason(job))]


async def test_a_wrong_api_address_fails_refunds_and_tells_the_operator(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    engine, _ = await make_engine()
    fake_kling.fail_next("create", 404)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED and "API address is wrong" in failure_reason(job)
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert any("KLING_API_BASE" in r.getMessage() for r in caplog.records
               if r.levelno == logging.ERROR)


async def test_repeated_server_errors_fail_and_refund_without_a_second_create(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine()
    fake_kling.fail_next("create", 500, times=5)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert fake_kling.create_count == 1, "a create must never be retried on a 5xx"
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert notifier.failures and "internal error" in notifier.failures[0][1]


async def test_server_errors_on_queries_are_retried(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(callbacks=False)
    job = await engine.jobs.request(text_job())
    await fake_kling.finish(job.task_id or "")
    fake_kling.fail_next("tasks", 500, times=2)
    await eventually(lambda: notifier.delivered)
    assert notifier.failures == []


async def test_dropped_create_is_never_sent_twice(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    """The task was created but the answer was lost: the callback still finds the job."""
    engine, notifier = await make_engine()
    fake_kling.drop_next("create", after_create=True)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.SUBMITTED and job.task_id is None
    await eventually(lambda: notifier.delivered)
    assert fake_kling.create_count == 1 and len(fake_kling.tasks) == 1


async def test_dropped_create_without_callbacks_is_refunded(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine(callbacks=False)
    fake_kling.drop_next("create")
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert fake_kling.create_count == 1
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.REFUNDED)


async def test_balance_used_up_pauses_new_jobs(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    from bot.jobs import KlingPaused

    ahead = 0.0
    engine, notifier = await make_engine(clock=lambda: time.time() + ahead)
    fake_kling.fail_next("create", 403)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.FAILED
    assert notifier.alerts and "balance" in notifier.alerts[0]
    with pytest.raises(KlingPaused):
        await engine.jobs.request(text_job())
    assert await _ledger_rows(engine) == 1
    assert len(notifier.alerts) == 1
    # Fifteen minutes later the next job finds out whether the balance was topped up.
    ahead = 901.0
    later = await engine.jobs.request(text_job())
    assert later.state is JobState.SUBMITTED


async def test_health_and_metrics(make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    from bot.metrics import REGISTRY

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = {name: sample(name, **labels) for name, labels in (
        ("klingcord_end_to_end_seconds_count", {}), ("klingcord_queue_wait_seconds_count", {}),
        ("klingcord_kling_seconds_count", {}), ("klingcord_delivery_seconds_count", {}),
        ("klingcord_jobs_finished_total", {"outcome": "delivered"}))}
    held = sample("klingcord_credits_total", kind="held")
    spent = sample("klingcord_credits_total", kind="spent")
    engine, notifier = await make_engine()
    await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()
    base = engine.settings.public_base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as resp:
            body = await resp.json()
            assert resp.status == 200 and body["status"] == "ok"
            assert body["checks"] == {"store": True, "poller": True}
        async with http.get(f"{base}/metrics") as resp:
            text = await resp.text()
    assert 'klingcord_jobs{state="delivered"} 1.0' in text
    assert 'klingcord_jobs{state="queued"} 0.0' in text and "klingcord_queue_length 0.0" in text
    # The job's life, timed and counted: one more of each.
    for name, count in before.items():
        labels = {"outcome": "delivered"} if name.startswith("klingcord_jobs_") else {}
        assert sample(name, **labels) == count + 1, name
        assert name.removesuffix("_count").removesuffix("_total") in text
    job = (await engine.store.jobs_in_state((JobState.DELIVERED,)))[0]
    assert sample("klingcord_credits_total", kind="held") == held + job.cost
    assert sample("klingcord_credits_total", kind="spent") == spent + job.cost
    assert all(line.startswith(("# ", "klingcord_")) for line in text.splitlines() if line)
    assert 'klingcord_callbacks_total{status="200"} 1' in text
    # A store that is gone makes the process unhealthy (so an orchestrator restarts it).
    await engine.store.close()
    async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz") as resp:
        assert resp.status == 503
        assert (await resp.json())["checks"]["store"] is False


async def test_task_that_never_finishes_is_refunded_at_the_deadline(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, notifier = await make_engine(job_deadline_seconds=0.5, poll_interval_seconds=0.1)
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.failures, timeout=5)
    assert notifier.failures[0][0] == job.id
    assert "did not finish" in notifier.failures[0][1]
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.REFUNDED)
    # A result that shows up after the deadline is still delivered: late, and free.
    fake_kling.never_finish = False
    await fake_kling.finish(job.task_id or "")
    await eventually(lambda: notifier.delivered, timeout=5)
    await engine.jobs.idle()
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.DELIVERED and stored.late
    assert await engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.REFUNDED)


INVALID = [
    ({"model": "kling-v9"}, "model", "Unknown model"),
    ({"model": "kling-v2-master", "mode": "pro"}, "mode", "single mode"),
    ({"model": "kling-v1", "mode": "ultra"}, "mode", "supports the modes"),
    ({"duration": 7}, "duration", "5 or 10"),
    ({"model": "kling-o1", "duration": 10}, "duration", "makes videos of 5 seconds"),
    ({"negative_prompt": "x" * 201}, "negative_prompt", "limit is 200"),
    ({"cfg_scale": 1.5}, "cfg_scale", "between 0 and 1"),
    ({"cfg_scale": -0.1}, "cfg_scale", "between 0 and 1"),
    ({"prompt": "   "}, "prompt", "needs a prompt"),
    ({"prompt": "p" * 2501}, "prompt", "limit is 2500"),
    ({"aspect_ratio": "4:3"}, "aspect_ratio", "16:9"),
    ({"model": "kling-v1-6", "camera": "zoom_in"}, "camera", "no camera control"),
    ({"model": "kling-v1", "camera": "zoom_in", "duration": 10}, "camera", "5-second"),
    ({"camera": "barrel_roll"}, "camera", "Unknown camera move"),
    ({"end_image_url": "https://x/y.png"}, "end_image", "needs a start image"),
    ({"model": "kling-v1-6", "image_urls": ("https://x/1.png",)}, "images", "omni"),
]


@pytest.mark.parametrize(("options", "option", "fragment"), INVALID)
async def test_invalid_text_options_are_refused_before_any_credit(
        make_engine: EngineFactory, fake_kling: FakeKling, options: dict[str, object],
        option: str, fragment: str) -> None:
    engine, _ = await make_engine()
    with pytest.raises(InvalidOptions) as raised:
        await engine.jobs.request(text_job(**options))
    assert raised.value.option == option
    assert fragment in sentence(raised.value.notice)
    assert await _ledger_rows(engine) == 0
    assert fake_kling.create_count == 0


INVALID_OTHER = [
    (VideoOptions(action="image2video", model="kling-v1"), "image", "needs a start image"),
    (VideoOptions(action="image2video", model="kling-v2-master", start_image_url="https://a/b",
                  end_image_url="https://a/c"), "end_image", "does not take an end frame"),
    (VideoOptions(action="image2video", model="kling-v1-6", mode="std",
                  start_image_url="https://a/b", end_image_url="https://a/c"),
     "end_image", "only in `pro` mode"),
    (VideoOptions(action="image2video", model="kling-v1", start_image_url="https://a/b",
                  end_image_url="https://a/c", duration=10), "duration", "5 seconds"),
    (VideoOptions(action="image2video", model="kling-v1", start_image_url="https://a/b",
                  camera="forward_up"), "camera", "not available for image to video"),
    (VideoOptions(action="extend", model="kling-v2-5-turbo", video_id="123"), "model",
     "cannot be extended"),
    (VideoOptions(action="extend", model="kling-v1", video_id="123", negative_prompt="blur"),
     "negative_prompt", "extending"),
    (VideoOptions(action="extend", model="kling-v1", video_id="123", cfg_scale=0.5),
     "cfg_scale", "extending"),
    (VideoOptions(action="extend", model="kling-v1"), "video_id", "needs the video"),
]


@pytest.mark.parametrize(("options", "option", "fragment"), INVALID_OTHER)
async def test_invalid_image_and_extend_options_are_refused(
        make_engine: EngineFactory, fake_kling: FakeKling, options: VideoOptions, option: str,
        fragment: str) -> None:
    engine, _ = await make_engine()
    request = JobRequest(guild_id=1, channel_id=10, user_id=100, options=options)
    with pytest.raises(InvalidOptions) as raised:
        await engine.jobs.request(request)
    assert raised.value.option == option
    assert fragment in sentence(raised.value.notice)
    assert await _ledger_rows(engine) == 0


async def test_quota_exceeded_is_refused_with_the_reset_time(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    from bot.quotas import QuotaExceeded

    engine, _ = await make_engine(default_credits_per_day=2)
    await engine.jobs.request(text_job())  # 1 credit (std 5 s)
    with pytest.raises(QuotaExceeded) as raised:
        await engine.jobs.request(text_job(mode="pro"))  # 2 credits, only 1 left
    assert raised.value.remaining == 1
    assert "<t:" in sentence(raised.value.notice)
    assert await _ledger_rows(engine) == 1


async def test_no_secret_reaches_a_log_line(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    engine, notifier = await make_engine()
    fake_kling.callback_copies = 2
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    async with aiohttp.ClientSession() as http:
        await http.post(f"{engine.settings.public_base_url}/kling/callback/forged-token-123",
                        json={})
    await engine.jobs.idle()
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "kling/callback/<token>" in text, "the access log should show redacted callbacks"
    for secret in (KLING_TOKEN, DISCORD_TOKEN, job.callback_token, "forged-token-123"):
        assert secret not in text
    assert job.callback_token not in repr(job)
    assert KLING_TOKEN not in repr(engine.settings)
