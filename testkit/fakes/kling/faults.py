"""Scripted misbehaviour of the platform: the next calls to an endpoint fail with a status
(rate limits with ``Retry-After``, 5xx, 403 balance...), lose their connection (optionally
after the task was created: the "was it created?" case), or are held for a while. Scripts
apply before auth and validation: they model the platform misbehaving, not the bot. Latency
for every call is a knob (`knobs`).

A new kind of scripted fault goes here, and is applied where `api` and `files` take scripts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from testkit.fakes.kling.wire import (
    RISK_CONTROL_CODE,
    RISK_CONTROL_MESSAGE,
    Endpoint,
    error_json,
)


@dataclass
class Script:
    """A scripted misbehaviour queued for the next ``times`` calls to one endpoint."""

    kind: Literal["fail", "drop", "delay"]
    times: int
    delay: float = 0.0
    status: int = 0
    code: str | None = None
    message: str | None = None
    retry_after: float | None = None
    after_create: bool = False
    bare: bool = False  # an error object with a code and no message

    def error(self) -> web.Response:
        """The error answer of a ``fail`` script."""
        return error_json(self.status, self.code, self.message, self.retry_after,
                          bare=self.bare)


class Faults:
    """Queues of scripts, in order, per endpoint."""

    def __init__(self) -> None:
        self._scripts: dict[Endpoint, deque[Script]] = {
            "create": deque(),
            "tasks": deque(),
            "video": deque(),
        }

    def fail_next(
        self,
        endpoint: Endpoint,
        status: int,
        *,
        times: int = 1,
        code: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``endpoint`` with ``status`` and the API's error JSON.

        Scripted misbehaviours are queued in order per endpoint and apply before auth and
        validation (they model the platform misbehaving, not the bot). A failed create creates
        no task.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        self._scripts[endpoint].append(
            Script(
                "fail", times, status=status, code=code, message=message, retry_after=retry_after
            )
        )

    def refuse_next(self, *, times: int = 1, message: str | None = RISK_CONTROL_MESSAGE) -> None:
        """Refuse the content of the next ``times`` creates as the platform's risk control does:
        HTTP 403 with code ``forbidden`` (``message=None``: an error object without words).
        No task is created; unlike ``fail_next("create", 403)`` (the used-up balance) this is
        about one request, not the account."""
        if times < 1:
            raise ValueError("times must be >= 1")
        self._scripts["create"].append(
            Script("fail", times, status=403, code=RISK_CONTROL_CODE, message=message,
                   bare=message is None)
        )

    def drop_next(self, endpoint: Endpoint, times: int = 1, after_create: bool = False) -> None:
        """Close the connection of the next ``times`` calls without an HTTP answer.

        The request body is read first, so the client has fully sent it (the "was it created?"
        case). With ``after_create=True`` on ``create`` a valid request still creates its task,
        which runs, finishes and calls back as usual: the bot must not create it a second time.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if after_create and endpoint != "create":
            raise ValueError("after_create only makes sense for the create endpoint")
        self._scripts[endpoint].append(Script("drop", times, after_create=after_create))

    def delay_next(self, endpoint: Endpoint, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` calls to ``endpoint`` for ``seconds`` each, then answer them
        as usual (a slow create or tasks query; other calls are not held up)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        if endpoint == "video":
            raise ValueError("delay_next covers the create and tasks endpoints")
        self._scripts[endpoint].append(Script("delay", times, delay=seconds))

    def clear_scripts(self, endpoint: Endpoint) -> None:
        """Forget every scripted misbehaviour still queued for ``endpoint`` (it recovers)."""
        self._scripts[endpoint].clear()

    def take(self, endpoint: Endpoint) -> Script | None:
        """The script for this call, if one is queued (using up one of its ``times``)."""
        queue = self._scripts[endpoint]
        if not queue:
            return None
        script = queue[0]
        script.times -= 1
        if script.times <= 0:
            queue.popleft()
        return script
