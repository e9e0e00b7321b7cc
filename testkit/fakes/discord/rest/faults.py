"""Scripted REST misbehaviour: answers a test makes fail (429 with Discord's rate-limit headers,
5xx, any status) and answers it holds back after the request took effect, to crash the bot
between Discord acting and the bot hearing of it.

A new kind of scripted fault goes here; the router asks this part before any route runs.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from testkit.fakes.discord.records import RecordedRequest
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.wire import json_response


@dataclass
class ResponseHold:
    """Holds back the answer to the first request matching `predicate`, after the request
    took effect (the message exists): the sender waits until `release()`. A test kills the
    sender meanwhile to crash it between Discord acting and the sender hearing of it."""

    predicate: Callable[[RecordedRequest], bool]
    record: RecordedRequest | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Let the held answer go; released before its request comes, the hold holds nothing."""
        self._released.set()

    async def wait_released(self) -> None:
        """Wait until the test releases the hold."""
        await self._released.wait()


@dataclass
class _FailureRule:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    remaining: int
    retry_after: float | None


class RestFaults:
    """The failures and holds a test scripted, consumed by the REST router."""

    def __init__(self, state: FakeState) -> None:
        self._state = state
        self._failures: list[_FailureRule] = []
        self._holds: list[ResponseHold] = []

    def fail_next(self, method: str, path_regex: str, status: int, body: Any = None,
                  times: int = 1, retry_after: float | None = None) -> None:
        """Make the next ``times`` requests matching method + ``re.search(path_regex, path)``
        fail. ``path`` excludes ``/api/v10``. 429s get Discord's rate-limit headers."""
        self._failures.append(_FailureRule(method.upper(), re.compile(path_regex), status, body,
                                           times, retry_after))

    def hold_response(self, predicate: Callable[[RecordedRequest], bool]) -> ResponseHold:
        """Answer the next request matching ``predicate`` only when the returned hold is
        released (see `ResponseHold`); closing the fake releases every hold."""
        hold = ResponseHold(predicate)
        self._holds.append(hold)
        return hold

    def release_all(self) -> None:
        """Release every hold, so no request waits forever when the fake closes."""
        for hold in self._holds:
            hold.release()

    async def hold_if_asked(self, record: RecordedRequest) -> None:
        """Wait for the release of the first unused hold matching this (answered) request."""
        hold = next((h for h in self._holds if h.record is None and h.predicate(record)), None)
        if hold is not None:
            hold.record = record
            self._state.changed()
            await hold.wait_released()

    def take_failure(self, record: RecordedRequest) -> web.Response | None:
        """The scripted failure answer for this request, if one is due."""
        for rule in self._failures:
            if rule.remaining > 0 and rule.method == record.method and \
                    rule.pattern.search(record.path):
                rule.remaining -= 1
                return _failure_response(rule)
        return None


def _failure_response(rule: _FailureRule) -> web.Response:
    headers: dict[str, str] = {}
    body = rule.body
    if rule.status == 429:
        retry = rule.retry_after if rule.retry_after is not None else 0.05
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, int(retry + 0.999))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
            "X-RateLimit-Reset-After": f"{retry:.3f}",
            "X-RateLimit-Bucket": "fake" + secrets.token_hex(8),
            "X-RateLimit-Scope": "user",
        }
        if body is None:
            body = {"message": "You are being rate limited.", "retry_after": retry,
                    "global": False}
    elif body is None:
        body = {"message": f"{rule.status}: fake failure", "code": 0}
    return json_response(body, rule.status, headers)
