"""The bot's public HTTP side: Kling callbacks, on an aiohttp server of their own.

It runs inside the bot's event loop (`web.AppRunner`), started at set-up and cleaned up at
close. The access log is replaced with one that hides callback tokens, which are credentials.
It is handed the callback receiver and reaches nothing else. Health and metrics are served on
the operator address (`bot.operator_web`), never here: this port faces the internet.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

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


class Listener:
    """An aiohttp application listening on `host`:`port` inside the bot's event loop. `port` is
    the one actually listened on once started (the OS picks it when 0 is asked)."""

    def __init__(self, app: web.Application, *, host: str, port: int, name: str) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.name = name
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on `host`:`port` inside the running event loop."""
        self._runner = web.AppRunner(self.app, access_log_class=RedactingAccessLogger,
                                     access_log=logging.getLogger("bot.web.access"))
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self.close()
            raise
        # With port 0 the OS picked one; remember it so tests and logs know where we listen.
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("%s listening on %s:%d", self.name, self.host, self.port)

    async def close(self) -> None:
        """Stop listening; safe to call when never started or already closed."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class WebServer(Listener):
    """The public HTTP server: Kling's callbacks and nothing else (health and metrics are on
    the operator address, `bot.operator_web`), since it must face the internet."""

    def __init__(self, receiver: CallbackReceiver, *, host: str, port: int) -> None:
        super().__init__(web.Application(client_max_size=MAX_CALLBACK_BYTES * 2),
                         host=host, port=port, name="HTTP server")
        self.receiver = receiver
        self.app.router.add_post("/kling/callback/{token}", self.callback)

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
