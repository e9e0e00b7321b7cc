"""The operator address: `/healthz` and `/metrics`, on a listener of their own
(`METRICS_HOST`/`METRICS_PORT`, loopback by default), never on the public callback port.

They show what nobody outside should see (credits moved, jobs by state, whether Kling is
paused), so they are served only where the operator reaches: loopback, or a private bind with
`METRICS_TOKEN`, which every request must then carry as `Authorization: Bearer <token>`.

Both are cheap whatever the store holds: `/healthz` asks the engine's O(1) health (a trivial
store query, the poller's last tick, Discord's readiness) and `/metrics` reads the kept job
counts (`bot.job_counts`), counted at most once per refresh interval.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from bot import metrics
from bot.status import EngineStatus
from bot.store import JobState
from bot.web import Listener

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class MetricsSources:
    """Where `/metrics` reads its figures: the kept job counts, and counts other pieces keep
    (the callback receiver, the Kling client, the poller)."""

    job_counts: Callable[[], Awaitable[Mapping[str, int]]]
    callbacks: Callable[[], Mapping[int, int]]
    kling_calls: Callable[[], Mapping[str, int]]
    poller_ticks: Callable[[], int]


class OperatorServer(Listener):
    """`/healthz` and `/metrics` on the operator address, behind the bearer token when one is
    set."""

    def __init__(self, *, health: Callable[[], Awaitable[EngineStatus]],
                 sources: MetricsSources, host: str, port: int, token: str | None) -> None:
        super().__init__(web.Application(middlewares=[self._authorised]), host=host,
                         port=port, name="Operator server (health, metrics)")
        self.health = health
        self.sources = sources
        self._expected = f"Bearer {token}".encode() if token else None
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/metrics", self.metrics)

    @web.middleware
    async def _authorised(self, request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                          ) -> web.StreamResponse:
        """401 for a request without the token, when one is set (compared in constant time)."""
        if self._expected is not None:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, self._expected):
                return web.json_response({"error": "unauthorised"}, status=401,
                                         headers={"WWW-Authenticate": "Bearer"})
        return await handler(request)

    async def healthz(self, request: web.Request) -> web.Response:
        """200 when every check passes, else 503 with the checks, for Docker and load balancers. A
        paused Kling is reported but does not make the bot unhealthy."""
        status = await self.health()
        healthy = status.healthy
        return web.json_response({"status": "ok" if healthy else "unhealthy",
                                  "checks": status.checks, "paused": status.kling_paused},
                                 status=200 if healthy else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        """The process's registry (`bot.metrics`), its job gauges set from the kept counts,
        and the counts other pieces keep (callbacks, Kling calls, poller ticks)."""
        sources = self.sources
        metrics.refresh_job_gauges(await sources.job_counts(),
                                   tuple(state.value for state in JobState))
        own = CollectorRegistry(auto_describe=False)
        own.register(_SourceCounts(sources))
        body = metrics.exposition() + generate_latest(own)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


class _SourceCounts(Collector):
    """Counts kept by other pieces (the callback receiver, the Kling client, the poller),
    read at scrape time."""

    def __init__(self, sources: MetricsSources) -> None:
        self.sources = sources

    def collect(self):  # type: ignore[no-untyped-def]
        callbacks = CounterMetricFamily("klingcord_callbacks", "Kling callbacks received, by "
                                        "the bot's answer", labels=["status"])
        for status, count in sorted(self.sources.callbacks().items()):
            callbacks.add_metric([str(status)], count)
        calls = CounterMetricFamily("klingcord_kling_calls", "Calls to the Kling API, by kind",
                                    labels=["call"])
        for call, count in sorted(self.sources.kling_calls().items()):
            calls.add_metric([call], count)
        ticks = CounterMetricFamily("klingcord_poller_ticks", "Passes of the result poller")
        ticks.add_metric([], self.sources.poller_ticks())
        yield from (callbacks, calls, ticks)
