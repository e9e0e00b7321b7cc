"""The REST side's plumbing: every request is parsed (JSON or multipart), recorded, checked
against scripted faults and the bot token, and routed to the resource module that owns its
path; a `DiscordError` raised anywhere becomes Discord's error answer.

Routes are registered by the resource modules (``register(router)``); a new route goes in the
module of its resource, not here.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from testkit.fakes.discord.records import RecordedRequest, UploadedFile
from testkit.fakes.discord.rest.faults import RestFaults
from testkit.fakes.discord.rest.ratelimits import RateLimits
from testkit.fakes.discord.state import API_PREFIX, FakeState
from testkit.fakes.discord.wire import DiscordError, json_response

# Paths that authenticate by their own token (interaction webhooks) or not at all.
PUBLIC_PREFIXES = ("/interactions/", "/webhooks/", "/gateway")


@dataclass
class Req:
    """A parsed REST request handed to route handlers."""

    request: web.Request
    params: dict[str, str]
    json: Any
    files: list[UploadedFile]
    record: RecordedRequest

    def int_param(self, name: str) -> int:
        """A path parameter as an int (snowflakes are strings on the wire)."""
        return int(self.params[name])


Handler = Callable[[Req], Any]
"""A route: answers JSON-able data, a `web.Response`, or None (204); may be async."""


class Router:
    """Records, authenticates and routes every ``/api/v10`` request."""

    def __init__(self, state: FakeState, faults: RestFaults,
                 rate_limits: RateLimits | None = None) -> None:
        self._state = state
        self._faults = faults
        self._rate_limits = rate_limits or RateLimits()
        self._routes: list[tuple[str, re.Pattern[str], Handler, str]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Route ``method pattern`` (``{name}`` matches one path segment) to ``handler``."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler, pattern))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of every path that is not the gateway or the CDN."""
        path = request.path
        body, files = await _parse_body(request)
        record = RecordedRequest(
            method=request.method,
            path=path[len(API_PREFIX):] if path.startswith(API_PREFIX) else path,
            query=dict(request.query),
            headers=dict(request.headers),
            json=body,
            files=files,
            received_at=time.monotonic(),
        )
        self._state.requests.append(record)
        try:
            response = await self._answer(request, record)
        except DiscordError as exc:
            response = json_response(exc.body(), exc.status)
        record.status = response.status
        body_bytes = getattr(response, "body", None)
        if isinstance(body_bytes, bytes) and body_bytes:
            record.response = json.loads(body_bytes)
        self._state.changed()
        await self._faults.hold_if_asked(record)
        return response

    async def _answer(self, request: web.Request, record: RecordedRequest) -> web.Response:
        if not request.path.startswith(API_PREFIX):
            self._state.unknown_requests.append(record)
            raise DiscordError(404, 0, "404: Not Found")
        failure = self._faults.take_failure(record)
        if failure is not None:
            return failure
        found = self._match(record)
        if found is None:
            self._state.unknown_requests.append(record)
            raise DiscordError(404, 0, "404: Not Found")
        handler, match, pattern = found
        public = record.path.startswith(PUBLIC_PREFIXES)
        if not public and request.headers.get("Authorization") != f"Bot {self._state.bot_token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        verdict = self._rate_limits.check(record.method, pattern, match.groupdict(),
                                          record.path)
        if verdict is not None and verdict.refusal is not None:
            return verdict.refusal
        req = Req(request, match.groupdict(), record.json, record.files, record)
        try:
            result = handler(req)
            if asyncio.iscoroutine(result):
                result = await result
        except DiscordError as exc:
            response = json_response(exc.body(), exc.status)
        else:
            if isinstance(result, web.Response):
                response = result
            elif result is None:
                response = web.Response(status=204)
            else:
                response = json_response(result)
        if verdict is not None:
            response.headers.update(verdict.headers)
        return response

    def _match(self, record: RecordedRequest) -> tuple[Handler, re.Match[str], str] | None:
        for method, regex, handler, pattern in self._routes:
            match = regex.match(record.path)
            if match and method == record.method:
                return handler, match, pattern
        return None


async def _parse_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """JSON, multipart (``payload_json`` + ``files[n]``), text, or nothing."""
    ctype = request.content_type
    if ctype == "multipart/form-data":
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            data = await part.read(decode=False)  # type: ignore[union-attr]
            name = part.name or ""  # type: ignore[union-attr]
            if name == "payload_json":
                payload = json.loads(data)
            else:
                files.append(UploadedFile(
                    name, part.filename or name,  # type: ignore[union-attr]
                    part.headers.get("Content-Type"), bytes(data)))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    if ctype == "application/json":
        return json.loads(raw), []
    return raw.decode(errors="replace"), []
