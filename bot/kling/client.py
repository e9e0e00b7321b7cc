"""The Kling API over one aiohttp session.

Retries follow kling-api.md: queries are safe to repeat, so they retry on 429, 5xx and
connection trouble with jittered exponential backoff; a create may bill a task, so it is retried
only when the API certainly did not act on it (a 429, or a connection that failed before the
request left). The token goes into a header and nowhere else: no log line, no exception text.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot import metrics
from bot.kling.errors import (
    KlingAuthError,
    KlingBadRequest,
    KlingBalanceExhausted,
    KlingContentRefused,
    KlingError,
    KlingNotFound,
    KlingRateLimited,
    KlingServerError,
    KlingUnreachable,
)
from bot.kling.results import TaskResult, is_risk_control, parse_error, parse_task_record

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# The longest the bot waits on any Retry-After from Kling: the client's back-off, the dispatch
# pause and the poller's pause all get the hint through `_retry_after`, which caps it. A server
# that says "come back tomorrow" must not stall new jobs or result pick-up for a day.
MAX_RETRY_AFTER = 120.0
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Tests shrink the delays; production keeps the defaults."""

    query_attempts: int = 4
    create_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0

    @property
    def retry_after_cap(self) -> float:
        """The longest one back-off lasts, whatever Retry-After asks for."""
        return min(self.max_delay * 4, MAX_RETRY_AFTER)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full jitter (AWS style), but never shorter than the server asked for (capped)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        wait = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.retry_after_cap))
        return wait

    def longest_create(self, timeout: float) -> float:
        """The longest `KlingClient.create` can take: every attempt runs to its timeout and
        every back-off between them is as long as this policy allows. Whoever decides that a
        create is no longer in flight (stale-claim recovery) must wait longer than this."""
        longest_backoff = max(self.max_delay, self.retry_after_cap)
        return self.create_attempts * timeout + (self.create_attempts - 1) * longest_backoff


def _retry_after(headers: Any) -> float | None:
    """The server's Retry-After in seconds, capped at `MAX_RETRY_AFTER`."""
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _error_for(status: int, body: Any, headers: Any) -> KlingError:
    code, message = parse_error(body)
    metrics.kling_error(code or f"http_{status}")
    if status == 400:
        return KlingBadRequest(status, code, message)
    if status == 401:
        return KlingAuthError(status, code, message)
    if status == 403:
        # Two 403s: risk control refusing this content (`forbidden`), or the balance used up.
        if is_risk_control(code, message):
            return KlingContentRefused(status, code, message)
        return KlingBalanceExhausted(status, code, message)
    if status == 404:
        return KlingNotFound(status, code, message)
    if status == 429:
        return KlingRateLimited(status, code, message, _retry_after(headers))
    if status >= 500:
        return KlingServerError(status, code, message)
    return KlingError(status, code, message)


class KlingClient:
    """Typed calls to /kling/videos and /kling/tasks."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str, *,
                 retry: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._headers = {
            "accept": "application/json",
            "content-type": "application/json",
            "authorization": f"Bearer {token}",
        }
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._timeout_seconds = timeout
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.calls: dict[str, int] = {"create": 0, "retrieve_batch": 0}

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy this client follows (it bounds how long a create can take)."""
        return self._retry

    def longest_create(self) -> float:
        """The longest one `create` call can take with this client's policy and timeout."""
        return self._retry.longest_create(self._timeout_seconds)

    async def _post_once(self, path: str, body: dict[str, Any]) -> Any:
        try:
            async with self._session.post(self._base + path, json=body, headers=self._headers,
                                          timeout=self._timeout) as response:
                try:
                    payload: Any = await response.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    payload = {"error": {"code": "bad_response",
                                         "message": f"HTTP {response.status}, not JSON"}}
                if response.status >= 400:
                    raise _error_for(response.status, payload, response.headers)
                return payload
        except aiohttp.ClientConnectorError as exc:
            metrics.kling_error("unreachable")
            raise KlingUnreachable(f"cannot connect to the Kling API: {exc.os_error}",
                                   request_sent=False) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            metrics.kling_error("unreachable")
            raise KlingUnreachable(f"no answer from the Kling API ({type(exc).__name__})",
                                   request_sent=True) from None

    async def _query(self, body: dict[str, Any]) -> Any:
        attempts = self._retry.query_attempts
        for attempt in range(attempts):
            try:
                return await self._post_once("/kling/tasks", body)
            except (KlingRateLimited, KlingServerError, KlingUnreachable) as exc:
                if attempt == attempts - 1:
                    raise
                retry_after = getattr(exc, "retry_after", None)
                delay = self._retry.delay(attempt, retry_after)
                log.warning("Kling tasks query failed (%s); retrying in %.1fs", exc, delay)
                await self._sleep(delay)
        raise AssertionError("unreachable")

    async def create(self, body: dict[str, Any], callback_url: str | None) -> str:
        """Start a task and return its id. Raises a `KlingError` or `KlingUnreachable`."""
        payload = dict(body)
        payload["async"] = True
        if callback_url:
            payload["callback_url"] = callback_url
        attempts = self._retry.create_attempts
        for attempt in range(attempts):
            self.calls["create"] += 1
            try:
                answer = await self._post_once("/kling/videos", payload)
            except KlingRateLimited as exc:
                if attempt == attempts - 1:
                    raise
                delay = self._retry.delay(attempt, exc.retry_after)
                log.info("Kling create rate-limited; waiting %.1fs", delay)
                await self._sleep(delay)
                continue
            except KlingUnreachable as exc:
                if exc.request_sent or attempt == attempts - 1:
                    raise
                await self._sleep(self._retry.delay(attempt))
                continue
            answer = answer[0] if isinstance(answer, list) and answer else answer
            task_id = answer.get("task_id") if isinstance(answer, dict) else None
            if not task_id and isinstance(answer, dict) and isinstance(answer.get("data"), dict):
                task_id = answer["data"].get("task_id")
            if not task_id:
                code, message = parse_error(answer)
                raise KlingError(200, code, f"the API accepted but gave no task id ({message})")
            return str(task_id)
        raise AssertionError("unreachable")

    async def retrieve_batch(self, task_ids: Sequence[str]) -> dict[str, TaskResult]:
        """Results by task id; ids the API does not know are absent from the answer."""
        self.calls["retrieve_batch"] += 1
        answer = await self._query({"action": "retrieve_batch", "ids": list(task_ids)})
        items: Any = answer.get("items", []) if isinstance(answer, dict) else answer
        if isinstance(items, dict):
            items = list(items.values())
        results: dict[str, TaskResult] = {}
        for item in items or []:
            result = parse_task_record(item)
            if result.task_id:
                results[result.task_id] = result
        return results
