"""The bot's HTTP side: Kling callbacks, a health check and metrics, on one aiohttp server.

It runs inside the bot's event loop (`web.AppRunner`), started at set-up and cleaned up at
close. The access log is replaced with one that hides callback tokens, which are credentials.
It is handed what it serves (the callback receiver, the engine's status, the metrics' sources)
and reaches nothing else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from bot import metrics
from bot.status import EngineStatus
from bot.store import JobState
from bot.tracker import MAX_CALLBACK_BYTES, CallbackReceiver

log = logging.getLogger(__name__)

_TOKEN_IN_PATH = re.compile(r"(/kling/callback/)[^/?#]+")


def redact_path(path: str) -> str:
    """The path with a callback token replaced by `<token>`, fit for a log line."""
    return _TOKEN_IN_PATH.sub(r"\1<token>", path)


async def read_capped_body(request: web.BaseRequest, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it is known to be over `limit` bytes.

    One `read()` returns only what has arrived so far, which is a fraction of a body sent in
    chunks (chunked transfer encoding) or split across TCP segments: read until the end of the
    body, whatever its framing. A declared Content-Length over the limit is refused before
    anything is read, and a body that grows past it is refused without reading further.
    """
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async for chunk in request.content.iter_any():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


class RedactingAccessLogger(AbstractAccessLogger):
    """aiohttp's access log, minus the callback token. Health checks (every few seconds from
    Docker or a load balancer) are logged at DEBUG, so they do not bury the bot's own lines."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """One access-log line per request, the token redacted."""
        level = logging.DEBUG if request.path == "/healthz" else logging.INFO
        self.logger.log(level, "%s %s %s %.1fms", request.method, redact_path(request.path),
                        response.status, time * 1000)


@dataclass(frozen=True)
class MetricsSources:
    """Where `/metrics` reads its figures (the callback counts come from the receiver)."""

    job_counts: Callable[[], Awaitable[Mapping[str, int]]]
    kling_calls: Callable[[], Mapping[str, int]]
    poller_ticks: Callable[[], int]


class WebServer:
    """The aiohttp application and its runner: callbacks, `/healthz` and `/metrics`. `port` is the
    one actually listened on once started (the OS picks it when 0 is asked)."""

    def __init__(self, receiver: CallbackReceiver, *,
                 status: Callable[[], Awaitable[EngineStatus]], metrics: MetricsSources,
                 host: str, port: int) -> None:
        self.receiver = receiver
        self.status = status
        self.metrics_sources = metrics
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=MAX_CALLBACK_BYTES * 2)
        self.app.router.add_post("/kling/callback/{token}", self.callback)
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/metrics", self.metrics)

    async def start(self) -> None:
        """Listen on `host`:`port` inside the running event loop."""
        self._runner = web.AppRunner(self.app, access_log_class=RedactingAccessLogger,
                                     access_log=logging.getLogger("bot.web.access"))
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        # With port 0 the OS picked one; remember it so tests and logs know where we listen.
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("HTTP server listening on %s:%d", self.host, self.port)

    async def close(self) -> None:
        """Stop listening; safe to call when never started or already closed."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def callback(self, request: web.Request) -> web.Response:
        """Kling's result POST: the body is read up to the cap (413 beyond it), then the receiver
        decides the answer. Delivery runs in the background, so Kling is answered at once."""
        body = await read_capped_body(request, MAX_CALLBACK_BYTES)
        if body is None:
            log.warning("Callback refused: its body is larger than %d bytes",
                        MAX_CALLBACK_BYTES)
            response = web.json_response({"error": "body too large"}, status=413)
            # The rest of the body is not wanted: the connection is not reused for another
            # request (aiohttp only drains and discards it briefly, so the client gets the 413).
            response.force_close()
            return response
        outcome = await self.receiver.receive(request.match_info["token"], body)
        return web.json_response({"ok": outcome.status == 200, "detail": outcome.reason},
                                 status=outcome.status)

    async def healthz(self, request: web.Request) -> web.Response:
        """200 when every check passes, else 503 with the checks, for Docker and load balancers. A
        paused Kling is reported but does not make the bot unhealthy."""
        status = await self.status()
        healthy = status.healthy
        return web.json_response({"status": "ok" if healthy else "unhealthy",
                                  "checks": status.checks, "paused": status.kling_paused},
                                 status=200 if healthy else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        """The process's registry (`bot.metrics`), its job gauges refreshed from the store,
        and this server's own counts (callbacks, Kling calls, poller ticks)."""
        sources = self.metrics_sources
        metrics.refresh_job_gauges(await sources.job_counts(),
                                   tuple(state.value for state in JobState))
        own = CollectorRegistry(auto_describe=False)
        own.register(_SourceCounts(self.receiver.counts, sources))
        body = metrics.exposition() + generate_latest(own)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _SourceCounts(Collector):
    """Counts kept by other pieces (the callback receiver, the Kling client, the poller),
    read at scrape time."""

    def __init__(self, callbacks: Mapping[int, int], sources: MetricsSources) -> None:
        self.callbacks = callbacks
        self.sources = sources

    def collect(self):  # type: ignore[no-untyped-def]
        callbacks = CounterMetricFamily("klingcord_callbacks", "Kling callbacks received, by "
                                        "the bot's answer", labels=["status"])
        for status, count in sorted(self.callbacks.items()):
            callbacks.add_metric([str(status)], count)
        calls = CounterMetricFamily("klingcord_kling_calls", "Calls to the Kling API, by kind",
                                    labels=["call"])
        for call, count in sorted(self.sources.kling_calls().items()):
            calls.add_metric([call], count)
        ticks = CounterMetricFamily("klingcord_poller_ticks", "Passes of the result poller")
        ticks.add_metric([], self.sources.poller_ticks())
        yield from (callbacks, calls, ticks)
