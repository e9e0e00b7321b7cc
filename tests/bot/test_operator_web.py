"""The operator address (`METRICS_HOST`/`METRICS_PORT`): health and metrics are served there
and nowhere else. The public port, which must face the internet for Kling's callbacks, answers
only callbacks, so nobody outside sees credits, job counts or the paused flag. /healthz says
whether the store and the poller answer; /metrics counts and times the job's life. With
`METRICS_TOKEN` set, a request without the bearer token is refused. A scrape never counts the
jobs table itself: the counts are kept and refreshed at most once per interval, however many
scrapers ask, and the health check counts nothing at all."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.engine import Engine
from bot.store import JobState
from testkit.fakes.kling import FakeKling
from tests.conftest import EngineFactory
from tests.support import eventually, text_job

TOKEN = "operator-token-0123456789"


def operator_base(engine: Engine) -> str:
    """Where the engine serves /healthz and /metrics."""
    return f"http://127.0.0.1:{engine.operator.port}"


async def test_the_public_port_answers_404_for_health_and_metrics(
        make_engine: EngineFactory) -> None:
    engine, _ = await make_engine()
    async with aiohttp.ClientSession() as http:
        for path in ("/metrics", "/healthz"):
            async with http.get(f"{engine.settings.public_base_url}{path}") as resp:
                assert resp.status == 404, path
        async with http.get(f"{operator_base(engine)}/healthz") as resp:
            assert resp.status == 200
            assert (await resp.json())["checks"] == {"store": True, "poller": True}
        async with http.get(f"{operator_base(engine)}/metrics") as resp:
            assert resp.status == 200 and "klingcord_jobs" in await resp.text()
        # The operator address takes no callback.
        async with http.post(f"{operator_base(engine)}/kling/callback/x", json={}) as resp:
            assert resp.status == 404


async def test_with_a_token_a_request_without_it_is_refused(make_engine: EngineFactory) -> None:
    engine, _ = await make_engine(metrics_token=TOKEN)
    base = operator_base(engine)
    async with aiohttp.ClientSession() as http:
        for path in ("/metrics", "/healthz"):
            async with http.get(f"{base}{path}") as resp:
                assert resp.status == 401, path
            async with http.get(f"{base}{path}",
                                headers={"Authorization": "Bearer wrong-token"}) as resp:
                assert resp.status == 401, path
            async with http.get(f"{base}{path}",
                                headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
                assert resp.status == 200, path


async def test_concurrent_scrapes_count_the_jobs_once_per_interval(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier = await make_engine(metrics_refresh_seconds=3600)
    await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()
    base = operator_base(engine)
    before = engine.job_counts.queries

    async def get(path: str) -> str:
        async with aiohttp.ClientSession() as http, http.get(f"{base}{path}") as resp:
            assert resp.status == 200
            return await resp.text()

    # Sixteen health checks count nothing.
    await asyncio.gather(*(get("/healthz") for _ in range(16)))
    assert engine.job_counts.queries == before
    # Sixteen scrapers at once: one count between them, and every one sees it.
    texts = await asyncio.gather(*(get("/metrics") for _ in range(16)))
    assert engine.job_counts.queries == before + 1
    assert all('klingcord_jobs{state="delivered"} 1.0' in text for text in texts)
    await asyncio.gather(*(get("/metrics") for _ in range(16)))
    assert engine.job_counts.queries == before + 1


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
    base = operator_base(engine)
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
